//! Who the caller is, for every request: their account (one statement) and
//! everyone below them in the reporting lines.
//!
//! The reach of a head of operations is the whole organisation, and walking
//! the tree on every request made `me` cost more the larger the team. So
//! each process keeps the last reach it computed per manager, tagged with the
//! organisation's version: a counter that database triggers bump whenever a
//! reporting line can have changed (a person added or removed, a manager
//! changed; migration `m000080_org_version`). A request reads the version
//! with the account row, and reuses the reach only if the version still
//! matches, so a move made through another replica, an import or plain SQL
//! is seen by the next request everywhere.

use std::collections::HashMap;
use std::sync::Mutex;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, FromQueryResult, QueryFilter, QuerySelect};

use super::reports_of;
use super::rows::{PersonRow, select_people};
use crate::auth::{Actor, Reports, Role};
use crate::db::entities::user;
use crate::error::Result;

/// Enough for every manager of a large organisation; past it the cache starts
/// over rather than grow without bound.
const MAX_MANAGERS: usize = 20_000;

/// The reach computed per manager, with the organisation version it holds for.
#[derive(Debug, Default)]
pub struct ReachCache {
    by_manager: Mutex<HashMap<i64, (i64, Reports)>>,
}

impl ReachCache {
    fn get(&self, manager: i64, version: i64) -> Option<Reports> {
        let cached = self.by_manager.lock().ok()?;
        match cached.get(&manager) {
            Some((at, reports)) if *at == version => Some(reports.clone()),
            _ => None,
        }
    }

    fn put(&self, manager: i64, version: i64, reports: Reports) {
        if let Ok(mut cached) = self.by_manager.lock() {
            if cached.len() >= MAX_MANAGERS && !cached.contains_key(&manager) {
                cached.clear();
            }
            cached.insert(manager, (version, reports));
        }
    }
}

#[derive(FromQueryResult)]
struct ActorRow {
    #[sea_orm(nested)]
    person: PersonRow,
    org_version: i64,
}

/// The caller behind a verified token, if the account exists and is active.
pub async fn load_actor(
    db: &DatabaseConnection,
    cache: &ReachCache,
    user_id: i64,
) -> Result<Option<Actor>> {
    let Some(row) = select_people()
        .column_as(
            Expr::cust("(SELECT version FROM org_version WHERE id = 1)"),
            "org_version",
        )
        .filter(user::Column::Id.eq(user_id))
        .into_model::<ActorRow>()
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let person = super::Person::try_from(row.person)?;
    if !person.active {
        return Ok(None);
    }
    // HR and admins see everyone: no tree to walk.
    let reports = if matches!(person.role, Role::Hr | Role::Admin) {
        Reports::default()
    } else if let Some(reports) = cache.get(person.id, row.org_version) {
        reports
    } else {
        // Read after the version: if the organisation changes in between,
        // the cached entry is already stale and the next request recomputes.
        let reports: Reports = reports_of(db, person.id).await?.0.into_iter().collect();
        cache.put(person.id, row.org_version, reports.clone());
        reports
    };
    Ok(Some(Actor {
        user_id: person.id,
        role: person.role,
        manager_id: person.manager_id,
        team_id: person.team_id,
        locale: person.locale,
        reports,
    }))
}
