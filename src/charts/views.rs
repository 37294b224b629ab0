//! The charts the API serves: each asks its capability for the view (which
//! checks the caller's reach), turns it into chart data and renders it.

use sea_orm::DatabaseConnection;

use super::{bars, data, heatmap, radar};
use crate::auth::{Actor, Locale};
use crate::error::{Error, Result};
use crate::framework::FrameworkStore;
use crate::{advancement, assessment, certification, kpi, people};

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

/// What a chart of a team (or, without one, of everyone in reach) is titled.
async fn scope_name(
    db: &DatabaseConnection,
    team_id: Option<i64>,
    locale: Locale,
) -> Result<String> {
    Ok(match team_id {
        Some(team) => people::find_team(db, team).await?.name,
        None => match locale {
            Locale::En => "Everyone in reach".to_owned(),
            Locale::ZhCn => "可见范围内的全部人员".to_owned(),
        },
    })
}

/// Certification coverage per level as bars. Same reach as `certificationSummary`.
pub async fn certification_coverage(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    team_id: Option<i64>,
    locale: Locale,
) -> Result<String> {
    let filter = certification::CertificationFilter {
        team_id,
        ..Default::default()
    };
    let today = crate::clock::today();
    let summary = certification::certification_summary(db, store, actor, &filter, today).await?;
    let fw = store.current(db).await?;
    let scope = scope_name(db, team_id, locale).await?;
    Ok(bars::render(&data::certification_coverage(
        &fw,
        &summary.level_coverage,
        &scope,
        locale,
    )))
}

/// How readiness for the next move is spread across a team, as bars. Same
/// reach as `promotionReadiness`.
pub async fn readiness_distribution(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    team_id: Option<i64>,
    locale: Locale,
) -> Result<String> {
    let filter = advancement::ReadinessFilter {
        team_id,
        ..Default::default()
    };
    let today = crate::clock::today();
    let (_, ranked) = advancement::promotion_readiness(db, store, actor, &filter, today).await?;
    let best: Vec<_> = ranked.iter().map(|r| &r.best).collect();
    let scope = scope_name(db, team_id, locale).await?;
    Ok(bars::render(&data::readiness_distribution(
        &best, &scope, locale,
    )))
}
