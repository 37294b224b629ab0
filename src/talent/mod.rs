//! The organisation's view of its people across teams: rating calibration
//! (which managers rate more generously or more severely than their peers).
//! Domain rules live in pure submodules; this module reads the data within
//! the caller's reach and hands it to them.

pub mod calibration;
pub mod graphql;

use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult};

use self::calibration::{ManagerCalibration, RatingFact, Source};
use crate::auth::{Actor, policy};
use crate::error::Result;

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
