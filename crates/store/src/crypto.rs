//! Encryption at rest: per-person data keys wrapped by a master key kept outside the database;
//! destroying a person's wrapped key makes every field sealed with it unreadable (crypto-shredding).
//!
//! Both layers use XChaCha20-Poly1305 with a random 24-byte nonce per value. A wrapped data key
//! is stored as `k1:` + base64url(nonce ‖ ciphertext) with the person id as associated data; a
//! sealed field as `e1:` + base64url(nonce ‖ ciphertext) with the caller's context (for example
//! `referrals.description:<row id>`) as associated data, so a value copied to another person,
//! column or row does not open.

use crate::error::StoreError;
use crate::keys::hex;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{Key, KeyInit, XChaCha20Poly1305, XNonce};
use rand::RngExt;
use sha2::{Digest, Sha256};
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::Path;
use zeroize::Zeroizing;

/// The master key's file name in the keys directory when the caller names no other file.
pub const MASTER_KEY_FILE: &str = "master.key";

const WRAPPED_PREFIX: &str = "k1:";
const SEALED_PREFIX: &str = "e1:";
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const KEY_LEN: usize = 32;
const FINGERPRINT_DOMAIN: &[u8] = b"infohus master key fingerprint v1\0";

/// Why an encrypted value did not open. Never carries plaintext, key material or the value.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// Not a value this module wrote: wrong prefix, bad base64, too short, wrong length.
    #[error("encrypted value is malformed")]
    Malformed,
    /// Well formed, but it does not authenticate with this key and context: a wrong key, a
    /// wrong context, a tampered value, or (after crypto-shredding) a key that is gone.
    #[error("encrypted value cannot be opened with this key")]
    Unreadable,
    /// The plaintext is larger than one XChaCha20-Poly1305 message can hold (about 256 GiB).
    #[error("value too long to encrypt")]
    TooLong,
}

/// Every crypto failure is reported as a corrupt encrypted field for now. Note that
/// `Unreadable` is also what a crypto-shredded person's fields give: that is an expected state,
/// not corruption, and callers that shred should check for a missing data key before opening.
impl From<CryptoError> for StoreError {
    fn from(err: CryptoError) -> Self {
        match err {
            CryptoError::Malformed | CryptoError::Unreadable => StoreError::Corrupt("encrypted field"),
            CryptoError::TooLong => StoreError::Corrupt("field too long to encrypt"),
        }
    }
}

/// The key that wraps every person's data key. Kept outside the database.
#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; KEY_LEN]>);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

impl MasterKey {
    /// Reads the master key (64 hex digits) from `path`, first creating the file (mode 0600)
    /// with a fresh random key when `create` is set and it does not exist.
    pub fn load_or_create(path: &Path, create: bool) -> Result<Self, StoreError> {
        if create {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                fs::create_dir_all(dir)?;
            }
            match write_new_key(path) {
                Ok(()) => {}
                // Already there (or another process just made it): read what is there.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => {
                    return Err(StoreError::Keys(format!("cannot create master key file {}: {e}", path.display())));
                }
            }
        }
        read_key(path).map(Self)
    }

    /// A master key from raw bytes, for tests and for keys supplied by the caller.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// A fingerprint to store in the database so that a wrong master key is caught on start.
    /// SHA-256 over a domain-separation constant and the key; says nothing about the key.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::new().chain_update(FINGERPRINT_DOMAIN).chain_update(self.0.as_slice()).finalize();
        hex(&digest)
    }

    /// Encrypts a person's data key for storage next to the person, bound to `person_id`.
    /// Cannot fail in practice (the message is 32 bytes); the `Result` keeps this panic-free.
    pub fn wrap(&self, key: &DataKey, person_id: &str) -> Result<String, CryptoError> {
        encrypt(&self.0, WRAPPED_PREFIX, person_id.as_bytes(), key.0.as_slice())
    }

    /// Decrypts a data key wrapped for `person_id`; a key wrapped for anyone else fails.
    pub fn unwrap(&self, wrapped: &str, person_id: &str) -> Result<DataKey, CryptoError> {
        let bytes = Zeroizing::new(decrypt(&self.0, WRAPPED_PREFIX, person_id.as_bytes(), wrapped)?);
        let raw: &[u8; KEY_LEN] = bytes.as_slice().try_into().map_err(|_| CryptoError::Malformed)?;
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        key.copy_from_slice(raw);
        Ok(DataKey(key))
    }
}

