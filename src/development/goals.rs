//! Goals moving: status changes, evidence (a note, a link, a completed
//! course), and the one hook the certification service calls when a record
//! becomes earned, which closes the goals to earn it.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};

use super::plans::{load_plan, open_for_write};
use super::{EvidenceKind, GoalKind, GoalStatus, MAX_EVIDENCE, MAX_LINK, MAX_NOTES, Plan};
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::entities::{development_evidence, development_goal, development_plan};
use crate::db::{self};
use crate::error::{Error, Problems, Result};

pub(crate) async fn goal_row(
    db: &impl ConnectionTrait,
    goal_id: i64,
) -> Result<development_goal::Model> {
    development_goal::Entity::find_by_id(goal_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("development goal"))
}

fn with_status(
    goal: development_goal::Model,
    status: GoalStatus,
    today: NaiveDate,
) -> development_goal::ActiveModel {
    let mut active: development_goal::ActiveModel = goal.into();
    active.status = Set(status.as_str().into());
    active.done_on = Set((status == GoalStatus::Done).then_some(today));
    active.updated_at = Set(crate::clock::now());
    active
}

/// Moves a goal (planned, in progress, done, dropped). Progress, not content:
/// the plan's agreement stands.
pub async fn set_goal_status(
    db: &DatabaseConnection,
    actor: &Actor,
    goal_id: i64,
    status: GoalStatus,
    today: NaiveDate,
) -> Result<Plan> {
    let txn = db::begin_write(db).await?;
    let goal = goal_row(&txn, goal_id).await?;
    let plan_row = open_for_write(&txn, actor, goal.plan_id).await?;
    let plan_id = goal.plan_id;
    let mut moved = Change::new("goal.status", "development_goal", goal_id).about(plan_row.user_id);
    if GoalStatus::from_stored(&goal.status)? != status {
        let before = goal.clone();
        let after = with_status(goal, status, today).update(&txn).await?;
        moved = moved.diff(Some(&before), Some(&after));
    }
    let plan = load_plan(&txn, plan_id).await?;
    audit::commit(txn, [moved]).await?;
    Ok(plan)
}

/// Checks evidence input: what each kind needs, and bounds.
pub fn check_evidence(
    kind: EvidenceKind,
    goal_kind: GoalKind,
    note: Option<&str>,
    url: Option<&str>,
) -> Result<()> {
    let mut p = Problems::new();
    if note.is_some_and(|n| n.chars().count() > MAX_NOTES) {
        p.add("note", format!("must be at most {MAX_NOTES} characters"));
    }
    if let Some(url) = url {
        let lower = url.to_ascii_lowercase();
        if url.len() > MAX_LINK {
            p.add("url", format!("must be at most {MAX_LINK} characters"));
        } else if !(lower.starts_with("https://") || lower.starts_with("http://"))
            || url.len() < 9
            || url.chars().any(char::is_whitespace)
        {
            p.add("url", "must be an http(s) link");
        }
    }
    match kind {
        EvidenceKind::Note if note.is_none_or(|n| n.trim().is_empty()) => {
            p.add("note", "a note needs its text")
        }
        EvidenceKind::Link if url.is_none() => p.add("url", "a link needs its URL"),
        EvidenceKind::CourseCompleted if goal_kind != GoalKind::LearningResource => p.add(
            "kind",
            "only a learning-resource goal is closed by completing a course",
        ),
        EvidenceKind::CertificationEarned => p.add(
            "kind",
            "an earned certification is recorded with the certification itself",
        ),
        _ => {}
    }
    p.into_result()
}

