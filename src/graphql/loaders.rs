//! DataLoaders: fields that fan out over a list (a user's manager, team,
//! reports) are gathered into one query per kind. Built per request, so one
//! caller's cache never serves another.
//!
//! A list of people looks ahead instead (`prefetch_people`): it reads what
//! its selection asks for beneath each person, concurrently and in its own
//! task, before the fields run. A loader batch is a spawned task started
//! after a timer (1 ms), once per kind and level; with the rows already in
//! hand the fields answer without either.

use std::collections::HashMap;
use std::sync::OnceLock;

use async_graphql::{Context, ID};

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::futures_util::future::BoxFuture;
use sea_orm::DatabaseConnection;
use tracing::Instrument;

use super::context::actor;
use super::error::{ApiError, parse_id};
use super::global_id::NodeType;
use crate::assessment::{self, SkillRatingsOf};
use crate::auth::{Actor, policy};
use crate::people::{self, Person, Team};
use crate::telemetry::{REQUEST_ID, current_request_id};

pub struct PersonLoader(pub DatabaseConnection);
pub struct TeamLoader(pub DatabaseConnection);
/// Keyed by manager id.
pub struct DirectReportsLoader(pub DatabaseConnection);
/// Keyed by (cycle id, person id): `User.ratings` over a page of people.
pub struct CycleRatingsLoader(pub DatabaseConnection);

impl Loader<i64> for PersonLoader {
    type Value = Person;
    type Error = ApiError;
    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Person>, ApiError> {
        Ok(people::people_by_ids(&self.0, keys).await?)
    }
}

impl Loader<i64> for TeamLoader {
    type Value = Team;
    type Error = ApiError;
    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Team>, ApiError> {
        Ok(people::teams_by_ids(&self.0, keys).await?)
    }
}

impl Loader<i64> for DirectReportsLoader {
    type Value = Vec<Person>;
    type Error = ApiError;
    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Vec<Person>>, ApiError> {
        Ok(people::direct_reports_of(&self.0, keys).await?)
    }
}

impl Loader<(i64, i64)> for CycleRatingsLoader {
    type Value = Vec<SkillRatingsOf>;
    type Error = ApiError;
    async fn load(
        &self,
        keys: &[(i64, i64)],
    ) -> Result<HashMap<(i64, i64), Vec<SkillRatingsOf>>, ApiError> {
        Ok(assessment::cycle_ratings_of(&self.0, keys).await?)
    }
}

/// The loaders one request gets.
pub struct Loaders {
    pub person: DataLoader<PersonLoader>,
    pub team: DataLoader<TeamLoader>,
    pub direct_reports: DataLoader<DirectReportsLoader>,
    pub cycle_ratings: DataLoader<CycleRatingsLoader>,
    db: DatabaseConnection,
    /// What a list of people read ahead for the fields beneath it. Only
    /// queries prefetch (their fields never write), so it cannot go stale
    /// within the request.
    prefetched: Prefetched,
}

#[derive(Default)]
struct Prefetched {
    people: OnceLock<HashMap<i64, Person>>,
    teams: OnceLock<HashMap<i64, Team>>,
    /// Every prefetched person as a key, with no one for those without reports.
    reports: OnceLock<HashMap<i64, Vec<Person>>>,
    /// (cycle, person) for every cycle asked and person whose records the caller may read.
    ratings: OnceLock<HashMap<(i64, i64), Vec<SkillRatingsOf>>>,
}

/// The fields selected beneath each person of a connection of people
/// (through `nodes` or `edges.node`).
#[derive(Debug, Default, Clone)]
pub struct NestedPeople {
    pub team: bool,
    pub manager: bool,
    pub direct_reports: bool,
    /// The cycles of `ratings(cycleId:)` selections, for the people whose
    /// records the caller may read (an id that does not parse is left to
    /// the field to refuse).
    pub ratings: Vec<i64>,
    readable: Option<Actor>,
}

impl NestedPeople {
    pub fn selected(ctx: &Context<'_>) -> Self {
        let ahead = ctx.look_ahead();
        let nodes = ahead.field("nodes");
        let edges = ahead.field("edges").field("node");
        let any = |name: &str| nodes.field(name).exists() || edges.field(name).exists();
        let mut ratings: Vec<i64> = [nodes.field("ratings"), edges.field("ratings")]
            .iter()
            .flat_map(|f| f.selection_fields())
            .filter_map(|f| f.arguments().ok())
            .flatten()
            .filter(|(name, _)| name.as_str() == "cycleId")
            .filter_map(|(_, value)| match value {
                async_graphql::Value::String(id) => {
                    parse_id(&ID(id), "cycleId", NodeType::AssessmentCycle).ok()
                }
                _ => None,
            })
            .collect();
        ratings.sort_unstable();
        ratings.dedup();
        Self {
            team: any("team"),
            manager: any("manager"),
            direct_reports: any("directReports"),
            ratings,
            readable: actor(ctx).ok().cloned(),
        }
    }
}

