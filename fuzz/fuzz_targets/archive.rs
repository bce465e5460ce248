//! Import archives (`Store::import_archive`) into a fresh SQLite store. The first byte picks
//! how the rest is used:
//!
//! - even: as it is, the whole file (header, records, trailer) as given;
//! - odd: repaired the way only a careful forger could: the header is rewritten for this
//!   database's schema, the key fingerprints in `settings` rows are set to this store's,
//!   and the trailer's row count and SHA-256 are recomputed. The records themselves stay as
//!   the fuzzer made them, so the import's checks and its load reach every table.
//!
//! Invariants: the import never panics; a refused import leaves the database exactly as it
//! was (its export is unchanged); an accepted import holds every archived record, and
//! nothing else but what the fresh database already had, its access log verifies, and the
//! database opens again.

#![no_main]

use infohus_store::{Store, sqlite_url};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);
const FINGERPRINTS: [&str; 3] = ["log_key_fingerprint", "index_key_fingerprint", "master_key_fingerprint"];

struct Harness {
    runtime: tokio::runtime::Runtime,
    root: PathBuf,
    generation: u64,
    store: Store,
    schema: i64,
    /// This store's key fingerprints, as its `settings` rows hold them.
    fingerprints: BTreeMap<String, String>,
    /// The export of a fresh database: what a refused import must leave.
    pristine: Vec<u8>,
    /// Imports tried and accepted, by how the input was used (as it is, repaired); printed
    /// every 500 inputs when `INFOHUS_FUZZ_STATS` is set.
    tried: [u64; 2],
    accepted: [u64; 2],
    refusals: BTreeMap<String, u64>,
}

static HARNESS: Mutex<Option<Harness>> = Mutex::new(None);

fuzz_target!(|data: &[u8]| {
    let mut guard = HARNESS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let harness = guard.get_or_insert_with(Harness::new);
    harness.run(data);
});

