//! The readiness read model (#14): ranking the organisation reads a page of
//! `person_readiness`, where each person's best next move is kept as scoring
//! gave it. A read first recomputes the rows in its scope that went stale
//! (see `refresh`), then counts and pages in SQL, in the ranking's order.
//!
//! The rows equal what scoring everyone afresh gives
//! ([`promotion_readiness_computed`](super::promotion_readiness_computed));
//! tests compare the two after random writes.

use std::ops::Range;
use std::sync::Arc;

use chrono::NaiveDate;
use sea_orm::sea_query::{
    Alias, Cond, Condition, Expr, ExprTrait, JoinType, Order, Query, SelectStatement,
};
use sea_orm::{DatabaseConnection, FromQueryResult};

use super::refresh;
use super::{ReadinessFilter, ReadinessRow};
use crate::auth::Actor;
use crate::auth::policy::{self, PeopleScope};
use crate::error::{Error, Result};
use crate::framework::{Framework, FrameworkStore};

/// Everyone in one reader's reach that a filter selects, with their rows
/// brought up to date for `today`.
pub struct ReadinessScope {
    pub framework: Arc<Framework>,
    people: Condition,
    ranked: Condition,
}

/// The people of a readiness read: active, placed in the framework, within
/// the reader's reach and the filter's team, role and level.
pub(super) async fn people_condition(
    db: &DatabaseConnection,
    scope: &PeopleScope,
    filter: &ReadinessFilter,
    except: Option<i64>,
) -> Result<Condition> {
    let mut people = Cond::all()
        .add(Expr::col(("u", "active")).eq(true))
        .add(Expr::col(("u", "job_role")).is_not_null())
        .add(Expr::col(("u", "career_level")).is_not_null());
    if let PeopleScope::Only(ids) = scope {
        people = people.add(Expr::col(("u", "id")).is_in(ids.iter().copied()));
    }
    if let Some(me) = except {
        people = people.add(Expr::col(("u", "id")).ne(me));
    }
    if let Some(team) = filter.team_id {
        let teams = crate::people::team_subtree(db, team).await?;
        if teams.is_empty() {
            return Err(Error::NotFound("team"));
        }
        people = people.add(Expr::col(("u", "team_id")).is_in(teams));
    }
    if let Some(role) = &filter.job_role {
        people = people.add(Expr::col(("u", "job_role")).eq(role.as_str()));
    }
    if let Some(level) = &filter.career_level {
        people = people.add(Expr::col(("u", "career_level")).eq(level.as_str()));
    }
    Ok(people)
}

