//! Writing assessments: drafts save partially; submitting checks that every
//! skill of the person's role is rated (skills of the levels their next
//! moves lead to may be rated too) and happens atomically; a submitted
//! assessment is never edited: amending it starts the next revision.

use std::collections::{BTreeMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

use super::{
    Assessment, AssessmentKind, AssessmentStatus, CycleStatus, Rating, find_cycle,
    lock_for_assessment, participant,
};
use crate::audit::{self, Change};
use crate::auth::{Actor, policy};
use crate::db::entities::{assessment, rating};
use crate::db::{self};
use crate::domain::Proficiency;
use crate::error::{Error, Problems, Result};
use crate::framework::FrameworkStore;
use crate::mail::{self, MessageKind};
use serde_json::json;

const MAX_EVIDENCE: usize = 4000;

/// One rating as the caller sent it (level not yet checked).
#[derive(Debug, Clone)]
pub struct RatingInput {
    pub skill: String,
    pub level: i32,
    pub evidence: Option<String>,
}

/// One write of an assessment by the caller.
#[derive(Debug, Clone)]
pub struct AssessmentWrite {
    pub cycle_id: i64,
    pub subject_id: i64,
    pub kind: AssessmentKind,
    pub ratings: Vec<RatingInput>,
    /// Submit after saving: all skills must then be rated.
    pub submit: bool,
}

/// Saves (and with `submit`, submits) the caller's assessment of a cycle
/// participant. Nothing is written when anything is wrong.
pub async fn save_assessment(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    write: AssessmentWrite,
) -> Result<Assessment> {
    let AssessmentWrite {
        cycle_id,
        subject_id,
        kind,
        ratings: inputs,
        submit,
    } = write;
    let cycle = find_cycle(db, cycle_id).await?;
    let person = participant(db, cycle_id, subject_id).await?;
    // Who is rated is known only once the participant's reviewer is read.
    let assessor = policy::assess(actor, kind, person.reviewer_id, subject_id)?;
    let actor = assessor.by();
    if !cycle.status.allows(kind) {
        return Err(Error::Conflict(format!(
            "the cycle is in {}: {} assessments cannot be written now",
            cycle.status.as_str(),
            kind.as_str()
        )));
    }
    let framework = store
        .published_by_id(db, cycle.framework_version_id)
        .await?;
    let role = framework.role(&person.job_role).ok_or_else(|| {
        Error::Internal(anyhow::anyhow!("pinned role {} missing", person.job_role))
    })?;
    // Beyond the role's own skills, a person may be rated on those their next
    // moves require (the framework's path graph decides), so a lateral move
    // rests on measured skills rather than on unknowns.
    let assessable = crate::advancement::scoring::assessable_skills(
        &framework,
        &person.job_role,
        &person.career_level,
    );
    let skills: HashSet<&str> = assessable.iter().map(String::as_str).collect();
    let ratings = parse_ratings(&inputs, &skills)?;

    let txn = db::begin_write(db).await?;
    // Checked again under the locks: the cycle may have moved on since.
    if !lock_for_assessment(&txn, cycle_id, subject_id)
        .await?
        .status
        .allows(kind)
    {
        return Err(Error::Conflict(
            "the cycle has moved on: this assessment can no longer be written".into(),
        ));
    }
    let latest = assessment::Entity::find()
        .filter(assessment::Column::CycleId.eq(cycle_id))
        .filter(assessment::Column::SubjectId.eq(subject_id))
        .filter(assessment::Column::AssessorId.eq(actor.user_id))
        .filter(assessment::Column::Kind.eq(kind.as_str()))
        .order_by_desc(assessment::Column::Revision)
        .one(&txn)
        .await?;
    if kind == AssessmentKind::Peer && latest.is_none() {
        return Err(Error::Forbidden(
            "peer input is given when the manager asks for it",
        ));
    }
    let now = crate::clock::now();
    let before: BTreeMap<String, u8> = match &latest {
        Some(previous) => load_ratings(&txn, previous.id)
            .await?
            .into_iter()
            .map(|(skill, r)| (skill, r.level))
            .collect(),
        None => BTreeMap::new(),
    };
    let (row, mut merged) = match latest {
        Some(draft) if draft.status == AssessmentStatus::Draft.as_str() => {
            let existing = load_ratings(&txn, draft.id).await?;
            (draft, existing)
        }
        previous => {
            // A first assessment, or an amendment of a submitted one: the new
            // revision starts from the submitted ratings, which stay as they were.
            let (revision, carried) = match &previous {
                Some(p) => (p.revision + 1, load_ratings(&txn, p.id).await?),
                None => (1, BTreeMap::new()),
            };
            let row = assessment::ActiveModel {
                cycle_id: Set(cycle_id),
                subject_id: Set(subject_id),
                assessor_id: Set(actor.user_id),
                kind: Set(kind.as_str().into()),
                revision: Set(revision),
                status: Set(AssessmentStatus::Draft.as_str().into()),
                submitted_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(|e| {
                if db::is_unique_violation(&e) {
                    Error::Conflict(
                        "this assessment was changed at the same time; try again".into(),
                    )
                } else {
                    e.into()
                }
            })?;
            (row, carried)
        }
    };
    for r in ratings {
        merged.insert(r.skill.clone(), r);
    }
    if submit {
        let missing: Vec<&str> = role
            .requirements
            .keys()
            .map(String::as_str)
            .filter(|s| !merged.contains_key(*s))
            .collect();
        if !missing.is_empty() {
            return Err(Error::Invalid(
                missing
                    .into_iter()
                    .map(|s| {
                        crate::error::Problem::new(
                            format!("ratings[{s}]"),
                            "not rated yet: every skill of the role needs a rating to submit",
                        )
                    })
                    .collect(),
            ));
        }
    }
    rating::Entity::delete_many()
        .filter(rating::Column::AssessmentId.eq(row.id))
        .exec(&txn)
        .await?;
    if !merged.is_empty() {
        rating::Entity::insert_many(merged.values().map(|r| rating::ActiveModel {
            assessment_id: Set(row.id),
            skill_key: Set(r.skill.clone()),
            level: Set(r.level as i16),
            evidence: Set(r.evidence.clone()),
        }))
        .exec(&txn)
        .await?;
    }
    let mut active: assessment::ActiveModel = row.into();
    active.updated_at = Set(now);
    if submit {
        // The revision this one replaces stops counting. There is one current
        // manager assessment per person and cycle, whichever manager wrote it.
        let mut replaced = assessment::Entity::update_many()
            .col_expr(
                assessment::Column::Status,
                sea_orm::sea_query::Expr::value(AssessmentStatus::Superseded.as_str()),
            )
            .filter(assessment::Column::CycleId.eq(cycle_id))
            .filter(assessment::Column::SubjectId.eq(subject_id))
            .filter(assessment::Column::Kind.eq(kind.as_str()))
            .filter(assessment::Column::Status.eq(AssessmentStatus::Submitted.as_str()));
        if kind != AssessmentKind::Manager {
            replaced = replaced.filter(assessment::Column::AssessorId.eq(actor.user_id));
        }
        replaced.exec(&txn).await?;
        active.status = Set(AssessmentStatus::Submitted.as_str().into());
        active.submitted_at = Set(Some(now));
    }
    let row = active.update(&txn).await?;
    if submit {
        notify_submitted(&txn, &cycle, &person, kind, actor.user_id).await?;
    }
    let after: BTreeMap<&String, u8> = merged.iter().map(|(k, r)| (k, r.level)).collect();
    let evidence: BTreeMap<&String, &String> = merged
        .iter()
        .filter_map(|(k, r)| r.evidence.as_ref().map(|e| (k, e)))
        .collect();
    let change = Change::new(
        if submit {
            "assessment.submit"
        } else {
            "assessment.save"
        },
        "assessment",
        row.id,
    )
    .about(subject_id)
    .fact("kind", kind.as_str())
    .fact("cycle_id", cycle_id)
    .fact("revision", row.revision)
    .field("ratings", &before, &after)
    .fact("evidence", (!evidence.is_empty()).then_some(&evidence));
    audit::commit(txn, [change]).await?;
    Ok(Assessment {
        id: row.id,
        cycle_id,
        subject_id,
        assessor_id: actor.user_id,
        kind,
        revision: row.revision,
        status: row.status.parse()?,
        submitted_at: row.submitted_at,
        updated_at: row.updated_at,
        ratings: merged.into_values().collect(),
    })
}

/// A submitted self-assessment tells the reviewer; a submitted manager
/// assessment tells the person. Queued in the submitting transaction.
async fn notify_submitted(
    txn: &impl ConnectionTrait,
    cycle: &super::Cycle,
    person: &super::Participant,
    kind: AssessmentKind,
    author: i64,
) -> Result<()> {
    let (to, message, vars) = match kind {
        AssessmentKind::SelfRating => {
            let Some(reviewer) = person.reviewer_id else {
                return Ok(());
            };
            let people = mail::recipients(txn, &[reviewer, person.user_id]).await?;
            let employee = people
                .get(&person.user_id)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            (
                people.get(&reviewer).cloned(),
                MessageKind::SelfAssessmentSubmitted,
                json!({"employee_name": employee, "cycle_name": cycle.name}),
            )
        }
        AssessmentKind::Manager => {
            let people = mail::recipients(txn, &[author, person.user_id]).await?;
            let manager = people
                .get(&author)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            (
                people.get(&person.user_id).cloned(),
                MessageKind::ManagerReviewCompleted,
                json!({"manager_name": manager, "cycle_name": cycle.name}),
            )
        }
        AssessmentKind::Peer => return Ok(()),
    };
    if let Some(to) = to {
        mail::enqueue(
            txn,
            &to,
            message,
            &format!("/assessments/{}/people/{}", cycle.id, person.user_id),
            vars,
        )
        .await?;
    }
    Ok(())
}

fn parse_ratings(inputs: &[RatingInput], skills: &HashSet<&str>) -> Result<Vec<Rating>> {
    let mut problems = Problems::new();
    let mut seen = HashSet::new();
    let mut ratings = Vec::new();
    for input in inputs {
        let field = format!("ratings[{}]", input.skill);
        if !skills.contains(input.skill.as_str()) {
            problems.add(
                &field,
                "is not a skill of this person's role or of a move open to them",
            );
            continue;
        }
        if !seen.insert(input.skill.as_str()) {
            problems.add(&field, "is rated twice");
            continue;
        }
        let Some(level) =
            problems.check(Proficiency::parse(input.level, &format!("{field}.level")))
        else {
            continue;
        };
        let evidence = input
            .evidence
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty());
        if evidence.is_some_and(|e| e.chars().count() > MAX_EVIDENCE) {
            problems.add(
                format!("{field}.evidence"),
                format!("must be at most {MAX_EVIDENCE} characters"),
            );
            continue;
        }
        ratings.push(Rating {
            skill: input.skill.clone(),
            level: level.get(),
            evidence: evidence.map(str::to_owned),
        });
    }
    problems.into_result()?;
    Ok(ratings)
}

async fn load_ratings(
    db: &impl ConnectionTrait,
    assessment_id: i64,
) -> Result<BTreeMap<String, Rating>> {
    let rows = rating::Entity::find()
        .filter(rating::Column::AssessmentId.eq(assessment_id))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.skill_key.clone(),
                Rating {
                    skill: r.skill_key,
                    level: Proficiency::from_stored(r.level).get(),
                    evidence: r.evidence,
                },
            )
        })
        .collect())
}

