//! Opening, advancing and finding assessment cycles.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::{Cycle, CycleStatus, Participant};
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::auth::policy::{self, CycleReach, HrOffice};
use crate::db::entities::{assessment, assessment_cycle, cycle_participant, user};
use crate::db::{self};
use crate::error::{Error, Problems, Result};
use crate::framework::FrameworkStore;
use crate::mail::{self, MessageKind};
use crate::people;
use serde_json::json;

/// One person's place in the organisation, as a cycle opening reads it.
#[derive(Debug, sea_orm::FromQueryResult)]
struct OrgEntry {
    id: i64,
    manager_id: Option<i64>,
    active: bool,
    team_id: Option<i64>,
    job_role: Option<String>,
    career_level: Option<String>,
}

/// Who a new cycle is for: everyone with a place in the framework, narrowed
/// by teams (with their sub-teams) and/or job roles when given.
#[derive(Debug, Clone, Default)]
pub struct OpenCycle {
    pub name: String,
    pub team_ids: Vec<i64>,
    pub job_roles: Vec<String>,
    pub self_due: Option<NaiveDate>,
    pub manager_due: Option<NaiveDate>,
    /// Start straight away (self-assessment) rather than leave it a draft.
    pub start: bool,
}

pub async fn open_cycle(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    hr: &HrOffice,
    input: OpenCycle,
) -> Result<(Cycle, usize)> {
    let actor = hr.by();
    let framework = store.current(db).await?;
    let mut problems = Problems::new();
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        problems.add("name", "is required, up to 200 characters");
    }
    for role in &input.job_roles {
        if framework.role(role).is_none() {
            problems.add("jobRoles", format!("unknown job role {role:?}"));
        }
    }
    if let (Some(s), Some(m)) = (input.self_due, input.manager_due)
        && m < s
    {
        problems.add("managerDue", "cannot be before the self-assessment is due");
    }
    let mut teams = HashSet::new();
    for team in &input.team_ids {
        if !people::team_exists(db, *team).await? {
            problems.add("teamIds", format!("no team {team}"));
        } else {
            teams.extend(people::team_subtree(db, *team).await?);
        }
    }
    problems.into_result()?;

    // Everyone's id, manager and activity in one read: enough to choose each
    // participant's reviewer without a query per person.
    let everyone: Vec<OrgEntry> = user::Entity::find()
        .select_only()
        .columns([
            user::Column::Id,
            user::Column::ManagerId,
            user::Column::Active,
            user::Column::TeamId,
            user::Column::JobRole,
            user::Column::CareerLevel,
        ])
        .into_model()
        .all(db)
        .await?;
    let by_id: HashMap<i64, &OrgEntry> = everyone.iter().map(|e| (e.id, e)).collect();
    let nearest_active_manager = |mut id: i64| -> Option<i64> {
        // Walk up past managers who have left; the depth bound guards bad data.
        for _ in 0..64 {
            let manager = by_id.get(&id)?.manager_id?;
            if by_id.get(&manager).is_some_and(|m| m.active) {
                return Some(manager);
            }
            id = manager;
        }
        None
    };
    let participants: Vec<Participant> = everyone
        .iter()
        .filter(|e| e.active)
        .filter(|e| input.team_ids.is_empty() || e.team_id.is_some_and(|t| teams.contains(&t)))
        .filter_map(|e| {
            let (role, level) = (e.job_role.as_ref()?, e.career_level.as_ref()?);
            framework.level(role, level)?;
            if !input.job_roles.is_empty() && !input.job_roles.contains(role) {
                return None;
            }
            Some(Participant {
                cycle_id: 0,
                user_id: e.id,
                job_role: role.clone(),
                career_level: level.clone(),
                reviewer_id: nearest_active_manager(e.id),
            })
        })
        .collect();
    if participants.is_empty() {
        return Err(Error::invalid(
            "teamIds",
            "nobody matches: participants need an active account with a job role and career level",
        ));
    }

    let now = crate::clock::now();
    let status = if input.start {
        CycleStatus::SelfAssessment
    } else {
        CycleStatus::Draft
    };
    let txn = db::begin_write(db).await?;
    let cycle = assessment_cycle::ActiveModel {
        name: Set(name),
        framework_version_id: Set(framework.version.id),
        status: Set(status.as_str().into()),
        self_due: Set(input.self_due),
        manager_due: Set(input.manager_due),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
        closed_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let count = participants.len();
    // Chunked so a large organisation stays under the databases' bind limits.
    for chunk in participants.chunks(1000) {
        cycle_participant::Entity::insert_many(chunk.iter().map(|p| {
            cycle_participant::ActiveModel {
                cycle_id: Set(cycle.id),
                user_id: Set(p.user_id),
                job_role: Set(p.job_role.clone()),
                career_level: Set(p.career_level.clone()),
                reviewer_id: Set(p.reviewer_id),
            }
        }))
        .exec(&txn)
        .await?;
    }
    if status == CycleStatus::SelfAssessment {
        request_self_assessments(&txn, cycle.id, &cycle.name, cycle.self_due).await?;
    }
    let opened = Change::new("cycle.open", "cycle", cycle.id)
        .diff(None, Some(&cycle))
        .fact("participants", count);
    audit::commit(txn, [opened]).await?;
    tracing::info!(
        cycle_id = cycle.id,
        participants = count,
        "assessment cycle opened"
    );
    Ok((Cycle::try_from(cycle)?, count))
}

