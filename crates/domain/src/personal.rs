//! A wrapper for personal data whose `Debug` never shows the value, so a stray `{:?}` in a
//! log line or a panic message cannot leak a name, a CPR number or a description.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Default)]
pub struct Personal<T>(T);

impl<T> Personal<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The value itself, for rendering to the people allowed to see it.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[personal data]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_value() {
        let name = Personal::new("Navn Navnesen".to_owned());
        assert_eq!(format!("{name:?}"), "[personal data]");
        assert_eq!(name.expose(), "Navn Navnesen");
    }
}