/// One person's data key: every encrypted field about the person is sealed with it.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; KEY_LEN]>);

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey([redacted])")
    }
}

impl DataKey {
    /// A fresh random data key.
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        rand::rng().fill(key.as_mut_slice());
        Self(key)
    }

    /// Encrypts `plaintext`, bound to `context` (e.g. `"referrals.description:<row id>"`).
    /// Two seals of the same text differ. Fails only for a text beyond about 256 GiB.
    pub fn seal(&self, context: &str, plaintext: &str) -> Result<String, CryptoError> {
        encrypt(&self.0, SEALED_PREFIX, context.as_bytes(), plaintext.as_bytes())
    }

    /// Decrypts a value sealed with this key and the same `context`.
    pub fn open(&self, context: &str, sealed: &str) -> Result<String, CryptoError> {
        let bytes = decrypt(&self.0, SEALED_PREFIX, context.as_bytes(), sealed)?;
        String::from_utf8(bytes).map_err(|e| {
            drop(Zeroizing::new(e.into_bytes()));
            CryptoError::Malformed
        })
    }
}

fn cipher(key: &[u8; KEY_LEN]) -> XChaCha20Poly1305 {
    let key: &Key = key.into();
    XChaCha20Poly1305::new(key)
}

fn encrypt(key: &[u8; KEY_LEN], prefix: &str, aad: &[u8], msg: &[u8]) -> Result<String, CryptoError> {
    let nonce: [u8; NONCE_LEN] = rand::rng().random();
    let ciphertext =
        cipher(key).encrypt(&XNonce::from(nonce), Payload { msg, aad }).map_err(|_| CryptoError::TooLong)?;
    let mut raw = Vec::with_capacity(NONCE_LEN + ciphertext.len());
    raw.extend_from_slice(&nonce);
    raw.extend_from_slice(&ciphertext);
    let mut out = String::with_capacity(prefix.len() + raw.len().div_ceil(3) * 4);
    out.push_str(prefix);
    URL_SAFE_NO_PAD.encode_string(&raw, &mut out);
    Ok(out)
}

fn decrypt(key: &[u8; KEY_LEN], prefix: &str, aad: &[u8], text: &str) -> Result<Vec<u8>, CryptoError> {
    let encoded = text.strip_prefix(prefix).ok_or(CryptoError::Malformed)?;
    let raw = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| CryptoError::Malformed)?;
    let (nonce, ciphertext) = raw.split_at_checked(NONCE_LEN).ok_or(CryptoError::Malformed)?;
    if ciphertext.len() < TAG_LEN {
        return Err(CryptoError::Malformed);
    }
    let nonce: &XNonce = nonce.try_into().map_err(|_| CryptoError::Malformed)?;
    cipher(key).decrypt(nonce, Payload { msg: ciphertext, aad }).map_err(|_| CryptoError::Unreadable)
}

fn write_new_key(path: &Path) -> io::Result<()> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    rand::rng().fill(key.as_mut_slice());
    let mut text = Zeroizing::new(hex(key.as_slice()));
    text.push('\n');
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

