//! Embeds everything under `assets/` in the binary: writes `$OUT_DIR/assets.rs`
//! with a path-sorted `ASSETS` table of `include_bytes!` entries (see `src/assets.rs`).

use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// Files under `assets/` that document the directory and are not served.
const NOT_EMBEDDED: &[&str] = &["README.md"];

fn main() -> Result<(), Box<dyn Error>> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let assets_dir = manifest_dir.join("assets");

    // A directory entry makes Cargo rescan it, so added and removed files count too.
    println!("cargo:rerun-if-changed={}", assets_dir.display());

    let mut files = Vec::new();
    if assets_dir.is_dir() {
        collect(&assets_dir, &assets_dir, &mut files)?;
    }
    files.retain(|(rel, _)| !NOT_EMBEDDED.contains(&rel.as_str()));
    files.sort();

    let mut code = String::from(
        "/// Embedded static assets: (path relative to `assets/`, contents), sorted by path.\n\
         static ASSETS: &[(&str, &[u8])] = &[\n",
    );
    for (rel, abs) in &files {
        println!("cargo:rerun-if-changed={}", abs.display());
        let abs = abs.to_str().ok_or_else(|| format!("asset path is not UTF-8: {}", abs.display()))?;
        writeln!(code, "    ({rel:?}, include_bytes!({abs:?})),")?;
    }
    code.push_str("];\n");

    fs::write(out_dir.join("assets.rs"), code)?;
    Ok(())
}

/// Appends every regular file below `dir` as (relative path with `/`, absolute path).
/// Hidden files and directories (editor droppings, `.DS_Store`) are skipped.
fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<(), Box<dyn Error>> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            collect(root, &path, out)?;
        } else if file_type.is_file() || (file_type.is_symlink() && path.is_file()) {
            let rel = path.strip_prefix(root)?;
            let mut parts = Vec::new();
            for part in rel.components() {
                let part =
                    part.as_os_str().to_str().ok_or_else(|| format!("asset path is not UTF-8: {}", path.display()))?;
                parts.push(part);
            }
            out.push((parts.join("/"), path.canonicalize()?));
        }
    }
    Ok(())
}
