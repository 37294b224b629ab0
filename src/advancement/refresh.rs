//! Bringing `person_readiness` up to date: find the stale rows of a scope,
//! score those people from their evidence, and store each row only if the
//! person's evidence has not moved since its version was read.
//!
//! A row is stale when it is missing, or was computed from another evidence
//! version (triggers bump it on every write scoring reads), another
//! framework version, or another day (readiness depends on today: months at
//! level, certificate expiry, which KPI periods have finished).
//!
//! Why the order of reads matters: the evidence version is read *before*
//! the evidence, so the evidence is at least as new as the version it is
//! tagged with. A write that lands in between bumps the version past the
//! tag and the row stays stale. The store's guard keeps a slow refresher,
//! which read before a write, from replacing the row a later refresher
//! stored after it: without it, a read that follows a committed write could
//! show the state before it.

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, JoinType, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, Value};

use super::scoring;
use crate::db::Conditions;
use crate::error::{Error, Result};
use crate::framework::Framework;

/// People scored per round: bounds the evidence held in memory at once
/// (a first read of the day refreshes a whole organisation).
pub const BATCH: usize = 1000;
/// Rows per upsert statement: 12 values each stays far below the
/// databases' limits on bound parameters.
const ROWS_PER_STATEMENT: usize = 250;

/// A person whose row is stale, with the evidence version read.
#[derive(Debug, Clone, Copy, FromQueryResult)]
pub struct Stale {
    pub id: i64,
    pub version: i64,
}

/// One person's row as scoring gives it, tagged with what it was computed from.
#[derive(Debug, Clone)]
pub struct Computed {
    pub user_id: i64,
    pub evidence_version: i64,
    framework_version: i64,
    computed_for: NaiveDate,
    best: Option<scoring::Candidate>,
}

/// Recomputes every stale row among `people` (a condition on `users u`), in
/// rounds of [`BATCH`] people in id order. Each person is looked at once per
/// call, so writes racing the refresh cannot keep it going.
pub async fn refresh_stale(
    db: &DatabaseConnection,
    fw: &Framework,
    people: Condition,
    today: NaiveDate,
) -> Result<usize> {
    let mut after = None;
    let mut stored = 0;
    loop {
        let stale = stale(db, fw, people.clone(), today, after).await?;
        let Some(last) = stale.last() else {
            return Ok(stored);
        };
        after = Some(last.id);
        let full = stale.len() == BATCH;
        let computed = compute(db, fw, &stale, today).await?;
        stored += store(db, &computed).await?;
        if !full {
            return Ok(stored);
        }
    }
}

/// Up to [`BATCH`] stale people among `people` with ids above `after`, each
/// with their evidence version as it is now.
pub async fn stale(
    db: &DatabaseConnection,
    fw: &Framework,
    people: Condition,
    today: NaiveDate,
    after: Option<i64>,
) -> Result<Vec<Stale>> {
    let version = Expr::cust("COALESCE(e.version, 0)");
    let outdated = Condition::any()
        .add(Expr::col(("r", "user_id")).is_null())
        .add(Expr::col(("r", "evidence_version")).ne(version.clone()))
        .add(Expr::col(("r", "framework_version")).ne(fw.version.id))
        .add(Expr::col(("r", "computed_for")).ne(today));
    let mut q = Query::select();
    q.expr_as(Expr::col(("u", "id")), Alias::new("id"))
        .expr_as(version, Alias::new("version"))
        .from_as("users", "u")
        .join_as(
            JoinType::LeftJoin,
            "readiness_evidence",
            "e",
            Expr::col(("e", "user_id")).equals(("u", "id")),
        )
        .join_as(
            JoinType::LeftJoin,
            "person_readiness",
            "r",
            Expr::col(("r", "user_id")).equals(("u", "id")),
        )
        .cond_where(people)
        .cond_where(outdated)
        .order_by(("u", "id"), Order::Asc)
        .limit(BATCH as u64);
    if let Some(after) = after {
        q.and_where(Expr::col(("u", "id")).gt(after));
    }
    Ok(
        Stale::find_by_statement(db.get_database_backend().build(&q))
            .all(db)
            .await?,
    )
}

/// Scores `people` from their evidence as it is now (read after their
/// versions were), with the same queries and scoring as a full computation.
pub async fn compute(
    db: &DatabaseConnection,
    fw: &Framework,
    people: &[Stale],
    today: NaiveDate,
) -> Result<Vec<Computed>> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    let mut these = Conditions::default();
    these.push_in("u.id", &ids);
    let snapshots = super::snapshots(db, fw, &these, today).await?;
    let versions: std::collections::HashMap<i64, i64> =
        people.iter().map(|p| (p.id, p.version)).collect();
    Ok(snapshots
        .iter()
        .filter_map(|p| {
            Some(Computed {
                user_id: p.user_id,
                evidence_version: *versions.get(&p.user_id)?,
                framework_version: fw.version.id,
                computed_for: today,
                best: scoring::next_moves(fw, p).into_iter().next(),
            })
        })
        .collect())
}

/// Stores computed rows. An existing row is replaced only while the
/// person's evidence version is still the one the row was computed from.
/// (Days are not compared: a row for another day is stale whichever way
/// the clock went, and a reader whose clock runs ahead must not lock the
/// others out.) Returns the rows written.
pub async fn store(db: &impl ConnectionTrait, rows: &[Computed]) -> Result<usize> {
    let mut written = 0;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut insert = Query::insert();
        insert.into_table("person_readiness").columns(COLUMNS);
        for row in chunk {
            insert.values_panic(values(row)?.map(Expr::val));
        }
        insert.on_conflict(
            OnConflict::column("user_id")
                .update_columns(COLUMNS.into_iter().skip(1))
                // A statement-level guard, not a parameter: the same words on
                // both databases, naming the proposed row `excluded`.
                .action_and_where(Expr::cust(
                    "COALESCE((SELECT e.version FROM readiness_evidence e \
                       WHERE e.user_id = excluded.user_id), 0) = excluded.evidence_version",
                ))
                .to_owned(),
        );
        let done = db.execute(&insert).await?;
        written += usize::try_from(done.rows_affected()).unwrap_or_default();
    }
    Ok(written)
}

const COLUMNS: [&str; 12] = [
    "user_id",
    "evidence_version",
    "framework_version",
    "computed_for",
    "rank_class",
    "progress",
    "kind_order",
    "to_role",
    "to_level",
    "readiness",
    "ready",
    "best_move",
];

fn values(row: &Computed) -> Result<[Value; 12]> {
    let best = row.best.as_ref();
    let json = best
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| Error::Internal(e.into()))?;
    Ok([
        row.user_id.into(),
        row.evidence_version.into(),
        row.framework_version.into(),
        row.computed_for.into(),
        best.map(|b| i16::from(b.class())).into(),
        best.map(|b| b.progress).into(),
        best.map(|b| i16::from(scoring::kind_order(b.kind))).into(),
        best.map(|b| b.to_role.clone()).into(),
        best.map(|b| b.to_level.clone()).into(),
        best.and_then(|b| b.readiness).into(),
        best.is_some_and(|b| b.ready()).into(),
        json.into(),
    ])
}
