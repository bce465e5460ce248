//! The Danish CPR number: ten digits, the first six a date (DDMMYY), an optional hyphen after
//! the sixth. The seventh digit and the year give the century (CPR office rules).

use std::fmt;
use time::{Date, Month};

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cpr {
    digits: [u8; 10],
    birth_date: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CprError {
    #[error("a CPR number has ten digits, optionally with a hyphen after the sixth")]
    Shape,
    #[error("the first six digits of a CPR number must be a date")]
    Date,
}

impl Cpr {
    pub fn parse(raw: &str) -> Result<Self, CprError> {
        let raw = raw.trim();
        let compact: Vec<u8> = match raw.len() {
            10 => raw.bytes().collect(),
            11 if raw.as_bytes().get(6) == Some(&b'-') => {
                raw.bytes().enumerate().filter(|(i, _)| *i != 6).map(|(_, b)| b).collect()
            }
            _ => return Err(CprError::Shape),
        };
        let mut digits = [0u8; 10];
        for (slot, byte) in digits.iter_mut().zip(&compact) {
            if !byte.is_ascii_digit() {
                return Err(CprError::Shape);
            }
            *slot = byte - b'0';
        }
        let birth_date = birth_date_of(&digits).ok_or(CprError::Date)?;
        Ok(Self { digits, birth_date })
    }

    /// The birth date the number encodes.
    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    /// Ten digits without hyphen: the form stored and matched on.
    pub fn compact(&self) -> String {
        self.digits.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// DDMMYY-XXXX, the form people read.
    pub fn formatted(&self) -> String {
        let compact = self.compact();
        format!("{}-{}", &compact[..6], &compact[6..])
    }
}

impl fmt::Debug for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cpr(******-****)")
    }
}

fn birth_date_of(d: &[u8; 10]) -> Option<Date> {
    let day = d[0] * 10 + d[1];
    let month = Month::try_from(d[2] * 10 + d[3]).ok()?;
    let yy = i32::from(d[4] * 10 + d[5]);
    let century = match (d[6], yy) {
        (0..=3, _) => 1900,
        (4 | 9, 0..=36) => 2000,
        (4 | 9, _) => 1900,
        (5..=8, 0..=57) => 2000,
        (5..=8, _) => 1800,
        _ => return None,
    };
    // The seventh-digit rule decides the century; a 29 February that only exists in the
    // neighbouring century is still a date of the form DDMMYY, so it is accepted there.
    Date::from_calendar_date(century + yy, month, day)
        .or_else(|_| Date::from_calendar_date(if century == 1900 { 2000 } else { 1900 } + yy, month, day))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn accepts_ten_digits_with_or_without_hyphen() {
        let plain = Cpr::parse("0101051234").unwrap();
        let hyphen = Cpr::parse("010105-1234").unwrap();
        assert_eq!(plain, hyphen);
        assert_eq!(plain.compact(), "0101051234");
        assert_eq!(plain.formatted(), "010105-1234");
    }

    #[test]
    fn seventh_digit_gives_the_century() {
        assert_eq!(Cpr::parse("0101051234").unwrap().birth_date(), date!(1905 - 01 - 01));
        assert_eq!(Cpr::parse("0101054234").unwrap().birth_date(), date!(2005 - 01 - 01));
        assert_eq!(Cpr::parse("0101805234").unwrap().birth_date(), date!(1880 - 01 - 01));
        assert_eq!(Cpr::parse("0101809234").unwrap().birth_date(), date!(1980 - 01 - 01));
    }

    #[test]
    fn refuses_impossible_dates() {
        assert_eq!(Cpr::parse("3202051234"), Err(CprError::Date));
        assert_eq!(Cpr::parse("0113051234"), Err(CprError::Date));
        assert_eq!(Cpr::parse("0001051234"), Err(CprError::Date));
    }

    #[test]
    fn refuses_wrong_shapes() {
        for raw in ["", "123", "01010512345", "010105 1234", "0101-051234", "01010512a4", "٠١٠١٠٥١٢٣٤"] {
            assert_eq!(Cpr::parse(raw), Err(CprError::Shape), "{raw}");
        }
    }

    #[test]
    fn debug_never_shows_the_number() {
        let cpr = Cpr::parse("0101051234").unwrap();
        assert!(!format!("{cpr:?}").contains("0101"));
    }

    proptest! {
        #[test]
        fn any_valid_date_with_any_control_digits_parses(
            day in 1u8..=28, month in 1u8..=12, yy in 0u8..=99, rest in 0u16..=9999, hyphen: bool
        ) {
            let raw = format!("{day:02}{month:02}{yy:02}{}{rest:04}", if hyphen { "-" } else { "" });
            let cpr = Cpr::parse(&raw).unwrap();
            prop_assert_eq!(cpr.birth_date().day(), day);
            prop_assert_eq!(u8::from(cpr.birth_date().month()), month);
        }

        #[test]
        fn parsing_never_panics(raw in ".{0,16}") {
            let _ = Cpr::parse(&raw);
        }
    }
}