/// A work directory per process, on a RAM disk when there is one; directories left by
/// earlier runs whose process is gone are removed.
fn work_root() -> PathBuf {
    let base = if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
    if let Ok(entries) = std::fs::read_dir(&base) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix("infohus-fuzz-archive-")
                && !Path::new("/proc").join(pid).exists()
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let root = base.join(format!("infohus-fuzz-archive-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    root
}

/// The records of an archive that was read whole: the lines between header and trailer,
/// each as what the import reads of it (its table and values; other keys are ignored).
fn records(archive: &[u8]) -> Vec<Value> {
    archive
        .split(|b| *b == b'\n')
        .skip(1)
        .map(|line| serde_json::from_slice::<Value>(line.strip_suffix(b"\r").unwrap_or(line)).ok())
        .take_while(|value| value.as_ref().is_none_or(|v| v["end"] != true))
        .flatten()
        .filter(|value| value.get("t").is_some())
        .map(|value| json!({"t": value["t"], "v": value["v"]}))
        .collect()
}

fn counts(records: &[Value]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for record in records {
        *counts.entry(record.to_string()).or_insert(0) += 1;
    }
    counts
}

impl Harness {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let root = work_root();
        let store = runtime.block_on(open(&root, 0));
        let schema = runtime.block_on(store.schema_version()).unwrap();
        let pristine = runtime.block_on(export(&store));
        let mut fingerprints = BTreeMap::new();
        for record in records(&pristine) {
            if record["t"] == "settings"
                && let (Some(name), Some(value)) = (record["v"][0].as_str(), record["v"][1].as_str())
                && FINGERPRINTS.contains(&name)
            {
                fingerprints.insert(name.to_owned(), value.to_owned());
            }
        }
        assert_eq!(fingerprints.len(), FINGERPRINTS.len(), "a fresh store has all its fingerprints");
        Self {
            runtime,
            root,
            generation: 0,
            store,
            schema,
            fingerprints,
            pristine,
            tried: [0; 2],
            accepted: [0; 2],
            refusals: BTreeMap::new(),
        }
    }

    fn run(&mut self, data: &[u8]) {
        let Some((&mode, rest)) = data.split_first() else { return };
        let archive = if mode % 2 == 0 { rest.to_vec() } else { self.repair(rest) };
        let result = self.runtime.block_on(self.store.import_archive(archive.as_slice()));
        let how = usize::from(mode % 2);
        self.tried[how] += 1;
        if std::env::var_os("INFOHUS_FUZZ_STATS").is_some() {
            if let Err(error) = &result {
                // The kind of refusal, without the line number or the database's message.
                let kind: String = error.to_string().chars().take_while(|c| !c.is_ascii_digit() && *c != '(').collect();
                *self.refusals.entry(kind).or_insert(0) += 1;
            }
            if (self.tried[0] + self.tried[1]).is_multiple_of(500) {
                eprintln!(
                    "archive: as given {} tried, {} accepted; repaired {} tried, {} accepted; refusals {:?}",
                    self.tried[0], self.accepted[0], self.tried[1], self.accepted[1], self.refusals
                );
            }
        }
        match result {
            Err(error) => {
                // All or nothing: a refused archive leaves no trace.
                let now = self.runtime.block_on(export(&self.store));
                if now != self.pristine {
                    let (before, after) = (counts(&records(&self.pristine)), counts(&records(&now)));
                    let short = |record: &String| record.chars().take(300).collect::<String>();
                    let gone: Vec<String> =
                        before.keys().filter(|r| !after.contains_key(*r)).take(3).map(short).collect();
                    let new: Vec<String> =
                        after.keys().filter(|r| !before.contains_key(*r)).take(3).map(short).collect();
                    panic!("the refused import ({error}) changed the database: gone {gone:#?}, new {new:#?}");
                }
            }
            Ok(summary) => {
                self.accepted[how] += 1;
                let archived = records(&archive);
                assert_eq!(summary.rows as usize, archived.len());
                let exported = records(&self.runtime.block_on(export(&self.store)));
                // Everything archived arrived; nothing else is there but what a fresh store has.
                let (archived, exported, pristine) =
                    (counts(&archived), counts(&exported), counts(&records(&self.pristine)));
                for (record, n) in &archived {
                    assert!(exported.get(record).copied().unwrap_or(0) >= *n, "{record} did not arrive");
                }
                for (record, n) in &exported {
                    let allowed =
                        archived.get(record).copied().unwrap_or(0) + pristine.get(record).copied().unwrap_or(0);
                    assert!(*n <= allowed, "{record} came from nowhere");
                }
                // The import recomputed the access log's chain before it committed.
                match self.runtime.block_on(self.store.verify_access_log(None)) {
                    Ok(Ok(_)) => {}
                    Ok(Err(failure)) => panic!("an accepted archive's log does not verify at {}", failure.seq),
                    Err(error) => panic!("an accepted archive's log cannot be checked: {error}"),
                }
                // The imported database opens again with these keys.
                self.runtime.block_on(self.store.close());
                let dir = self.generation_dir(self.generation);
                let reopened = self.runtime.block_on(Store::open(&sqlite_url(&dir), &self.root.join("keys"), NOW));
                match reopened {
                    Ok(store) => self.runtime.block_on(store.close()),
                    Err(error) => panic!("an accepted archive gave a database that does not open: {error}"),
                }
                self.fresh_store();
            }
        }
    }

    fn generation_dir(&self, generation: u64) -> PathBuf {
        self.root.join(format!("db-{generation}"))
    }

    /// Replaces the store by a fresh, empty one (after an import filled it).
    fn fresh_store(&mut self) {
        let old = self.generation_dir(self.generation);
        self.generation += 1;
        self.store = self.runtime.block_on(open(&self.root, self.generation));
        // Each fresh database has its own default infohus (id, time): its own pristine export.
        self.pristine = self.runtime.block_on(export(&self.store));
        let _ = std::fs::remove_dir_all(old);
    }

    /// The header, the fingerprints and the trailer made right for this store.
    fn repair(&self, body: &[u8]) -> Vec<u8> {
        let header = json!({"format": "infohus-archive", "version": 1, "schema": self.schema}).to_string();
        let mut out = Vec::with_capacity(body.len() + 256);
        let mut hasher = Sha256::new();
        let mut push = |out: &mut Vec<u8>, line: &[u8]| {
            out.extend_from_slice(line);
            out.push(b'\n');
            hasher.update(line);
            hasher.update(b"\n");
        };
        push(&mut out, header.as_bytes());
        let mut rows = 0u64;
        let mut lines: Vec<&[u8]> = body.split(|b| *b == b'\n').collect();
        if lines.last().is_some_and(|last| last.is_empty()) {
            lines.pop();
        }
        for (index, line) in lines.into_iter().enumerate() {
            // `lines()` drops a CR before the LF, and so does the import's checksum.
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let parsed = serde_json::from_slice::<Value>(line).ok();
            if let Some(value) = &parsed {
                if index == 0 && value.get("format").is_some() {
                    continue;
                }
                if value["end"] == true {
                    break;
                }
            }
            match parsed {
                Some(mut value) if value["t"] == "settings" => {
                    let fingerprint = value["v"][0].as_str().and_then(|name| self.fingerprints.get(name)).cloned();
                    if let (Some(fingerprint), Some(slot)) = (fingerprint, value["v"].get_mut(1)) {
                        *slot = json!(fingerprint);
                    }
                    push(&mut out, value.to_string().as_bytes());
                }
                _ => push(&mut out, line),
            }
            rows += 1;
        }
        let sha256: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        out.extend_from_slice(json!({"end": true, "rows": rows, "sha256": sha256}).to_string().as_bytes());
        out.push(b'\n');
        out
    }
}

async fn open(root: &Path, generation: u64) -> Store {
    let dir = root.join(format!("db-{generation}"));
    std::fs::create_dir_all(&dir).unwrap();
    Store::open(&sqlite_url(&dir), &root.join("keys"), NOW).await.unwrap()
}

async fn export(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    store.export_archive(&mut out).await.unwrap();
    out
}