/// The subject's manager asks a colleague for peer input.
pub async fn request_peer_input(
    db: &DatabaseConnection,
    actor: &Actor,
    cycle_id: i64,
    subject_id: i64,
    peer_id: i64,
) -> Result<()> {
    let cycle = find_cycle(db, cycle_id).await?;
    let person = participant(db, cycle_id, subject_id).await?;
    policy::rate_as_manager(actor, person.reviewer_id, subject_id)?;
    if !matches!(
        cycle.status,
        CycleStatus::SelfAssessment | CycleStatus::ManagerReview
    ) {
        return Err(Error::Conflict(
            "peer input is asked for before calibration".into(),
        ));
    }
    if peer_id == subject_id {
        return Err(Error::invalid(
            "peerId",
            "a peer is someone other than the person assessed",
        ));
    }
    let peer = crate::people::active_person(db, peer_id)
        .await?
        .ok_or(Error::NotFound("peer"))?;
    let txn = db::begin_write(db).await?;
    if !matches!(
        lock_for_assessment(&txn, cycle_id, subject_id)
            .await?
            .status,
        CycleStatus::SelfAssessment | CycleStatus::ManagerReview
    ) {
        return Err(Error::Conflict(
            "the cycle has moved on: peer input can no longer be asked for".into(),
        ));
    }
    let now = crate::clock::now();
    let inserted = assessment::ActiveModel {
        cycle_id: Set(cycle_id),
        subject_id: Set(subject_id),
        assessor_id: Set(peer.id),
        kind: Set(AssessmentKind::Peer.as_str().into()),
        revision: Set(1),
        status: Set(AssessmentStatus::Draft.as_str().into()),
        submitted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match inserted {
        Ok(_) => {}
        // Asked before: asking again changes nothing.
        Err(e) if db::is_unique_violation(&e) => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    let asked = Change::new("assessment.peer_requested", "assessment", None)
        .about(subject_id)
        .fact("cycle_id", cycle_id)
        .fact("peer_id", peer.id);
    audit::commit(txn, [asked]).await?;
    Ok(())
}
