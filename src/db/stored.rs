//! Statuses, kinds and roles kept in text columns: one spelling per value,
//! written with `as_str` and read back with `from_stored`. An unknown
//! spelling read back is a damaged row or one written by a newer version:
//! it is an INTERNAL error naming the column (the error mapping logs it),
//! never read as some default value that would make a decision on it.

use crate::error::{Error, Result};

/// A value kept in a text column; implemented by `stored_enum!`.
pub trait StoredEnum: Sized + Copy + 'static {
    /// Where the value is kept, `table.column`, for the error.
    const COLUMN: &'static str;
    /// Every value.
    const ALL: &'static [Self];

    fn as_str(self) -> &'static str;

    fn from_stored(text: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|value| value.as_str() == text)
            .ok_or_else(|| {
                Error::Internal(anyhow::anyhow!(
                    "{} holds {text:?}, which is none of {:?}",
                    Self::COLUMN,
                    Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>()
                ))
            })
    }
}

/// Implements `StoredEnum` for an enum from one list of spellings (the
/// `match` in `as_str` makes the list complete), and gives the enum
/// `as_str` and `from_stored` of its own so callers need no trait import.
macro_rules! stored_enum {
    ($name:ident in $column:literal { $($variant:ident = $text:literal),* $(,)? }) => {
        impl $crate::db::stored::StoredEnum for $name {
            const COLUMN: &'static str = $column;
            const ALL: &'static [Self] = &[$($name::$variant),*];

            fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),*
                }
            }
        }

        impl $name {
            /// The spelling kept in the database (and used in files).
            pub fn as_str(self) -> &'static str {
                <Self as $crate::db::stored::StoredEnum>::as_str(self)
            }

            /// Reads a stored spelling back; unknown ones are INTERNAL.
            pub fn from_stored(text: &str) -> $crate::error::Result<Self> {
                <Self as $crate::db::stored::StoredEnum>::from_stored(text)
            }
        }
    };
}
pub(crate) use stored_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Light {
        Red,
        Green,
    }
    stored_enum!(Light in "lights.colour" { Red = "RED", Green = "GREEN" });

    #[test]
    fn every_value_reads_back_as_written() {
        for light in Light::ALL {
            assert_eq!(Light::from_stored(light.as_str()).unwrap(), *light);
        }
    }

    #[test]
    fn an_unknown_spelling_is_internal_and_names_the_column() {
        let Err(Error::Internal(e)) = Light::from_stored("AMBER") else {
            panic!("an unknown value must be INTERNAL");
        };
        let message = e.to_string();
        assert!(message.contains("lights.colour"), "{message}");
        assert!(message.contains("AMBER"), "{message}");
        assert!(Light::from_stored("red").is_err(), "spellings are exact");
    }
}
