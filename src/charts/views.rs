//! The charts the API serves: each asks its capability for the view (which
//! checks the caller's reach), turns it into chart data and renders it.

use sea_orm::DatabaseConnection;

use super::{bars, data, heatmap, radar};
use crate::auth::{Actor, Locale};
use crate::error::{Error, Result};
use crate::framework::FrameworkStore;
use crate::{assessment, kpi, people};

async fn name_of(db: &DatabaseConnection, user_id: i64) -> Result<String> {
    people::people_by_ids(db, &[user_id])
        .await?
        .remove(&user_id)
        .map(|p| p.name)
        .ok_or(Error::NotFound("person"))
}

/// A person's profile in a cycle (their latest by default) as a radar.
pub async fn profile_radar(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    user_id: i64,
    cycle_id: Option<i64>,
    locale: Locale,
) -> Result<String> {
    let view = assessment::skill_profile(db, store, actor, user_id, cycle_id).await?;
    let name = name_of(db, user_id).await?;
    Ok(radar::render(&data::profile_radar(
        &view.framework,
        &view.profile,
        &name,
        &view.participant.career_level,
        locale,
    )))
}

/// A team's people × skills in a cycle as a heatmap.
pub async fn team_heatmap(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    team_id: i64,
    cycle_id: i64,
    locale: Locale,
) -> Result<String> {
    let view = assessment::team_skill_matrix(db, store, actor, team_id, cycle_id).await?;
    let team = people::find_team(db, team_id).await?;
    let ids: Vec<i64> = view.matrix.rows.iter().map(|(id, _)| *id).collect();
    let names = people::people_by_ids(db, &ids)
        .await?
        .into_iter()
        .map(|(id, p)| (id, p.name))
        .collect();
    Ok(heatmap::render(&data::team_heatmap(
        &view.framework,
        &view.matrix,
        &names,
        &team.name,
        locale,
    )))
}

/// A person's KPI attainment in a period as bars.
pub async fn kpi_attainment(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    user_id: i64,
    period: &str,
    locale: Locale,
) -> Result<String> {
    let perf = kpi::performance(db, store, actor, user_id, period).await?;
    let fw = store.current(db).await?;
    let name = name_of(db, user_id).await?;
    Ok(bars::render(&data::kpi_attainment(
        &fw, &perf, &name, locale,
    )))
}