/// Moves a cycle to its next state. Closing freezes it.
pub async fn advance_cycle(
    db: &DatabaseConnection,
    _hr: &HrOffice,
    cycle_id: i64,
) -> Result<Cycle> {
    let txn = db::begin_write(db).await?;
    // Exclusive: waits for assessment writes in flight (they hold the row
    // shared, see `lock_for_assessment`), so no write lands after "closed".
    let row = assessment_cycle::Entity::find_by_id(cycle_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("assessment cycle"))?;
    let before = row.clone();
    let current: CycleStatus = row.status.parse()?;
    let next = current
        .next()
        .ok_or_else(|| Error::Conflict("the cycle is closed: its results are final".into()))?;
    let now = crate::clock::now();
    let mut active: assessment_cycle::ActiveModel = row.into();
    active.status = Set(next.as_str().into());
    active.updated_at = Set(now);
    if next == CycleStatus::Closed {
        active.closed_at = Set(Some(now));
        // Drafts left unsubmitted at closing stay drafts: they never count.
    }
    let row = active.update(&txn).await?;
    if next == CycleStatus::SelfAssessment {
        request_self_assessments(&txn, row.id, &row.name, row.self_due).await?;
    }
    if next == CycleStatus::ManagerReview {
        super::reminders::review_opened(&txn, &row).await?;
    }
    let advanced = Change::new("cycle.advance", "cycle", row.id).diff(Some(&before), Some(&row));
    audit::commit(txn, [advanced]).await?;
    Cycle::try_from(row)
}

/// Mails every participant that their self-assessment is open (same transaction).
async fn request_self_assessments(
    txn: &impl ConnectionTrait,
    cycle_id: i64,
    name: &str,
    due: Option<NaiveDate>,
) -> Result<()> {
    let ids: Vec<i64> = cycle_participant::Entity::find()
        .select_only()
        .column(cycle_participant::Column::UserId)
        .filter(cycle_participant::Column::CycleId.eq(cycle_id))
        .into_tuple()
        .all(txn)
        .await?;
    let recipients = mail::recipients(txn, &ids).await?;
    let due = due.map(|d| d.to_string()).unwrap_or_default();
    for to in recipients.values() {
        mail::enqueue(
            txn,
            to,
            MessageKind::SelfAssessmentRequested,
            &format!("/assessments/{cycle_id}"),
            json!({"cycle_name": name, "due_date": due}),
        )
        .await?;
    }
    Ok(())
}

pub async fn find_cycle(db: &impl ConnectionTrait, cycle_id: i64) -> Result<Cycle> {
    assessment_cycle::Entity::find_by_id(cycle_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("assessment cycle"))
        .and_then(Cycle::try_from)
}

