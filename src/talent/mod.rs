//! The organisation's view of its people across teams: rating calibration
//! (which managers rate more generously or more severely than their peers).
//! Domain rules live in pure submodules; this module reads the data within
//! the caller's reach and hands it to them.

pub mod calibration;
pub mod graphql;
pub mod maturity;
pub mod nine_box;

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, Set,
};

use chrono::NaiveDate;

use self::calibration::{ManagerCalibration, RatingFact, Source};
use self::nine_box::{Band, Cuts, Placement};
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::auth::policy::{self, HrOffice, TeamView};
use crate::config::Settings;
use crate::db::entities::talent_move;
use crate::error::{Error, Result};
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
    view: &TeamView,
    cycle_id: i64,
) -> Result<Vec<ManagerCalibration>> {
    let actor = view.by();
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
    /// The calibration session's newest move of each person, by person.
    pub moves: HashMap<i64, Move>,
}

/// HR's placement of a person in a review's calibration session.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    pub period: String,
    pub user_id: i64,
    pub to: (Band, Band),
    pub reason: String,
    pub moved_by: Option<i64>,
    pub moved_at: chrono::DateTime<chrono::Utc>,
}

impl Move {
    /// None for a row whose bands this version does not know.
    fn from_row(row: talent_move::Model) -> Option<Self> {
        Some(Self {
            to: (Band::parse(&row.performance)?, Band::parse(&row.potential)?),
            period: row.period,
            user_id: row.user_id,
            reason: row.reason,
            moved_by: row.moved_by,
            moved_at: row.moved_at,
        })
    }
}

impl TalentReview {
    /// Where a person sits after calibration: their move, else the
    /// computed box.
    pub fn calibrated(&self, placement: &Placement) -> Option<(Band, Band)> {
        match self.moves.get(&placement.user_id) {
            Some(m) => Some(m.to),
            None => placement.boxed(),
        }
    }
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
    // Asks the policy, and reads only people in reach: their readiness
    // from the read model, without the moves behind it.
    let scope = crate::advancement::readiness_scope(db, store, actor, &filter, today).await?;
    let ranked = scope.scores(db).await?;
    let fw = scope.framework;
    let ids: Vec<i64> = ranked.iter().map(|(id, _)| *id).collect();
    let ids_for_moves = ids.clone();
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
        .map(|&(user_id, readiness)| {
            Placement::new(
                user_id,
                people.get(&user_id).and_then(|p| p.team_id),
                scores.get(&user_id).copied().flatten(),
                readiness,
                performance_cuts,
                potential_cuts,
            )
        })
        .collect();
    let mut moves = HashMap::new();
    for m in talent_move::Entity::find()
        .filter(talent_move::Column::Period.eq(&period))
        .filter(talent_move::Column::UserId.is_in(ids_for_moves))
        .order_by_asc(talent_move::Column::Id)
        .all(db)
        .await?
    {
        if let Some(m) = Move::from_row(m) {
            moves.insert(m.user_id, m);
        }
    }
    Ok(TalentReview {
        period,
        performance_cuts,
        potential_cuts,
        placements,
        moves,
    })
}

/// HR moves a person to another box in the review's calibration session,
/// with the reason. The computed placement stays as it is; the move is
/// kept beside it, and audited.
pub async fn move_in_review(
    db: &DatabaseConnection,
    hr: &HrOffice,
    period: crate::kpi::Period,
    person: i64,
    to: (Band, Band),
    reason: &str,
) -> Result<Move> {
    let actor = hr.by();
    let period = period.to_string();
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(Error::invalid(
            "reason",
            "is required, up to 1000 characters",
        ));
    }
    if crate::people::people_by_ids(db, &[person])
        .await?
        .is_empty()
    {
        return Err(Error::NotFound("person"));
    }
    let txn = crate::db::begin_write(db).await?;
    let row = talent_move::ActiveModel {
        period: Set(period),
        user_id: Set(person),
        performance: Set(to.0.as_str().to_owned()),
        potential: Set(to.1.as_str().to_owned()),
        reason: Set(reason.to_owned()),
        moved_by: Set(Some(actor.user_id)),
        moved_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let moved = Change::new("talent.move", "talent_move", row.id)
        .about(person)
        .diff(None, Some(&row));
    audit::commit(txn, [moved]).await?;
    Move::from_row(row).ok_or_else(|| Error::Internal(anyhow::anyhow!("a move just written")))
}