/// Adds evidence to a goal. A note or a link starts a planned goal; a
/// completed course closes its learning-resource goal.
pub async fn add_evidence(
    db: &DatabaseConnection,
    actor: &Actor,
    goal_id: i64,
    kind: EvidenceKind,
    note: Option<String>,
    url: Option<String>,
    today: NaiveDate,
) -> Result<Plan> {
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    let url = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
    let txn = db::begin_write(db).await?;
    let goal = goal_row(&txn, goal_id).await?;
    let plan_row = open_for_write(&txn, actor, goal.plan_id).await?;
    check_evidence(
        kind,
        GoalKind::from_stored(&goal.kind)?,
        note.as_deref(),
        url.as_deref(),
    )?;
    let count = development_evidence::Entity::find()
        .filter(development_evidence::Column::GoalId.eq(goal_id))
        .count(&txn)
        .await?;
    if count >= MAX_EVIDENCE as u64 {
        return Err(Error::invalid(
            "goalId",
            format!("a goal holds at most {MAX_EVIDENCE} pieces of evidence"),
        ));
    }
    let evidence = development_evidence::ActiveModel {
        goal_id: Set(goal_id),
        kind: Set(kind.as_str().into()),
        note: Set(note),
        url: Set(url),
        certification_record_id: Set(None),
        recorded_by: Set(Some(actor.user_id)),
        recorded_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let status = GoalStatus::from_stored(&goal.status)?;
    let plan_id = goal.plan_id;
    let next = match kind {
        EvidenceKind::CourseCompleted if status != GoalStatus::Done => Some(GoalStatus::Done),
        EvidenceKind::Note | EvidenceKind::Link if status == GoalStatus::Planned => {
            Some(GoalStatus::InProgress)
        }
        _ => None,
    };
    if let Some(next) = next {
        with_status(goal, next, today).update(&txn).await?;
    }
    let plan = load_plan(&txn, plan_id).await?;
    let added = Change::new("goal.evidence_add", "development_evidence", evidence.id)
        .about(plan_row.user_id)
        .diff(None, Some(&evidence));
    audit::commit(txn, [added]).await?;
    Ok(plan)
}

/// Called by the certification service, in its transaction, when a record
/// becomes earned: every open goal of the person's open plan to earn that
/// certification is done, with the record as evidence. Returns how many.
pub async fn certification_earned(
    txn: &impl ConnectionTrait,
    user_id: i64,
    certification: &str,
    record_id: i64,
    earned_on: NaiveDate,
) -> Result<u64> {
    let Some(plan) = development_plan::Entity::find()
        .filter(development_plan::Column::UserId.eq(user_id))
        .filter(development_plan::Column::OpenSlot.is_not_null())
        .one(txn)
        .await?
    else {
        return Ok(0);
    };
    let goals = development_goal::Entity::find()
        .filter(development_goal::Column::PlanId.eq(plan.id))
        .filter(development_goal::Column::Kind.eq(GoalKind::Certification.as_str()))
        .filter(development_goal::Column::CertificationKey.eq(certification))
        .filter(development_goal::Column::Status.is_in([
            GoalStatus::Planned.as_str(),
            GoalStatus::InProgress.as_str(),
        ]))
        .all(txn)
        .await?;
    let closed = goals.len() as u64;
    for goal in goals {
        development_evidence::ActiveModel {
            goal_id: Set(goal.id),
            kind: Set(EvidenceKind::CertificationEarned.as_str().into()),
            note: Set(None),
            url: Set(None),
            certification_record_id: Set(Some(record_id)),
            recorded_by: Set(None),
            recorded_at: Set(crate::clock::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        with_status(goal, GoalStatus::Done, earned_on)
            .update(txn)
            .await?;
    }
    Ok(closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_bounded_and_links_are_http() {
        let ok = |k, g, n: Option<&str>, u: Option<&str>| check_evidence(k, g, n, u).is_ok();
        assert!(ok(EvidenceKind::Note, GoalKind::Kpi, Some("done"), None));
        assert!(!ok(EvidenceKind::Note, GoalKind::Kpi, Some("  "), None));
        assert!(ok(
            EvidenceKind::Link,
            GoalKind::Kpi,
            None,
            Some("https://wiki.example/x")
        ));
        assert!(!ok(
            EvidenceKind::Link,
            GoalKind::Kpi,
            None,
            Some("javascript:alert(1)")
        ));
        assert!(!ok(
            EvidenceKind::Link,
            GoalKind::Kpi,
            None,
            Some("ftp://x.example/a")
        ));
        let long = format!("https://x.example/{}", "a".repeat(MAX_LINK));
        assert!(!ok(EvidenceKind::Link, GoalKind::Kpi, None, Some(&long)));
        let note = "n".repeat(MAX_NOTES + 1);
        assert!(!ok(EvidenceKind::Note, GoalKind::Kpi, Some(&note), None));
        assert!(!ok(
            EvidenceKind::CourseCompleted,
            GoalKind::Kpi,
            None,
            None
        ));
        assert!(ok(
            EvidenceKind::CourseCompleted,
            GoalKind::LearningResource,
            None,
            None
        ));
        assert!(!ok(
            EvidenceKind::CertificationEarned,
            GoalKind::Certification,
            None,
            None
        ));
    }
}
