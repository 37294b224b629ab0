//! The organisation's view of its people across teams: rating calibration
//! (which managers rate more generously or more severely than their peers).
//! Domain rules live in pure submodules; this module reads the data within
//! the caller's reach and hands it to them.

pub mod calibration;
pub mod graphql;
pub mod nine_box;

use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult};

use chrono::NaiveDate;

use self::calibration::{ManagerCalibration, RatingFact, Source};
use self::nine_box::{Cuts, Placement};
use crate::auth::{Actor, policy};
use crate::config::Settings;
use crate::error::Result;
use crate::framework::FrameworkStore;

#[derive(FromQueryResult)]
struct Row {
    subject_id: i64,
    assessor_id: i64,
    kind: String,
    job_role: String,
    career_level: String,
    skill_key: String,
    level: i16,
}

/// Every counting rating of a cycle, in one statement.
async fn rating_facts(db: &impl ConnectionTrait, cycle_id: i64) -> Result<Vec<RatingFact>> {
    let sql = "SELECT a.subject_id, a.assessor_id, a.kind, p.job_role, p.career_level, \
                      r.skill_key, r.level \
               FROM assessments a \
               JOIN ratings r ON r.assessment_id = a.id \
               JOIN cycle_participants p ON p.cycle_id = a.cycle_id AND p.user_id = a.subject_id \
               WHERE a.cycle_id = $1 AND a.status = 'SUBMITTED'";
    let rows = Row::find_by_statement(crate::db::statement(
        db.get_database_backend(),
        sql,
        [cycle_id.into()],
    ))
    .all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let source = match r.kind.as_str() {
                "SELF" => Source::SelfRating,
                "MANAGER" => Source::Manager,
                "PEER" => Source::Peer,
                _ => return None,
            };
            Some(RatingFact {
                subject: r.subject_id,
                assessor: r.assessor_id,
                source,
                role: r.job_role,
                level: r.career_level,
                skill: r.skill_key,
                rating: u8::try_from(r.level).unwrap_or_default(),
            })
        })
        .collect())
}

/// How each manager of a cycle rates compared with self, peers and other
/// managers of the same roles and levels. Every manager's ratings are
/// compared with everyone's, but a manager sees only the managers in their
/// reach (themselves and managers below them); HR sees all.
pub async fn rating_calibration(
    db: &DatabaseConnection,
    actor: &Actor,
    cycle_id: i64,
) -> Result<Vec<ManagerCalibration>> {
    policy::team_views(actor)?;
    crate::assessment::find_cycle(db, cycle_id).await?;
    let facts = rating_facts(db, cycle_id).await?;
    let scope = policy::work_scope(actor);
    Ok(calibration::calibrate(&facts)
        .into_iter()
        .filter(|c| scope.contains(c.manager))
        .collect())
}

/// A talent review: everyone in reach on a path (a manager's reports, or
/// anyone for HR), placed by their KPI score for `period` and their
/// readiness for their best next move.
pub struct TalentReview {
    pub period: String,
    pub performance_cuts: Cuts,
    pub potential_cuts: Cuts,
    pub placements: Vec<Placement>,
}

pub async fn talent_review(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    settings: &Settings,
    actor: &Actor,
    period: &str,
    team_id: Option<i64>,
    today: NaiveDate,
) -> Result<TalentReview> {
    let period = crate::kpi::Period::parse(period)?.to_string();
    let filter = crate::advancement::ReadinessFilter {
        team_id,
        ..Default::default()
    };
    // Asks the policy, and reads only people in reach.
    let (fw, ranked) =
        crate::advancement::promotion_readiness(db, store, actor, &filter, today).await?;
    let ids: Vec<i64> = ranked.iter().map(|r| r.user_id).collect();
    let scores: std::collections::HashMap<i64, Option<f64>> =
        crate::kpi::evaluate_many(db, &fw, ids.clone(), &period)
            .await?
            .into_iter()
            .map(|p| (p.user_id, p.score))
            .collect();
    let people = crate::people::people_by_ids(db, &ids).await?;
    let [medium, high] = settings.talent_performance_cuts;
    let performance_cuts = Cuts {
        medium_from: medium,
        high_from: high,
    };
    let [medium, high] = settings.talent_potential_cuts;
    let potential_cuts = Cuts {
        medium_from: medium,
        high_from: high,
    };
    let placements = ranked
        .iter()
        .map(|r| {
            Placement::new(
                r.user_id,
                people.get(&r.user_id).and_then(|p| p.team_id),
                scores.get(&r.user_id).copied().flatten(),
                r.best.readiness,
                performance_cuts,
                potential_cuts,
            )
        })
        .collect();
    Ok(TalentReview {
        period,
        performance_cuts,
        potential_cuts,
        placements,
    })
}
