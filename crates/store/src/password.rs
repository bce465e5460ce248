//! Password hashing with argon2id. Verification of an unknown user runs against a dummy
//! hash so that the time taken does not reveal whether the account exists.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use infohus_domain::Password;
use std::sync::OnceLock;

/// The PHC string of an argon2id hash of `password`, with a fresh random salt.
pub fn hash(password: &Password) -> Option<String> {
    Argon2::default().hash_password(password.expose().as_bytes()).ok().map(|h| h.to_string())
}

/// Checks `password` against a stored PHC string; false for any malformed hash.
pub fn verify(stored: &str, password: &str) -> bool {
    let Ok(parsed) = argon2::password_hash::phc::PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
}

/// Spends the same work as `verify` for an account that does not exist. Always false.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| Password::parse("dummy-password-for-timing").ok().and_then(|p| hash(&p)));
    if let Some(dummy) = dummy {
        let _ = verify(dummy, password);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_own_password_only() {
        let password = Password::parse("korrekt-hest-batteri").unwrap();
        let stored = hash(&password).unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify(&stored, "korrekt-hest-batteri"));
        assert!(!verify(&stored, "forkert-hest-batteri"));
        assert!(!verify("not a hash", "korrekt-hest-batteri"));
    }
}
