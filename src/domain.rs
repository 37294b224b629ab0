//! Values that parse once, where they enter (a resolver, a file, a row), so
//! the code behind never checks them again. The API keeps plain scalars:
//! these types live in the domain and are parsed from them.

use std::fmt;

use crate::error::{Error, Result};

/// A level on the framework's proficiency scale: 0 ("not yet") to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Proficiency(u8);

impl Proficiency {
    /// The top of the scale.
    pub const HIGHEST: u8 = 5;

    /// A level someone typed; `field` names the argument in the error.
    pub fn parse(level: i32, field: &str) -> Result<Self> {
        u8::try_from(level)
            .ok()
            .filter(|l| *l <= Self::HIGHEST)
            .map(Proficiency)
            .ok_or_else(|| {
                Error::invalid(field, format!("must be between 0 and {}", Self::HIGHEST))
            })
    }

    /// A level read back from a rating or requirement. Only parsed levels
    /// are written, so one off the scale is a damaged row: it is logged and
    /// held to the scale, so one bad rating does not take a team view down.
    pub fn from_stored(level: impl Into<i64>) -> Self {
        let level = level.into();
        match u8::try_from(level) {
            Ok(l) if l <= Self::HIGHEST => Proficiency(l),
            _ => {
                tracing::error!(level, "a stored proficiency level is off the 0-5 scale");
                Proficiency(if level < 0 { 0 } else { Self::HIGHEST })
            }
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Proficiency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A performance target's share of its period's score: 1 to 100 percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Weight(u8);

impl Weight {
    /// What the weights of a period total when its score counts.
    pub const FULL: i32 = 100;

    pub fn parse(weight: i32, field: &str) -> Result<Self> {
        u8::try_from(weight)
            .ok()
            .filter(|w| (1..=100).contains(w))
            .map(Weight)
            .ok_or_else(|| Error::invalid(field, "must be between 1 and 100"))
    }

    pub fn get(self) -> i32 {
        i32::from(self.0)
    }
}

/// A share of something done, 0 to 100 (a certification's progress).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Percent(u8);

impl Percent {
    pub const WHOLE: Percent = Percent(100);

    pub fn parse(percent: i32, field: &str) -> Result<Self> {
        u8::try_from(percent)
            .ok()
            .filter(|p| *p <= 100)
            .map(Percent)
            .ok_or_else(|| Error::invalid(field, "must be between 0 and 100"))
    }

    pub fn get(self) -> i32 {
        i32::from(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proficiency_is_zero_to_five() {
        assert_eq!(Proficiency::parse(0, "level").unwrap().get(), 0);
        assert_eq!(Proficiency::parse(5, "level").unwrap().get(), 5);
        for bad in [-1, 6, 300] {
            let Err(Error::Invalid(problems)) = Proficiency::parse(bad, "ratings[0].level") else {
                panic!("{bad} must be refused");
            };
            assert_eq!(problems[0].field, "ratings[0].level");
        }
        assert_eq!(Proficiency::from_stored(3i16).get(), 3);
        assert_eq!(Proficiency::from_stored(9i16).get(), 5, "held to the scale");
        assert_eq!(Proficiency::from_stored(-2i32).get(), 0);
    }

    #[test]
    fn weights_are_one_to_a_hundred_and_percents_zero_to_a_hundred() {
        assert!(Weight::parse(0, "weight").is_err());
        assert_eq!(Weight::parse(100, "weight").unwrap().get(), Weight::FULL);
        assert!(Weight::parse(101, "weight").is_err());
        assert_eq!(Percent::parse(0, "progress").unwrap().get(), 0);
        assert_eq!(Percent::parse(100, "progress").unwrap(), Percent::WHOLE);
        assert!(Percent::parse(-1, "progress").is_err());
        assert!(Percent::parse(101, "progress").is_err());
    }
}