/// Refreshes what is stale in reach of `actor` under `filter`, and returns
/// the scope to count and page.
pub async fn readiness_scope(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    filter: &ReadinessFilter,
    today: NaiveDate,
) -> Result<ReadinessScope> {
    policy::team_views(actor)?;
    let framework = store.current(db).await?;
    // A manager ranks their reports, not themselves.
    let except = (!actor.sees_everyone()).then_some(actor.user_id);
    let people = people_condition(db, &policy::work_scope(actor), filter, except).await?;
    refresh::refresh_stale(db, &framework, people.clone(), today).await?;
    let mut ranked = Cond::all().add(Expr::col(("r", "rank_class")).is_not_null());
    if let Some(min) = filter.min_readiness {
        ranked = ranked.add(Expr::col(("r", "readiness")).gte(min));
    }
    if filter.only_ready {
        ranked = ranked.add(Expr::col(("r", "ready")).eq(true));
    }
    Ok(ReadinessScope {
        framework,
        people,
        ranked,
    })
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

#[derive(FromQueryResult)]
struct StoredMove {
    user_id: i64,
    best_move: String,
}

#[derive(FromQueryResult)]
struct StoredScore {
    user_id: i64,
    readiness: Option<f64>,
}

impl ReadinessScope {
    fn select(&self) -> SelectStatement {
        Query::select()
            .from_as("users", "u")
            .join_as(
                JoinType::InnerJoin,
                "person_readiness",
                "r",
                Expr::col(("r", "user_id")).equals(("u", "id")),
            )
            .cond_where(self.people.clone())
            .cond_where(self.ranked.clone())
            .to_owned()
    }

    /// The ranking's order: the same as `scoring::compare`, then the person.
    fn ordered(mut q: SelectStatement) -> SelectStatement {
        q.order_by(("r", "rank_class"), Order::Asc)
            .order_by(("r", "progress"), Order::Desc)
            .order_by(("r", "kind_order"), Order::Asc)
            .order_by(("r", "to_role"), Order::Asc)
            .order_by(("r", "to_level"), Order::Asc)
            .order_by(("u", "id"), Order::Asc);
        q
    }

    /// How many people are ranked.
    pub async fn count(&self, db: &DatabaseConnection) -> Result<usize> {
        let q = self
            .select()
            .expr_as(Expr::col(("u", "id")).count(), Alias::new("n"))
            .to_owned();
        let n = Count::find_by_statement(db.get_database_backend().build(&q))
            .one(db)
            .await?
            .map_or(0, |c| c.n);
        Ok(usize::try_from(n).unwrap_or_default())
    }

    /// The ranked people at `range` of the ranking (all when none).
    pub async fn rows(
        &self,
        db: &DatabaseConnection,
        range: Option<Range<usize>>,
    ) -> Result<Vec<ReadinessRow>> {
        let mut q = Self::ordered(self.select());
        q.expr_as(Expr::col(("u", "id")), Alias::new("user_id"))
            .column(("r", "best_move"));
        if let Some(range) = range {
            q.offset(range.start as u64).limit(range.len() as u64);
        }
        let stored = StoredMove::find_by_statement(db.get_database_backend().build(&q))
            .all(db)
            .await?;
        stored
            .into_iter()
            .map(|s| {
                let best = serde_json::from_str(&s.best_move).map_err(|e| {
                    Error::Internal(anyhow::anyhow!(
                        "stored readiness of person {} does not read back: {e}",
                        s.user_id
                    ))
                })?;
                Ok(ReadinessRow {
                    user_id: s.user_id,
                    best,
                })
            })
            .collect()
    }

    /// Everyone ranked with only their readiness, in the ranking's order:
    /// what the talent review needs, without reading the moves.
    pub async fn scores(&self, db: &DatabaseConnection) -> Result<Vec<(i64, Option<f64>)>> {
        let mut q = Self::ordered(self.select());
        q.expr_as(Expr::col(("u", "id")), Alias::new("user_id"))
            .column(("r", "readiness"));
        Ok(
            StoredScore::find_by_statement(db.get_database_backend().build(&q))
                .all(db)
                .await?
                .into_iter()
                .map(|s| (s.user_id, s.readiness))
                .collect(),
        )
    }
}

/// Everyone in reach (a manager's reports, or anyone for HR), ranked by
/// readiness for their best next move: for downloads and charts, which show
/// the whole list.
pub async fn promotion_readiness(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    filter: &ReadinessFilter,
    today: NaiveDate,
) -> Result<(Arc<Framework>, Vec<ReadinessRow>)> {
    let scope = readiness_scope(db, store, actor, filter, today).await?;
    let rows = scope.rows(db, None).await?;
    Ok((scope.framework, rows))
}

/// Refreshes every stale row of the organisation: the housekeeping job runs
/// it so that the first read of a day (when every row has gone stale) does
/// not pay for scoring everyone. Returns the rows written.
pub async fn refresh_everyone(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    today: NaiveDate,
) -> Result<usize> {
    let framework = store.current(db).await?;
    let everyone = people_condition(
        db,
        &PeopleScope::Everyone,
        &ReadinessFilter::default(),
        None,
    )
    .await?;
    refresh::refresh_stale(db, &framework, everyone, today).await
}
