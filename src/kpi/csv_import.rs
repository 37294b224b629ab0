//! Bulk import of KPI actuals from CSV:
//!
//! ```text
//! email,period,kpi,value,note
//! ada@example.com,2026-Q4,new_users,1250,October campaign
//! ```
//!
//! Every row is checked before anything is written; one bad row rejects the
//! whole file, and every bad row is reported with its row number.

use crate::graphql::limits::MAX_FREE_TEXT_CHARS;
use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::Period;
use crate::audit::{self, Change};
use crate::auth::{Actor, policy};
use crate::db::entities::{kpi_actual, user};
use crate::db::{self};
use crate::error::{Error, Problems, Result};
use crate::framework::FrameworkStore;
use crate::people::Email;

/// Files larger than this are refused before parsing.
pub const MAX_ROWS: usize = 50_000;

struct Row {
    line: usize,
    email: String,
    period: String,
    kpi: String,
    value: f64,
    note: Option<String>,
}

pub async fn import_actuals(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    text: &str,
) -> Result<usize> {
    let fw = store.current(db).await?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::invalid("csv", format!("unreadable header: {e}")))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let column = |name: &str| header.iter().position(|h| h == name);
    let (Some(c_email), Some(c_period), Some(c_kpi), Some(c_value)) = (
        column("email"),
        column("period"),
        column("kpi"),
        column("value"),
    ) else {
        return Err(Error::invalid(
            "csv",
            "the header must name the columns email, period, kpi, value (and optionally note)",
        ));
    };
    let c_note = column("note");

    let mut problems = Problems::new();
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        // Line 1 is the header.
        let line = index + 2;
        if rows.len() >= MAX_ROWS {
            return Err(Error::invalid(
                "csv",
                format!("at most {MAX_ROWS} rows per file"),
            ));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.add(format!("row {line}"), format!("unreadable: {e}"));
                continue;
            }
        };
        let get = |c: usize| record.get(c).unwrap_or_default().to_owned();
        let mut ok = true;
        let email = match Email::parse(&get(c_email)) {
            Ok(e) => e.to_string(),
            Err(_) => {
                problems.add(
                    format!("row {line}, email"),
                    format!("{:?} is not an email address", get(c_email)),
                );
                ok = false;
                String::new()
            }
        };
        let period = match Period::parse(&get(c_period)) {
            Ok(p) => p.to_string(),
            Err(_) => {
                problems.add(
                    format!("row {line}, period"),
                    format!(
                        "{:?} is not a period: use 2026, 2026-Q4 or 2026-11",
                        get(c_period)
                    ),
                );
                ok = false;
                String::new()
            }
        };
        let kpi = get(c_kpi);
        if fw.kpi(&kpi).is_none() {
            problems.add(format!("row {line}, kpi"), format!("unknown KPI {kpi:?}"));
            ok = false;
        }
        let value = match get(c_value).parse::<f64>() {
            Ok(v) if super::check_value(v, "value").is_ok() => v,
            _ => {
                problems.add(
                    format!("row {line}, value"),
                    format!(
                        "{:?} is not a number between -{max:e} and {max:e}",
                        get(c_value),
                        max = super::attainment::MAX_MAGNITUDE
                    ),
                );
                ok = false;
                0.0
            }
        };
        let note = c_note.map(get).filter(|n| !n.is_empty());
        // The document's bound is not a note's: a note keeps the rule it has
        // in `recordKpiActual` (free text: line breaks and tabs only).
        if let Some(note) = &note
            && (note.chars().count() > MAX_FREE_TEXT_CHARS
                || note
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t'))
        {
            problems.add(
                format!("row {line}, note"),
                format!(
                    "must be at most {MAX_FREE_TEXT_CHARS} characters, without control characters"
                ),
            );
            ok = false;
        }
        if ok {
            rows.push(Row {
                line,
                email,
                period,
                kpi,
                value,
                note,
            });
        }
    }
    if rows.is_empty() && problems.is_empty() {
        return Err(Error::invalid("csv", "the file has no rows"));
    }

    // Resolve the addresses (in chunks: databases bound the number of
    // parameters), then check each person is in reach. Unknown and
    // out-of-reach addresses get the same answer, so an import cannot be
    // used to learn who has an account.
    let mut emails: Vec<String> = rows.iter().map(|r| r.email.clone()).collect();
    emails.sort_unstable();
    emails.dedup();
    let mut people: HashMap<String, (i64, bool)> = HashMap::new();
    for chunk in emails.chunks(1000) {
        for u in user::Entity::find()
            .filter(user::Column::Email.is_in(chunk.iter().cloned()))
            .all(db)
            .await?
        {
            people.insert(u.email, (u.id, u.active));
        }
    }
    let mut resolved = Vec::with_capacity(rows.len());
    for row in rows {
        match people.get(&row.email) {
            Some((id, true)) if policy::manage_person(actor, *id).is_ok() => {
                resolved.push((*id, row))
            }
            _ => problems.add(
                format!("row {}, email", row.line),
                format!("{} is not someone whose KPIs you record", row.email),
            ),
        }
    }
    problems.into_result()?;

    let now = crate::clock::now();
    let count = resolved.len();
    let txn = db::begin_write(db).await?;
    for chunk in resolved.chunks(1000) {
        kpi_actual::Entity::insert_many(chunk.iter().map(|(id, row)| kpi_actual::ActiveModel {
            user_id: Set(*id),
            period: Set(row.period.clone()),
            kpi_key: Set(row.kpi.clone()),
            value: Set(row.value),
            note: Set(row.note.clone()),
            source: Set("CSV".into()),
            recorded_by: Set(Some(actor.user_id)),
            recorded_at: Set(now),
            ..Default::default()
        }))
        .exec(&txn)
        .await?;
    }
    // One entry per reading, on the import's behalf: each is about a person.
    let trail = resolved.iter().map(|(id, row)| {
        Change::new("actual.record", "kpi_actual", None)
            .about(*id)
            .via("import")
            .fact("period", &row.period)
            .fact("kpi_key", &row.kpi)
            .fact("value", row.value)
            .fact("note", &row.note)
    });
    audit::commit(txn, trail.collect::<Vec<_>>()).await?;
    tracing::info!(
        rows = count,
        user_id = actor.user_id,
        "KPI actuals imported"
    );
    Ok(count)
}
