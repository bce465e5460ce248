//! The keys kept outside the database: one keys the access-log chain, one keys the blind
//! indexes used to match CPR numbers and name + birth date without comparing plaintext.

use crate::crypto::{MASTER_KEY_FILE, MasterKey};
use crate::error::StoreError;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngExt;
use sha2::Sha256;
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

type HmacSha256 = Hmac<Sha256>;

const LOG_KEY_FILE: &str = "access-log.key";
const INDEX_KEY_FILE: &str = "blind-index.key";

#[derive(Clone)]
pub struct Keys {
    log: Zeroizing<[u8; 32]>,
    index: Zeroizing<[u8; 32]>,
    master: MasterKey,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keys([redacted])")
    }
}

impl Keys {
    /// Reads the keys from `dir`, creating them (mode 0600) when `create` is set and none exist.
    /// The master key comes from `master_file` when given (production: a path from the
    /// environment), else from `master.key` in `dir`.
    pub fn load(dir: &Path, create: bool, master_file: Option<&Path>) -> Result<Self, StoreError> {
        let master_path = master_file.map(Path::to_path_buf).unwrap_or_else(|| dir.join(MASTER_KEY_FILE));
        let master = MasterKey::load_or_create(&master_path, create)?;
        let log_path = dir.join(LOG_KEY_FILE);
        let index_path = dir.join(INDEX_KEY_FILE);
        if create {
            // Each key is written whole or not at all (temporary file, sync, rename), and a
            // start killed between the two is finished by the next one. The fingerprints
            // checked against the database catch a key replaced on a database that has data.
            fs::create_dir_all(dir)?;
            for path in [&log_path, &index_path] {
                if !path.exists() {
                    write_new_key(path)?;
                }
            }
        }
        Ok(Self { log: read_key(&log_path)?, index: read_key(&index_path)?, master })
    }

    /// Keys from raw bytes, for tests and benchmarks.
    pub fn from_bytes(log: [u8; 32], index: [u8; 32], master: [u8; 32]) -> Self {
        Self { log: Zeroizing::new(log), index: Zeroizing::new(index), master: MasterKey::from_bytes(master) }
    }

    /// The key that wraps every person's data key.
    pub(crate) fn master(&self) -> &MasterKey {
        &self.master
    }

    pub(crate) fn log_mac(&self) -> HmacSha256 {
        mac(&self.log)
    }

    /// A keyed, deterministic index of a value: equal values give equal indexes, and the
    /// index says nothing about the value to someone without the key.
    pub(crate) fn blind_index(&self, purpose: &str, value: &str) -> String {
        let mut m = mac(&self.index);
        m.update(purpose.as_bytes());
        m.update(&[0]);
        m.update(value.as_bytes());
        hex(&m.finalize().into_bytes())
    }

    /// Fingerprints stored in the database so that a wrong key is caught on start.
    pub(crate) fn fingerprints(&self) -> (String, String) {
        let mut log = mac(&self.log);
        log.update(b"infohus key fingerprint");
        let mut index = mac(&self.index);
        index.update(b"infohus key fingerprint");
        (hex(&log.finalize().into_bytes()), hex(&index.finalize().into_bytes()))
    }
}

fn mac(key: &[u8; 32]) -> HmacSha256 {
    match <HmacSha256 as KeyInit>::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this arm cannot be reached with 32 bytes.
        Err(_) => unreachable_hmac(),
    }
}

#[allow(clippy::panic)]
fn unreachable_hmac() -> HmacSha256 {
    panic!("HMAC rejected a 32-byte key")
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn write_new_key(path: &PathBuf) -> Result<(), StoreError> {
    let key: [u8; 32] = rand::rng().random();
    let partial = path.with_extension("key.partial");
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&partial)?;
    file.write_all(hex(&key).as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    fs::rename(&partial, path)?;
    if let Some(dir) = path.parent() {
        fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

fn read_key(path: &Path) -> Result<Zeroizing<[u8; 32]>, StoreError> {
    let text = Zeroizing::new(
        fs::read_to_string(path)
            .map_err(|e| StoreError::Keys(format!("cannot read key file {}: {e}", path.display())))?,
    );
    let text = text.trim();
    let mut key = Zeroizing::new([0u8; 32]);
    if text.len() != 64 {
        return Err(StoreError::Keys(format!("key file {} is not 64 hex digits", path.display())));
    }
    for (slot, pair) in key.iter_mut().zip(text.as_bytes().chunks(2)) {
        let digits = std::str::from_utf8(pair).ok().and_then(|p| u8::from_str_radix(p, 16).ok());
        *slot = digits.ok_or_else(|| StoreError::Keys(format!("key file {} is not hex", path.display())))?;
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_created_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("infohus-keys-{}", uuid::Uuid::now_v7()));
        let first = Keys::load(&dir, true, None).unwrap();
        let again = Keys::load(&dir, true, None).unwrap();
        assert_eq!(first.fingerprints(), again.fingerprints());
        assert_eq!(first.blind_index("cpr", "0101051234"), again.blind_index("cpr", "0101051234"));
        assert_ne!(first.blind_index("cpr", "0101051234"), first.blind_index("name", "0101051234"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_start_killed_between_the_two_keys_is_finished_by_the_next() {
        let dir = std::env::temp_dir().join(format!("infohus-keys-{}", uuid::Uuid::now_v7()));
        let first = Keys::load(&dir, true, None).unwrap();
        let log = std::fs::read_to_string(dir.join(LOG_KEY_FILE)).unwrap();
        std::fs::remove_file(dir.join(INDEX_KEY_FILE)).unwrap();
        std::fs::write(dir.join("blind-index.key.partial"), "half").unwrap();
        let again = Keys::load(&dir, true, None).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join(LOG_KEY_FILE)).unwrap(), log, "the written key stays");
        assert_eq!(first.fingerprints().0, again.fingerprints().0);
        assert!(!dir.join("blind-index.key.partial").exists());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn missing_keys_are_an_error_without_create() {
        let dir = std::env::temp_dir().join(format!("infohus-keys-{}", uuid::Uuid::now_v7()));
        assert!(matches!(Keys::load(&dir, false, None), Err(StoreError::Keys(_))));
    }
}
