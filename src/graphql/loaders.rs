//! DataLoaders: fields that fan out over a list (a user's manager, team,
//! reports) are gathered into one query per kind. Built per request, so one
//! caller's cache never serves another.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::futures_util::future::BoxFuture;
use sea_orm::DatabaseConnection;
use tracing::Instrument;

use super::error::ApiError;
use crate::people::{self, Person, Team};
use crate::telemetry::{REQUEST_ID, current_request_id};

pub struct PersonLoader(pub DatabaseConnection);
pub struct TeamLoader(pub DatabaseConnection);
/// Keyed by manager id.
pub struct DirectReportsLoader(pub DatabaseConnection);

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

/// The loaders one request gets.
pub struct Loaders {
    pub person: DataLoader<PersonLoader>,
    pub team: DataLoader<TeamLoader>,
    pub direct_reports: DataLoader<DirectReportsLoader>,
}

impl Loaders {
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            person: DataLoader::new(PersonLoader(db.clone()), in_this_request()),
            team: DataLoader::new(TeamLoader(db.clone()), in_this_request()),
            direct_reports: DataLoader::new(DirectReportsLoader(db.clone()), in_this_request()),
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
