//! Static assets embedded at build time (DKFDS CSS, fonts and icons, the app stylesheet):
//! looks a path up in the table `build.rs` generates from `crates/web/assets/`, with its type and ETag.

use std::sync::OnceLock;

use sha2::{Digest, Sha256};

// Defines `static ASSETS: &[(&str, &[u8])]`, sorted by path (relative to `assets/`).
include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// One embedded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    pub bytes: &'static [u8],
    pub content_type: &'static str,
    /// Short lowercase hex hash of the bytes (16 chars of SHA-256), without quotes.
    pub etag: String,
}

impl Asset {
    /// The ETag as a header value: the hash in double quotes (a strong validator).
    pub fn etag_header(&self) -> String {
        format!("\"{}\"", self.etag)
    }
}

/// Looks up an asset by its path relative to `assets/`, e.g. `dkfds/css/dkfds.min.css`.
/// Paths containing `..` or starting with `/` are refused.
pub fn lookup(path: &str) -> Option<Asset> {
    if path.is_empty() || path.starts_with('/') || path.contains("..") || path.contains('\\') {
        return None;
    }
    let index = ASSETS.binary_search_by(|(p, _)| (*p).cmp(path)).ok()?;
    let (name, bytes) = ASSETS.get(index)?;
    Some(Asset { bytes, content_type: content_type(name), etag: etags().get(index)?.clone() })
}

/// All embedded paths, sorted.
pub fn paths() -> impl Iterator<Item = &'static str> {
    ASSETS.iter().map(|(path, _)| *path)
}

/// ETags for every asset, in `ASSETS` order, hashed once on first use.
fn etags() -> &'static [String] {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| ASSETS.iter().map(|(_, bytes)| short_hash(bytes)).collect())
}

fn short_hash(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = Sha256::digest(bytes);
    digest.iter().take(8).fold(String::with_capacity(16), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
    match ext.as_deref() {
        Some("css") => "text/css; charset=utf-8",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("js") => "text/javascript; charset=utf-8",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dkfds_css_is_embedded_as_css() {
        let asset = lookup("dkfds/css/dkfds.min.css").expect("dkfds css embedded");
        assert_eq!(asset.content_type, "text/css; charset=utf-8");
        assert!(asset.bytes.len() > 100_000);
        assert!(!String::from_utf8_lossy(asset.bytes).contains("sourceMappingURL"));
    }

    #[test]
    fn app_css_and_fonts_have_their_types() {
        assert_eq!(lookup("app/infohus.css").map(|a| a.content_type), Some("text/css; charset=utf-8"));
        assert_eq!(
            lookup("dkfds/fonts/IBMPlexSans/complete/woff2/IBMPlexSans-Regular.woff2").map(|a| a.content_type),
            Some("font/woff2")
        );
        assert_eq!(lookup("dkfds/img/all-svg-icons.svg").map(|a| a.content_type), Some("image/svg+xml"));
        assert_eq!(content_type("x/VERSION"), "application/octet-stream");
        assert_eq!(content_type("x/LICENSE.md"), "text/plain; charset=utf-8");
    }

    #[test]
    fn traversal_and_absolute_paths_are_refused() {
        for path in [
            "../Cargo.toml",
            "dkfds/../dkfds/css/dkfds.min.css",
            "dkfds/css/..",
            "/dkfds/css/dkfds.min.css",
            "dkfds\\css\\dkfds.min.css",
            "",
        ] {
            assert!(lookup(path).is_none(), "{path:?} should be refused");
        }
        assert!(lookup("dkfds/css/nope.css").is_none());
    }

    #[test]
    fn readme_is_not_served() {
        assert!(lookup("README.md").is_none());
    }

    #[test]
    fn table_is_sorted_and_etags_are_short_hex() {
        assert!(ASSETS.windows(2).all(|w| w[0].0 < w[1].0), "ASSETS must be sorted");
        let a = lookup("dkfds/css/dkfds.min.css").expect("css");
        assert_eq!(a.etag.len(), 16);
        assert!(a.etag.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(a.etag_header(), format!("\"{}\"", a.etag));
        let b = lookup("app/infohus.css").expect("app css");
        assert_ne!(a.etag, b.etag);
        assert_eq!(lookup("dkfds/css/dkfds.min.css").map(|x| x.etag), Some(a.etag));
    }

    /// Every relative `url(...)` in every embedded stylesheet must resolve to an
    /// embedded file; this guards `scripts/refresh-dkfds.sh`.
    #[test]
    fn every_css_url_resolves_to_an_embedded_asset() {
        let mut checked = 0;
        for (path, bytes) in ASSETS.iter().filter(|(p, _)| p.ends_with(".css")) {
            let css = std::str::from_utf8(bytes).expect("css is utf-8");
            let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
            for url in css_urls(css) {
                if url.starts_with("data:") || url.starts_with('#') {
                    continue;
                }
                assert!(
                    !url.contains("://") && !url.starts_with('/'),
                    "{path}: non-relative url({url}) would not be served from the binary"
                );
                let file = url.split(['?', '#']).next().unwrap_or_default();
                let resolved = resolve(dir, file).unwrap_or_else(|| panic!("{path}: url({url}) escapes assets/"));
                assert!(lookup(&resolved).is_some(), "{path}: url({url}) -> {resolved} is not embedded");
                checked += 1;
            }
        }
        assert!(checked > 100, "expected DKFDS to reference many files, saw {checked}");
    }

    #[test]
    fn fonts_are_only_woff2_and_woff() {
        let css = std::str::from_utf8(lookup("dkfds/css/dkfds.min.css").expect("css").bytes).expect("utf-8");
        for url in css_urls(css).filter(|u| u.contains("/fonts/")) {
            assert!(url.ends_with(".woff2") || url.ends_with(".woff"), "{url}");
        }
    }

    /// The targets of `url(...)` in a stylesheet, quotes removed.
    fn css_urls(css: &str) -> impl Iterator<Item = &str> {
        css.split("url(").skip(1).filter_map(|rest| {
            let inner = rest.split_once(')')?.0.trim();
            Some(inner.trim_matches(|c| c == '"' || c == '\''))
        })
    }

    /// Joins `rel` onto directory `dir` (both `/`-separated), resolving `.` and `..`.
    fn resolve(dir: &str, rel: &str) -> Option<String> {
        let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
        for seg in rel.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop()?;
                }
                seg => parts.push(seg),
            }
        }
        Some(parts.join("/"))
    }
}
