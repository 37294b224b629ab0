//! Loading the organisation from an HR system's file: every row is checked
//! against the database and the framework first, a plan of changes is made,
//! and the plan is applied in one transaction, or nothing is. The plan is a
//! pure function of the file and a snapshot, so a dry run answers exactly
//! what the real run does, and the same file twice plans nothing.
//!
//! People are recognised by employee id when the file gives one, else by
//! email. Teams are given as paths (`运营中心/用户运营/社群组`) and created as
//! needed; managers by email or employee id, in the file or already known.

mod apply;
mod plan;
mod rows;

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::import_file::{Column, PeopleFile, RawRow};
use super::{Email, parse_team_name};
use crate::audit::{self, Change};
use crate::auth::policy::AccountAdmin;
use crate::auth::{Actor, Locale, Role};
use crate::db::{
    self,
    entities::{team, user},
};
use crate::error::{Error, Problem, Problems, Result};
use crate::framework::{Framework, check_position};

/// What the caller asks for besides the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
    /// Deactivate active people the file does not list (admins and the
    /// caller excepted).
    pub deactivate_missing: bool,
    /// Queue an invitation for each person created.
    pub invite: bool,
}

/// One problem with one row of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: usize,
    pub column: &'static str,
    pub message: String,
}

impl RowProblem {
    fn problem(&self) -> Problem {
        Problem::new(format!("row {} {}", self.row, self.column), &self.message)
    }
}

/// What an import changes (or, on a dry run, would change), by email.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub applied: bool,
    pub rows: usize,
    pub created: Vec<String>,
    /// Details changed (name, role, position, language, reactivation).
    pub updated: Vec<String>,
    /// Team or manager changed (possibly with other details).
    pub moved: Vec<String>,
    pub deactivated: Vec<String>,
    pub unchanged: usize,
    pub teams_created: Vec<String>,
    pub invited: usize,
    pub problems: Vec<RowProblem>,
}

use self::apply::*;
use self::plan::*;
use self::rows::*;

/// Any fixed number: the key of the import's PostgreSQL advisory lock.
const IMPORT_LOCK: i64 = 0x5_4b11_1a7b_0002;

/// Imports a people file on behalf of `actor` (HR or admin). A dry run, or a
/// file with problems, writes nothing; otherwise everything is applied in
/// one transaction. Two imports never interleave: on PostgreSQL the second
/// waits for a transaction-scoped advisory lock, on SQLite for the write
/// lock `begin_write` takes, and then plans against what the first wrote.
pub async fn import_people(
    db: &DatabaseConnection,
    fw: &Framework,
    admin: &AccountAdmin,
    file: &PeopleFile,
    options: ImportOptions,
) -> Result<ImportReport> {
    let actor = admin.by();
    if options.dry_run {
        let snap = snapshot(db).await?;
        return Ok(plan(file, &snap, fw, actor, options).report);
    }
    let txn = db::begin_write(db).await?;
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_raw(db::statement(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [IMPORT_LOCK.into()],
        ))
        .await?;
    }
    let snap = snapshot(&txn).await?;
    let plan = plan(file, &snap, fw, actor, options);
    if !plan.report.problems.is_empty() {
        return Err(Error::Invalid(
            plan.report
                .problems
                .iter()
                .map(RowProblem::problem)
                .collect(),
        ));
    }
    let touched: Vec<i64> = plan
        .updates
        .iter()
        .map(|u| u.user_id)
        .chain(plan.deactivate.iter().copied())
        .collect();
    let before = users_by_id(&txn, &touched).await?;
    let created = apply(&txn, &snap, &plan, actor, options).await?;
    let trail = import_trail(&txn, &plan, before, created).await?;
    audit::commit(txn, trail).await?;
    let mut report = plan.report;
    report.applied = true;
    tracing::info!(
        created = report.created.len(),
        moved = report.moved.len(),
        updated = report.updated.len(),
        deactivated = report.deactivated.len(),
        "people imported"
    );
    Ok(report)
}

impl From<&ImportReport> for Problems {
    fn from(report: &ImportReport) -> Self {
        let mut problems = Problems::new();
        for p in &report.problems {
            let p = p.problem();
            problems.add(p.field, p.message);
        }
        problems
    }
}