impl Loaders {
    /// Reads, for `people`, what `nested` selects, each kind in one statement
    /// and the kinds concurrently, so their fields answer from memory. A
    /// second list in the same request falls back to the loaders.
    pub async fn prefetch_people(
        &self,
        people: &[Person],
        nested: NestedPeople,
    ) -> Result<(), ApiError> {
        let ids = |pick: fn(&Person) -> Option<i64>| {
            let mut ids: Vec<i64> = people.iter().filter_map(pick).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let team_ids = ids(|p| p.team_id);
        let manager_ids = ids(|p| p.manager_id);
        let person_ids = ids(|p| Some(p.id));
        let rating_keys: Vec<(i64, i64)> = match &nested.readable {
            Some(actor) => nested
                .ratings
                .iter()
                .flat_map(|cycle| {
                    person_ids
                        .iter()
                        .filter(|id| policy::view_work(actor, **id).is_ok())
                        .map(|id| (*cycle, *id))
                })
                .collect(),
            None => Vec::new(),
        };
        let db = &self.db;
        let (teams, managers, reports, ratings) = tokio::try_join!(
            async {
                match nested.team && !team_ids.is_empty() {
                    true => people::teams_by_ids(db, &team_ids).await.map(Some),
                    false => Ok(None),
                }
            },
            async {
                match nested.manager && !manager_ids.is_empty() {
                    true => people::people_by_ids(db, &manager_ids).await.map(Some),
                    false => Ok(None),
                }
            },
            async {
                match nested.direct_reports && !person_ids.is_empty() {
                    true => people::direct_reports_of(db, &person_ids).await.map(Some),
                    false => Ok(None),
                }
            },
            async {
                match rating_keys.is_empty() {
                    false => assessment::cycle_ratings_of(db, &rating_keys)
                        .await
                        .map(Some),
                    true => Ok(None),
                }
            },
        )?;
        if let Some(ratings) = ratings {
            let _ = self.prefetched.ratings.set(ratings);
        }
        if let Some(teams) = teams {
            let _ = self.prefetched.teams.set(teams);
        }
        if let Some(managers) = managers {
            let _ = self.prefetched.people.set(managers);
        }
        if let Some(mut reports) = reports {
            for id in person_ids {
                reports.entry(id).or_default();
            }
            let _ = self.prefetched.reports.set(reports);
        }
        Ok(())
    }

    /// One person, read ahead or through the loader.
    pub async fn person(&self, id: i64) -> Result<Option<Person>, ApiError> {
        if let Some(p) = self.prefetched.people.get().and_then(|m| m.get(&id)) {
            return Ok(Some(p.clone()));
        }
        self.person.load_one(id).await
    }

    /// One team, read ahead or through the loader.
    pub async fn team(&self, id: i64) -> Result<Option<Team>, ApiError> {
        if let Some(t) = self.prefetched.teams.get().and_then(|m| m.get(&id)) {
            return Ok(Some(t.clone()));
        }
        self.team.load_one(id).await
    }

    /// A person's ratings of a cycle, read ahead or through the loader.
    pub async fn cycle_ratings(
        &self,
        cycle: i64,
        person: i64,
    ) -> Result<Vec<SkillRatingsOf>, ApiError> {
        if let Some(r) = self
            .prefetched
            .ratings
            .get()
            .and_then(|m| m.get(&(cycle, person)))
        {
            return Ok(r.clone());
        }
        Ok(self
            .cycle_ratings
            .load_one((cycle, person))
            .await?
            .unwrap_or_default())
    }

    /// A manager's direct reports, read ahead or through the loader.
    pub async fn direct_reports(&self, manager: i64) -> Result<Vec<Person>, ApiError> {
        if let Some(r) = self.prefetched.reports.get().and_then(|m| m.get(&manager)) {
            return Ok(r.clone());
        }
        Ok(self
            .direct_reports
            .load_one(manager)
            .await?
            .unwrap_or_default())
    }

    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            person: DataLoader::new(PersonLoader(db.clone()), in_this_request()),
            team: DataLoader::new(TeamLoader(db.clone()), in_this_request()),
            direct_reports: DataLoader::new(DirectReportsLoader(db.clone()), in_this_request()),
            cycle_ratings: DataLoader::new(CycleRatingsLoader(db.clone()), in_this_request()),
            db: db.clone(),
            prefetched: Prefetched::default(),
        }
    }
}

/// A spawner for loader batches that keeps the request's span, request id
/// and clock: a batch runs on a task of its own, which would otherwise log
/// (and report an internal error) with neither, and read the system time.
fn in_this_request() -> impl Fn(BoxFuture<'static, ()>) -> tokio::task::JoinHandle<()> {
    let span = tracing::Span::current();
    let request_id = current_request_id();
    let clock = crate::clock::current();
    move |batch| {
        let batch: BoxFuture<'static, ()> =
            Box::pin(clock.clone().scope(batch.instrument(span.clone())));
        match request_id.clone() {
            Some(id) => tokio::spawn(REQUEST_ID.scope(id, batch)),
            None => tokio::spawn(batch),
        }
    }
}