/// Locks for an assessment write, for the rest of the transaction, and
/// returns the cycle as it stands under the lock.
///
/// On PostgreSQL the cycle row is held shared, so a state change (which takes
/// it exclusively) waits for writes in flight, and a write that starts after
/// it reads the new state; the participant row is held exclusively, so two
/// writes about one person (a draft save and a submit from two tabs, a retry)
/// run one after the other. SQLite's `begin_write` already holds the
/// database's single write lock (sea-query leaves the lock clauses out there).
pub async fn lock_for_assessment(
    txn: &DatabaseTransaction,
    cycle_id: i64,
    subject_id: i64,
) -> Result<Cycle> {
    let cycle = assessment_cycle::Entity::find_by_id(cycle_id)
        .lock_shared()
        .one(txn)
        .await?
        .ok_or(Error::NotFound("assessment cycle"))?;
    cycle_participant::Entity::find_by_id((cycle_id, subject_id))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(Error::NotFound("this person in the cycle"))?;
    Cycle::try_from(cycle)
}

/// One cycle, if the caller may see it: the same reach as `list_cycles`
/// (taking part or reviewing in it, or HR).
pub async fn cycle_in_reach(
    db: &DatabaseConnection,
    actor: &Actor,
    cycle_id: i64,
) -> Result<Cycle> {
    let cycle = find_cycle(db, cycle_id).await?;
    let CycleReach::TakingPart(me) = policy::cycle_reach(actor) else {
        return Ok(cycle);
    };
    let involved = cycle_participant::Entity::find()
        .filter(cycle_participant::Column::CycleId.eq(cycle_id))
        .filter(
            sea_orm::Condition::any()
                .add(cycle_participant::Column::UserId.eq(me))
                .add(cycle_participant::Column::ReviewerId.eq(me)),
        )
        .one(db)
        .await?;
    match involved {
        Some(_) => Ok(cycle),
        None => Err(Error::Forbidden("you take no part in this cycle")),
    }
}

/// Cycles the caller takes part in, reviews in, or (HR) all; newest first.
pub async fn list_cycles(db: &DatabaseConnection, actor: &Actor) -> Result<Vec<Cycle>> {
    let mut query = assessment_cycle::Entity::find().order_by_desc(assessment_cycle::Column::Id);
    if let CycleReach::TakingPart(me) = policy::cycle_reach(actor) {
        let mine: Vec<i64> = cycle_participant::Entity::find()
            .select_only()
            .column(cycle_participant::Column::CycleId)
            .filter(
                sea_orm::Condition::any()
                    .add(cycle_participant::Column::UserId.eq(me))
                    .add(cycle_participant::Column::ReviewerId.eq(me)),
            )
            .distinct()
            .into_tuple()
            .all(db)
            .await?;
        query = query.filter(assessment_cycle::Column::Id.is_in(mine));
    }
    query
        .all(db)
        .await?
        .into_iter()
        .map(Cycle::try_from)
        .collect()
}

/// The newest cycle `user_id` takes part in.
pub async fn latest_cycle_of(db: &impl ConnectionTrait, user_id: i64) -> Result<Cycle> {
    let cycle_id: Option<i64> = cycle_participant::Entity::find()
        .select_only()
        .column(cycle_participant::Column::CycleId)
        .filter(cycle_participant::Column::UserId.eq(user_id))
        .order_by_desc(cycle_participant::Column::CycleId)
        .into_tuple()
        .one(db)
        .await?;
    find_cycle(
        db,
        cycle_id.ok_or(Error::NotFound("assessment cycle for this person"))?,
    )
    .await
}

pub async fn participant(
    db: &impl ConnectionTrait,
    cycle_id: i64,
    user_id: i64,
) -> Result<Participant> {
    cycle_participant::Entity::find_by_id((cycle_id, user_id))
        .one(db)
        .await?
        .map(Participant::from)
        .ok_or(Error::NotFound("this person in the cycle"))
}

/// How far a cycle has got: participants and submitted assessments by kind.
pub async fn cycle_counts(db: &impl ConnectionTrait, cycle_id: i64) -> Result<(u64, u64, u64)> {
    use sea_orm::PaginatorTrait;
    let participants = cycle_participant::Entity::find()
        .filter(cycle_participant::Column::CycleId.eq(cycle_id))
        .count(db)
        .await?;
    let submitted = |kind: &'static str| {
        assessment::Entity::find()
            .filter(assessment::Column::CycleId.eq(cycle_id))
            .filter(assessment::Column::Kind.eq(kind))
            .filter(assessment::Column::Status.eq("SUBMITTED"))
            .count(db)
    };
    Ok((
        participants,
        submitted("SELF").await?,
        submitted("MANAGER").await?,
    ))
}
