//! Downloads of results as CSV or `.xlsx`, within the caller's reach, with
//! headers in the caller's language. Each export checks reach up front (so a
//! refusal is an HTTP status, not a broken file), then produces its rows
//! page by page into a channel; the writers in `tabular` turn the pages
//! into a streamed CSV body or an `.xlsx` workbook.

pub mod audit_log;
pub mod certifications;
pub mod cycle_results;
pub mod graphql;
pub mod http;
pub mod people;
pub mod performance;
pub mod readiness;
pub mod tabular;
pub mod team_matrix;

use tokio::sync::mpsc;

use crate::auth::Locale;
use crate::error::Result;

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
    Empty,
}

impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(v)
    }
}
impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(v.to_owned())
    }
}
impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Self {
        v.map_or(Cell::Empty, Cell::Text)
    }
}
impl From<Option<u8>> for Cell {
    fn from(v: Option<u8>) -> Self {
        v.map_or(Cell::Empty, |v| Cell::Int(v.into()))
    }
}
impl From<u8> for Cell {
    fn from(v: u8) -> Self {
        Cell::Int(v.into())
    }
}
impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Cell::Empty, Cell::Num)
    }
}
impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Num(v)
    }
}

pub type Row = Vec<Cell>;

/// A column heading in both languages.
#[derive(Debug, Clone, Copy)]
pub struct Heading(pub &'static str, pub &'static str);

impl Heading {
    pub fn get(self, locale: Locale) -> &'static str {
        match locale {
            Locale::En => self.0,
            Locale::ZhCn => self.1,
        }
    }
}

/// Rows this many at a time: one page of people read, turned into rows and
/// handed to the writer before the next is read.
pub const PAGE: usize = 500;

/// An export under way: its headings, and its rows as they are produced.
pub struct Table {
    /// The file name without extension.
    pub name: String,
    pub sheet: String,
    pub headers: Vec<String>,
    pub pages: mpsc::Receiver<Result<Vec<Row>>>,
}

impl Table {
    /// A table whose rows are produced by `produce`, sending pages to the
    /// channel; a small buffer keeps the producer at most a few pages ahead
    /// of the writer, so memory stays bounded by the page size.
    pub fn spawn<F, Fut>(
        name: String,
        sheet: &str,
        headers: &[Heading],
        locale: Locale,
        produce: F,
    ) -> Self
    where
        F: FnOnce(mpsc::Sender<Result<Vec<Row>>>) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(2);
        // The rows are read on a task of their own, at the request's time.
        tokio::spawn(crate::clock::current().scope(produce(tx)));
        Self {
            name,
            sheet: sheet.to_owned(),
            headers: headers.iter().map(|h| h.get(locale).to_owned()).collect(),
            pages: rx,
        }
    }

    /// A table from rows already in memory (exports of views that are
    /// computed whole, like a team matrix).
    pub fn from_rows(
        name: String,
        sheet: &str,
        headers: &[Heading],
        locale: Locale,
        rows: Vec<Row>,
    ) -> Self {
        Self::spawn(name, sheet, headers, locale, |tx| async move {
            for chunk in rows.chunks(PAGE) {
                if tx.send(Ok(chunk.to_vec())).await.is_err() {
                    return;
                }
            }
        })
    }
}

/// Which file to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(raw: Option<&str>) -> Result<Self> {
        match raw.unwrap_or("csv").to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            other => Err(crate::error::Error::invalid(
                "format",
                format!("unknown format {other:?}: csv or xlsx"),
            )),
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// Signs a download or chart path for `actor` and records that a link was
/// issued: a download of people's data is worth knowing about.
pub async fn issue_download_link(
    db: &sea_orm::DatabaseConnection,
    keys: &crate::auth::tokens::TokenKeys,
    actor: &crate::auth::Actor,
    path: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(String, chrono::DateTime<chrono::Utc>)> {
    let signed = crate::auth::links::sign(keys, path, actor.user_id, now)?;
    // The path without its query: filters may name people.
    let route = path.split('?').next().unwrap_or_default();
    let issued = crate::audit::Change::new("export.link_issued", "download", None)
        .fact("path", route)
        .fact("expires_at", signed.1.to_rfc3339());
    crate::audit::record_alone(db, issued).await?;
    Ok(signed)
}
