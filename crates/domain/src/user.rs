//! Account names and passwords. A password is at least 12 characters and never printable.

use std::fmt;

/// A login name: 3 to 64 characters of lowercase letters, digits, `.`, `-`, `_`, `@`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = (3..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_' | b'@'));
        ok.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_BYTES: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password has at least 12 characters")]
    TooShort,
    #[error("a password has at most 1024 bytes")]
    TooLong,
}

/// A new password that meets the rules. Its `Debug` is redacted.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, PasswordError> {
        if raw.chars().count() < MIN_PASSWORD_CHARS {
            return Err(PasswordError::TooShort);
        }
        if raw.len() > MAX_PASSWORD_BYTES {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_shorter_than_twelve_characters_are_refused() {
        assert_eq!(Password::parse("elleve tegn").err(), Some(PasswordError::TooShort));
        assert!(Password::parse("tolv tegn nu").is_ok());
        assert!(Password::parse("æøåæøåæøåæøå").is_ok());
    }

    #[test]
    fn password_debug_is_redacted() {
        let p = Password::parse("hemmelig-kode-123").unwrap();
        assert!(!format!("{p:?}").contains("hemmelig"));
    }

    #[test]
    fn usernames_are_plain_lowercase() {
        assert!(Username::parse("koordinator").is_some());
        assert!(Username::parse("anne.hansen@kk").is_some());
        assert!(Username::parse("Anne").is_none());
        assert!(Username::parse("ab").is_none());
        assert!(Username::parse("a b c").is_none());
    }
}
