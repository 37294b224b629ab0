//! A performance period: a year ("2026"), a quarter ("2026-Q4") or a month
//! ("2026-11"). Parsed once at the boundary, stored in its canonical text.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Year(i32),
    Quarter(i32, u32),
    Month(i32, u32),
}

impl Period {
    /// The `n` quarters that ended before the quarter `today` is in,
    /// newest first: the periods whose results are final.
    pub fn finished_quarters(today: NaiveDate, n: usize) -> Vec<Period> {
        let (mut year, mut quarter) = (today.year(), today.month0() / 3 + 1);
        (0..n)
            .map(|_| {
                (year, quarter) = if quarter == 1 {
                    (year - 1, 4)
                } else {
                    (year, quarter - 1)
                };
                Period::Quarter(year, quarter)
            })
            .collect()
    }

    /// The newest quarter whose results are final.
    pub fn last_finished_quarter(today: NaiveDate) -> Period {
        Period::finished_quarters(today, 1)[0]
    }

    pub fn parse(raw: &str) -> Result<Self> {
        let bad = || {
            Error::invalid(
                "period",
                format!("{raw:?} is not a period: use 2026, 2026-Q4 or 2026-11"),
            )
        };
        let text = raw.trim();
        let (year, rest) = match text.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (text, None),
        };
        if year.len() != 4 {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        match rest {
            None => Ok(Period::Year(year)),
            Some(q) if q.len() == 2 && (q.starts_with('Q') || q.starts_with('q')) => {
                let quarter: u32 = q[1..].parse().map_err(|_| bad())?;
                (1..=4)
                    .contains(&quarter)
                    .then_some(Period::Quarter(year, quarter))
                    .ok_or_else(bad)
            }
            Some(m) if m.len() == 2 => {
                let month: u32 = m.parse().map_err(|_| bad())?;
                (1..=12)
                    .contains(&month)
                    .then_some(Period::Month(year, month))
                    .ok_or_else(bad)
            }
            Some(_) => Err(bad()),
        }
    }

    /// The first and last day of the period.
    pub fn dates(self) -> (NaiveDate, NaiveDate) {
        let (year, first_month, months) = match self {
            Period::Year(y) => (y, 1, 12),
            Period::Quarter(y, q) => (y, (q - 1) * 3 + 1, 3),
            Period::Month(y, m) => (y, m, 1),
        };
        let start = NaiveDate::from_ymd_opt(year, first_month, 1).expect("valid by construction");
        let end = start
            .checked_add_months(chrono::Months::new(months))
            .and_then(|d| d.pred_opt())
            .expect("within chrono's range by construction");
        (start, end)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finished_quarters_are_the_ones_before_todays_newest_first() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            Period::finished_quarters(day(2026, 11, 24), 2),
            [Period::Quarter(2026, 3), Period::Quarter(2026, 2)]
        );
        // Early in the year the last finished quarter is last year's fourth.
        assert_eq!(
            Period::last_finished_quarter(day(2026, 1, 1)),
            Period::Quarter(2025, 4)
        );
        assert_eq!(
            Period::last_finished_quarter(day(2026, 3, 31)),
            Period::Quarter(2025, 4)
        );
        assert_eq!(
            Period::last_finished_quarter(day(2026, 4, 1)),
            Period::Quarter(2026, 1)
        );
    }

    #[test]
    fn periods_parse_to_their_canonical_text() {
        for (raw, canonical) in [
            ("2026", "2026"),
            ("2026-Q4", "2026-Q4"),
            ("2026-q1", "2026-Q1"),
            (" 2026-03 ", "2026-03"),
        ] {
            assert_eq!(Period::parse(raw).unwrap().to_string(), canonical);
        }
        for bad in [
            "",
            "26",
            "2026-Q5",
            "2026-13",
            "2026-1",
            "Q4-2026",
            "2026-Q4-1",
            "abcd",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn periods_know_their_dates() {
        let (start, end) = Period::parse("2026-Q4").unwrap().dates();
        assert_eq!(
            (start.to_string(), end.to_string()),
            ("2026-10-01".into(), "2026-12-31".into())
        );
        let (_, end) = Period::parse("2028-02").unwrap().dates();
        assert_eq!(end.to_string(), "2028-02-29");
    }
}