fn read_key(path: &Path) -> Result<Zeroizing<[u8; KEY_LEN]>, StoreError> {
    let text = Zeroizing::new(
        fs::read_to_string(path)
            .map_err(|e| StoreError::Keys(format!("cannot read master key file {}: {e}", path.display())))?,
    );
    let text = text.trim();
    if text.len() != KEY_LEN * 2 {
        return Err(StoreError::Keys(format!("master key file {} is not 64 hex digits", path.display())));
    }
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    for (slot, pair) in key.iter_mut().zip(text.as_bytes().chunks(2)) {
        let byte = std::str::from_utf8(pair).ok().and_then(|p| u8::from_str_radix(p, 16).ok());
        *slot = byte.ok_or_else(|| StoreError::Keys(format!("master key file {} is not hex", path.display())))?;
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DANISH: &str = "Bekymring for trivsel hos barn i Århus: æøå ÆØÅ, «citat» og ü.";
    const CONTEXT: &str = "referrals.description:0190f0c4-0000-7000-8000-000000000001";

    fn temp_dir() -> std::path::PathBuf {
        std::env::temp_dir().join(format!("infohus-crypto-{}", uuid::Uuid::now_v7()))
    }

    #[test]
    fn seal_and_open_round_trip_danish_text() {
        let key = DataKey::generate();
        let sealed = key.seal(CONTEXT, DANISH).unwrap();
        assert!(sealed.starts_with("e1:"));
        assert!(!sealed.contains("Århus"));
        assert_eq!(key.open(CONTEXT, &sealed).unwrap(), DANISH);
        assert_eq!(key.open(CONTEXT, &key.seal(CONTEXT, "").unwrap()).unwrap(), "");
    }

    #[test]
    fn wrong_context_fails() {
        let key = DataKey::generate();
        let sealed = key.seal(CONTEXT, DANISH).unwrap();
        assert!(matches!(key.open("referrals.description:other-row", &sealed), Err(CryptoError::Unreadable)));
        assert!(matches!(
            key.open("referrals.notes:0190f0c4-0000-7000-8000-000000000001", &sealed),
            Err(CryptoError::Unreadable)
        ));
    }

    #[test]
    fn wrong_data_key_fails() {
        let sealed = DataKey::generate().seal(CONTEXT, DANISH).unwrap();
        assert!(matches!(DataKey::generate().open(CONTEXT, &sealed), Err(CryptoError::Unreadable)));
    }

    #[test]
    fn tampered_ciphertext_fails() {
        let key = DataKey::generate();
        let sealed = key.seal(CONTEXT, DANISH).unwrap();
        let mut raw = URL_SAFE_NO_PAD.decode(&sealed[3..]).unwrap();
        for i in [0, NONCE_LEN, raw.len() - 1] {
            raw[i] ^= 1;
            let tampered = format!("e1:{}", URL_SAFE_NO_PAD.encode(&raw));
            assert!(matches!(key.open(CONTEXT, &tampered), Err(CryptoError::Unreadable)));
            raw[i] ^= 1;
        }
        // Truncated by one byte.
        let short = format!("e1:{}", URL_SAFE_NO_PAD.encode(&raw[..raw.len() - 1]));
        assert!(key.open(CONTEXT, &short).is_err());
    }

    #[test]
    fn two_seals_of_the_same_text_differ() {
        let key = DataKey::generate();
        let a = key.seal(CONTEXT, DANISH).unwrap();
        let b = key.seal(CONTEXT, DANISH).unwrap();
        assert_ne!(a, b);
        assert_eq!(key.open(CONTEXT, &a).unwrap(), key.open(CONTEXT, &b).unwrap());
    }

    #[test]
    fn junk_is_malformed_not_a_panic() {
        let key = DataKey::generate();
        let too_short = format!("e1:{}", URL_SAFE_NO_PAD.encode([0u8; NONCE_LEN + TAG_LEN - 1]));
        for junk in ["", "e1:", "e1:!!!", "x", "e1:AAAA", "k1:AAAA", "e1:A", &too_short] {
            assert!(matches!(key.open(CONTEXT, junk), Err(CryptoError::Malformed)), "{junk:?}");
        }
        let master = MasterKey::from_bytes([7; 32]);
        for junk in ["", "k1:", "k1:!!!", "x", "e1:AAAA"] {
            assert!(matches!(master.unwrap(junk, "p"), Err(CryptoError::Malformed)), "{junk:?}");
        }
    }

    #[test]
    fn a_wrapped_key_only_unwraps_for_its_person_and_master_key() {
        let master = MasterKey::from_bytes([1; 32]);
        let key = DataKey::generate();
        let wrapped = master.wrap(&key, "person-a").unwrap();
        assert!(wrapped.starts_with("k1:"));

        let unwrapped = master.unwrap(&wrapped, "person-a").unwrap();
        let sealed = key.seal(CONTEXT, DANISH).unwrap();
        assert_eq!(unwrapped.open(CONTEXT, &sealed).unwrap(), DANISH);

        assert!(matches!(master.unwrap(&wrapped, "person-b"), Err(CryptoError::Unreadable)));
        assert!(matches!(MasterKey::from_bytes([2; 32]).unwrap(&wrapped, "person-a"), Err(CryptoError::Unreadable)));
        // A sealed field is not a wrapped key, and the other way round.
        assert!(matches!(master.unwrap(&sealed, "person-a"), Err(CryptoError::Malformed)));
        assert!(matches!(key.open(CONTEXT, &wrapped), Err(CryptoError::Malformed)));
    }

    #[test]
    fn master_key_file_is_created_private_and_read_back() {
        let dir = temp_dir();
        let path = dir.join(MASTER_KEY_FILE);
        assert!(matches!(MasterKey::load_or_create(&path, false), Err(StoreError::Keys(_))));
        let first = MasterKey::load_or_create(&path, true).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.trim().len(), 64);
        let again = MasterKey::load_or_create(&path, true).unwrap();
        let read_only = MasterKey::load_or_create(&path, false).unwrap();
        assert_eq!(first.fingerprint(), again.fingerprint());
        assert_eq!(first.fingerprint(), read_only.fingerprint());
        assert_eq!(first.fingerprint().len(), 64);
        assert!(!first.fingerprint().contains(text.trim()));

        let wrapped = first.wrap(&DataKey::generate(), "p").unwrap();
        assert!(again.unwrap(&wrapped, "p").is_ok());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn bad_master_key_files_are_key_errors() {
        let dir = temp_dir();
        fs::create_dir_all(&dir).unwrap();
        for (name, content) in [("short", "abcd\n"), ("nothex", &"zz".repeat(32)), ("empty", "")] {
            let path = dir.join(name);
            fs::write(&path, content).unwrap();
            assert!(matches!(MasterKey::load_or_create(&path, true), Err(StoreError::Keys(_))));
        }
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn fingerprints_differ_between_keys() {
        assert_ne!(MasterKey::from_bytes([1; 32]).fingerprint(), MasterKey::from_bytes([2; 32]).fingerprint());
    }

    #[test]
    fn debug_shows_no_key_bytes() {
        let master = MasterKey::from_bytes([0xab; 32]);
        let data = DataKey::generate();
        let shown = format!("{master:?} {data:?} {:?}", CryptoError::Unreadable);
        assert_eq!(shown, "MasterKey([redacted]) DataKey([redacted]) Unreadable");
        assert!(!format!("{master:?}").contains("ab"));
    }

    #[test]
    fn errors_map_to_corrupt_store_errors() {
        let err: StoreError = CryptoError::Unreadable.into();
        assert_eq!(err.code(), "corrupt");
        assert_eq!(err.to_string(), "stored data is inconsistent: encrypted field");
    }

    proptest! {
        #[test]
        fn seal_open_round_trips_any_string(text in any::<String>(), context in any::<String>()) {
            let key = DataKey::generate();
            let sealed = key.seal(&context, &text).unwrap();
            prop_assert_eq!(key.open(&context, &sealed).unwrap(), text);
        }

        #[test]
        fn open_never_panics_on_junk(junk in any::<String>()) {
            let key = DataKey::generate();
            prop_assert!(key.open(CONTEXT, &junk).is_err());
            let junk = format!("e1:{junk}");
            prop_assert!(key.open(CONTEXT, &junk).is_err());
        }
    }
}
