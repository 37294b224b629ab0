//! A cycle's results counted by the database for a group of people: who
//! took part at which role and level, and how many of them the manager rated
//! at each level of each skill. The organisation's views (capability
//! maturity) need counts, not people, so a whole organisation's cycle comes
//! back as a few hundred rows instead of every rating.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, JoinType, Query, SelectStatement};
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::error::Result;

/// Whom a census counts: active people, optionally only in some teams
/// and/or among some people. The caller has decided who may be counted.
#[derive(Debug, Clone, Default)]
pub struct CensusScope {
    pub teams: Option<Vec<i64>>,
    pub people: Option<Vec<i64>>,
}

/// People of one role and level taking part in the cycle.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Participants {
    pub job_role: String,
    pub career_level: String,
    pub people: i64,
}

/// How many people of one role and level the manager rated at `level` in
/// `skill_key`; `someone` is one of them (the only one when `people` is 1).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct RatedAt {
    pub job_role: String,
    pub career_level: String,
    pub skill_key: String,
    pub level: i16,
    pub people: i64,
    pub someone: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Census {
    pub participants: Vec<Participants>,
    pub rated: Vec<RatedAt>,
}

/// Long id lists are counted in slices and the counts added up: counts and
/// minimums combine, and no database's bind-parameter limit is reached.
const IDS_PER_STATEMENT: usize = 5_000;

fn col(table: &str, column: &str) -> Expr {
    Expr::col((Alias::new(table), Alias::new(column)))
}

fn narrowed(
    mut query: SelectStatement,
    scope_teams: Option<&[i64]>,
    ids: Option<&[i64]>,
) -> SelectStatement {
    query.and_where(col("u", "active").eq(true));
    if let Some(teams) = scope_teams {
        query.and_where(col("u", "team_id").is_in(teams.iter().copied()));
    }
    if let Some(ids) = ids {
        query.and_where(col("u", "id").is_in(ids.iter().copied()));
    }
    query
}

fn participants_query(cycle_id: i64) -> SelectStatement {
    Query::select()
        .expr_as(col("p", "job_role"), Alias::new("job_role"))
        .expr_as(col("p", "career_level"), Alias::new("career_level"))
        .expr_as(Func::count(col("p", "user_id")), Alias::new("people"))
        .from_as(Alias::new("cycle_participants"), Alias::new("p"))
        .join_as(
            JoinType::InnerJoin,
            Alias::new("users"),
            Alias::new("u"),
            col("u", "id").equals((Alias::new("p"), Alias::new("user_id"))),
        )
        .and_where(col("p", "cycle_id").eq(cycle_id))
        .group_by_col((Alias::new("p"), Alias::new("job_role")))
        .group_by_col((Alias::new("p"), Alias::new("career_level")))
        .to_owned()
}

/// Manager ratings only: they are the agreed levels the team matrix shows.
fn rated_query(cycle_id: i64) -> SelectStatement {
    Query::select()
        .expr_as(col("p", "job_role"), Alias::new("job_role"))
        .expr_as(col("p", "career_level"), Alias::new("career_level"))
        .expr_as(col("r", "skill_key"), Alias::new("skill_key"))
        .expr_as(col("r", "level"), Alias::new("level"))
        .expr_as(Func::count(col("a", "subject_id")), Alias::new("people"))
        .expr_as(Func::min(col("a", "subject_id")), Alias::new("someone"))
        .from_as(Alias::new("assessments"), Alias::new("a"))
        .join_as(
            JoinType::InnerJoin,
            Alias::new("ratings"),
            Alias::new("r"),
            col("r", "assessment_id").equals((Alias::new("a"), Alias::new("id"))),
        )
        .join_as(
            JoinType::InnerJoin,
            Alias::new("cycle_participants"),
            Alias::new("p"),
            col("p", "cycle_id")
                .equals((Alias::new("a"), Alias::new("cycle_id")))
                .and(col("p", "user_id").equals((Alias::new("a"), Alias::new("subject_id")))),
        )
        .join_as(
            JoinType::InnerJoin,
            Alias::new("users"),
            Alias::new("u"),
            col("u", "id").equals((Alias::new("a"), Alias::new("subject_id"))),
        )
        .and_where(col("a", "cycle_id").eq(cycle_id))
        .and_where(col("a", "kind").eq("MANAGER"))
        .and_where(col("a", "status").eq("SUBMITTED"))
        .group_by_col((Alias::new("p"), Alias::new("job_role")))
        .group_by_col((Alias::new("p"), Alias::new("career_level")))
        .group_by_col((Alias::new("r"), Alias::new("skill_key")))
        .group_by_col((Alias::new("r"), Alias::new("level")))
        .to_owned()
}

/// The cycle's participants and manager ratings within `scope`, counted:
/// two statements (per 5,000 listed people).
pub async fn cycle_census(
    db: &impl ConnectionTrait,
    cycle_id: i64,
    scope: &CensusScope,
) -> Result<Census> {
    let backend = db.get_database_backend();
    let slices: Vec<Option<&[i64]>> = match &scope.people {
        None => vec![None],
        Some(ids) if ids.is_empty() => return Ok(Census::default()),
        Some(ids) => ids.chunks(IDS_PER_STATEMENT).map(Some).collect(),
    };
    let teams = scope.teams.as_deref();
    let mut census = Census::default();
    for ids in slices {
        let query = narrowed(participants_query(cycle_id), teams, ids);
        census.participants.extend(
            Participants::find_by_statement(backend.build(&query))
                .all(db)
                .await?,
        );
        let query = narrowed(rated_query(cycle_id), teams, ids);
        census.rated.extend(
            RatedAt::find_by_statement(backend.build(&query))
                .all(db)
                .await?,
        );
    }
    Ok(census)
}

/// The cycle a census reads and the closed cycle before it, to compare
/// with: `cycle_id`, or the newest closed cycle when none is given (none
/// while no cycle has closed). One statement: cycles are few.
pub async fn cycle_and_previous(
    db: &impl ConnectionTrait,
    cycle_id: Option<i64>,
) -> Result<(Option<super::Cycle>, Option<super::Cycle>)> {
    use sea_orm::{EntityTrait, QueryOrder};

    use crate::db::entities::assessment_cycle;

    let cycles = assessment_cycle::Entity::find()
        .order_by_desc(assessment_cycle::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(super::Cycle::try_from)
        .collect::<Result<Vec<_>>>()?;
    let closed = |c: &&super::Cycle| c.status == super::CycleStatus::Closed;
    let chosen = match cycle_id {
        Some(id) => Some(
            cycles
                .iter()
                .find(|c| c.id == id)
                .ok_or(crate::error::Error::NotFound("assessment cycle"))?,
        ),
        None => cycles.iter().find(closed),
    };
    let Some(chosen) = chosen else {
        return Ok((None, None));
    };
    // Ids grow with creation: the previous cycle is the newest closed one
    // opened before this one.
    let previous = cycles.iter().filter(|c| c.id < chosen.id).find(closed);
    Ok((Some(chosen.clone()), previous.cloned()))
}
