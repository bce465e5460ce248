//! Child server processes: the real `infohus serve` and the trivial handler, started on a
//! free loopback port, timed to their `listening on` line, watched for memory, and killed
//! when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};

pub struct Server {
    child: Child,
    pub address: String,
    /// From spawn to the `listening on` line.
    pub start_time: Duration,
}

impl Server {
    /// Starts `program args… --bind 127.0.0.1:0`, its standard error into `log`, and waits
    /// (at most `timeout`) for the `listening on http://ADDR` line.
    pub async fn start(program: &Path, args: &[String], log: &Path, timeout: Duration) -> anyhow::Result<Self> {
        let started = Instant::now();
        let mut child = Command::new(program)
            .args(args)
            .args(["--bind", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log)?)
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", program.display()))?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("no standard output"))?;
        let mut lines = BufReader::new(tokio::process::ChildStdout::from_std(stdout)?).lines();
        let address = tokio::time::timeout(timeout, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(address) = line.strip_prefix("listening on http://") {
                    return Ok(address.trim().to_owned());
                }
            }
            anyhow::bail!("the server ended before listening (see {})", log.display())
        })
        .await
        .map_err(|_| anyhow::anyhow!("the server did not listen within {timeout:?} (see {})", log.display()))??;
        let start_time = started.elapsed();
        // Keep draining standard output so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { child, address, start_time })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident set size so far (`VmHWM`), in bytes.
    pub fn peak_rss(&self) -> Option<u64> {
        status_field(self.pid(), "VmHWM:")
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `kB` field of `/proc/PID/status`, in bytes.
pub fn status_field(pid: u32, field: &str) -> Option<u64> {
    status_field_of(&format!("/proc/{pid}/status"), field)
}

/// A `kB` field of a `/proc` file such as `/proc/meminfo`, in bytes.
pub fn status_field_of(path: &str, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(path).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line.trim_start_matches(field).trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024)
}

/// The `infohus` binary next to this one (both are built by
/// `cargo build --release -p infohus -p infohus-bench`).
pub fn sibling_infohus() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let candidate = me.with_file_name("infohus");
    anyhow::ensure!(
        candidate.exists(),
        "{} not found: build it with `cargo build --release -p infohus -p infohus-bench`, or pass --infohus PATH",
        candidate.display()
    );
    Ok(candidate)
}

/// Asks the kernel to drop clean page-cache pages so the next start reads from disk; needs
/// root and is skipped quietly elsewhere. Returns whether it worked.
pub fn drop_page_cache() -> bool {
    let synced = Command::new("sync").status().map(|s| s.success()).unwrap_or(false);
    synced && std::fs::write("/proc/sys/vm/drop_caches", "3\n").is_ok()
}
