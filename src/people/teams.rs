//! Teams nest: a team may have a parent team.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use crate::audit::{self, Change};
use crate::auth::policy::AccountAdmin;
use crate::db::{self, entities::team};
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
}

impl From<team::Model> for Team {
    fn from(row: team::Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            parent_id: row.parent_id,
        }
    }
}

pub(crate) fn parse_team_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "is required"));
    }
    if name.chars().count() > 120 {
        return Err(Error::invalid("name", "must be at most 120 characters"));
    }
    Ok(name.to_owned())
}

pub async fn create_team(
    db: &DatabaseConnection,
    _admin: &AccountAdmin,
    name: &str,
    parent_id: Option<i64>,
) -> Result<Team> {
    let name = parse_team_name(name)?;
    if let Some(parent) = parent_id
        && !team_exists(db, parent).await?
    {
        return Err(Error::invalid("parentId", "no such team"));
    }
    let txn = db::begin_write(db).await?;
    let row = team::ActiveModel {
        name: Set(name),
        parent_id: Set(parent_id),
        created_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let created = Change::new("team.create", "team", row.id).diff(None, Some(&row));
    audit::commit(txn, [created]).await?;
    Ok(row.into())
}

/// Renames and/or moves a team; moving a team under itself or one of its
/// sub-teams is refused.
pub async fn update_team(
    db: &DatabaseConnection,
    _admin: &AccountAdmin,
    id: i64,
    name: Option<&str>,
    parent_id: Option<Option<i64>>,
) -> Result<Team> {
    let txn = db::begin_write(db).await?;
    let current = team::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("team"))?;
    let before = current.clone();
    let mut row: team::ActiveModel = current.into();
    if let Some(name) = name {
        row.name = Set(parse_team_name(name)?);
    }
    if let Some(parent) = parent_id {
        if let Some(parent) = parent {
            if !team_exists(&txn, parent).await? {
                return Err(Error::invalid("parentId", "no such team"));
            }
            if team_subtree(&txn, id).await?.contains(&parent) {
                return Err(Error::invalid(
                    "parentId",
                    "a team cannot sit inside itself",
                ));
            }
        }
        row.parent_id = Set(parent);
    }
    let row = row.update(&txn).await?;
    let updated = Change::new("team.update", "team", id).diff(Some(&before), Some(&row));
    audit::commit(txn, [updated]).await?;
    Ok(row.into())
}

pub async fn list_teams(db: &DatabaseConnection) -> Result<Vec<Team>> {
    let rows = team::Entity::find()
        .order_by_asc(team::Column::Name)
        .order_by_asc(team::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Team::from).collect())
}

pub async fn find_team(db: &DatabaseConnection, id: i64) -> Result<Team> {
    team::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Team::from)
        .ok_or(Error::NotFound("team"))
}

pub async fn teams_by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> Result<HashMap<i64, Team>> {
    let rows = team::Entity::find()
        .filter(team::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.id, Team::from(r))).collect())
}

pub(crate) async fn team_exists(db: &impl ConnectionTrait, id: i64) -> Result<bool> {
    Ok(team::Entity::find_by_id(id).count(db).await? > 0)
}

#[derive(FromQueryResult)]
struct IdRow {
    id: i64,
}

/// The team and every team nested below it, in one recursive query. Raw SQL
/// on purpose: a recursive CTE both databases accept is not something
/// sea-orm's builders say; `db::statement` places the parameter per database.
pub async fn team_subtree(db: &impl ConnectionTrait, team_id: i64) -> Result<Vec<i64>> {
    let sql = "WITH RECURSIVE tree(id) AS ( \
                 SELECT id FROM teams WHERE id = $1 \
                 UNION SELECT t.id FROM teams t JOIN tree ON t.parent_id = tree.id \
               ) SELECT id FROM tree";
    let stmt = db::statement(db.get_database_backend(), sql, [team_id.into()]);
    Ok(IdRow::find_by_statement(stmt)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// The active people among `teams` and/or `among` (both optional), by id.
/// One statement; the caller has decided whom it may count.
pub async fn active_member_ids(
    db: &impl ConnectionTrait,
    teams: Option<&[i64]>,
    among: Option<&[i64]>,
) -> Result<Vec<i64>> {
    use crate::db::entities::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

    let mut query = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Id);
    if let Some(teams) = teams {
        query = query.filter(user::Column::TeamId.is_in(teams.iter().copied()));
    }
    let ids: Vec<i64> = query.into_tuple().all(db).await?;
    Ok(match among {
        // Filtered here rather than bound: a manager's reach can be long.
        Some(among) => ids
            .into_iter()
            .filter(|id| among.binary_search(id).is_ok())
            .collect(),
        None => ids,
    })
}
