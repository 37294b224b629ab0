//! A person's rights over their own data (PIPL, GDPR): everything Skillpath
//! holds about them as one document, and erasure when they have left.
//!
//! Erasure keeps what others rely on (the organisation's aggregates, other
//! people's records, the fact that the person existed and was erased) and
//! removes what identifies the person or is their own free text: name,
//! email and employee id, notes, evidence, comments, credentials, their
//! mail, their sessions, and the personal values the audit trail holds for
//! them (its chain keeps only digests, so it still verifies).

pub mod graphql;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, Value as DbValue,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::audit::{self, Change};
use crate::auth::Role;
use crate::auth::policy::{self, DataExport, Eraser};
use crate::db::{self, entities::*};
use crate::error::{Error, Result};

fn to_json(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn all_json<T: Serialize>(rows: &[T]) -> Value {
    Value::Array(rows.iter().map(to_json).collect())
}

/// Everything held about `person`, for them or for HR acting on their
/// request. Other people appear by id only; peer assessors not at all.
pub async fn export_person_data(db: &DatabaseConnection, export: &DataExport) -> Result<Value> {
    let person = export.person();
    let user_row = user::Entity::find_by_id(person)
        .one(db)
        .await?
        .ok_or(Error::NotFound("person"))?;
    let mut profile = to_json(&user_row);
    if let Some(fields) = profile.as_object_mut() {
        fields.remove("password_hash");
    }

    let received = assessment::Entity::find()
        .filter(assessment::Column::SubjectId.eq(person))
        .order_by_asc(assessment::Column::Id)
        .all(db)
        .await?;
    let given = assessment::Entity::find()
        .filter(assessment::Column::AssessorId.eq(person))
        .filter(assessment::Column::SubjectId.ne(person))
        .order_by_asc(assessment::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = received.iter().chain(&given).map(|a| a.id).collect();
    let ratings = rating::Entity::find()
        .filter(rating::Column::AssessmentId.is_in(ids))
        .all(db)
        .await?;
    let with_ratings = |a: &assessment::Model, hide_assessor: bool| {
        let mut doc = to_json(a);
        if hide_assessor && let Some(fields) = doc.as_object_mut() {
            // Peer input is anonymous to the person it is about.
            fields.remove("assessor_id");
        }
        doc["ratings"] = all_json(
            &ratings
                .iter()
                .filter(|r| r.assessment_id == a.id)
                .collect::<Vec<_>>(),
        );
        doc
    };
    let received: Vec<Value> = received
        .iter()
        .map(|a| with_ratings(a, a.kind == "PEER"))
        .collect();
    let given: Vec<Value> = given.iter().map(|a| with_ratings(a, false)).collect();

    let targets = performance_target::Entity::find()
        .filter(performance_target::Column::UserId.eq(person))
        .order_by_asc(performance_target::Column::Id)
        .all(db)
        .await?;
    let comments = target_comment::Entity::find()
        .filter(
            target_comment::Column::TargetId
                .is_in(targets.iter().map(|t| t.id))
                .or(target_comment::Column::AuthorId.eq(person)),
        )
        .order_by_asc(target_comment::Column::Id)
        .all(db)
        .await?;
    let actuals = kpi_actual::Entity::find()
        .filter(kpi_actual::Column::UserId.eq(person))
        .order_by_asc(kpi_actual::Column::Id)
        .all(db)
        .await?;
    let certifications = certification_record::Entity::find()
        .filter(certification_record::Column::UserId.eq(person))
        .order_by_asc(certification_record::Column::Id)
        .all(db)
        .await?;
    let positions = position_change::Entity::find()
        .filter(position_change::Column::UserId.eq(person))
        .order_by_asc(position_change::Column::Id)
        .all(db)
        .await?;
    let plans = development_plan::Entity::find()
        .filter(development_plan::Column::UserId.eq(person))
        .order_by_asc(development_plan::Column::Id)
        .all(db)
        .await?;
    let plan_ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
    let goals = development_goal::Entity::find()
        .filter(development_goal::Column::PlanId.is_in(plan_ids.clone()))
        .order_by_asc(development_goal::Column::Id)
        .all(db)
        .await?;
    let evidence = development_evidence::Entity::find()
        .filter(development_evidence::Column::GoalId.is_in(goals.iter().map(|g| g.id)))
        .order_by_asc(development_evidence::Column::Id)
        .all(db)
        .await?;
    let check_ins = development_checkin::Entity::find()
        .filter(development_checkin::Column::PlanId.is_in(plan_ids))
        .order_by_asc(development_checkin::Column::Id)
        .all(db)
        .await?;
    let mails = email_outbox::Entity::find()
        .filter(email_outbox::Column::RecipientUserId.eq(person))
        .order_by_asc(email_outbox::Column::Id)
        .all(db)
        .await?;
    let mails: Vec<Value> = mails
        .iter()
        .map(|m| {
            json!({"kind": m.kind, "subject": m.subject, "to": m.recipient_email,
                   "status": m.status, "queued_at": m.created_at, "sent_at": m.sent_at})
        })
        .collect();
    let history = audit::read::page(
        db,
        &export.history(),
        &audit::read::AuditQuery {
            person: Some(person),
            ..Default::default()
        },
        0..usize::MAX / 2,
    )
    .await?;
    let history: Vec<Value> = history
        .iter()
        .map(|e| {
            json!({"at": e.at, "action": e.action, "actor_id": e.actor_id, "via": e.via,
                   "changes": e.changes.iter().map(|c| json!({"field": c.field, "from": c.from, "to": c.to})).collect::<Vec<_>>()})
        })
        .collect();

    Ok(json!({
        "format": "skillpath-personal-data/1",
        "exported_at": crate::clock::now(),
        "person": profile,
        "assessments_received": received,
        "assessments_given": given,
        "performance_targets": all_json(&targets),
        "target_comments": all_json(&comments),
        "kpi_actuals": all_json(&actuals),
        "certifications": all_json(&certifications),
        "position_changes": all_json(&positions),
        "development_plans": all_json(&plans),
        "development_goals": all_json(&goals),
        "development_evidence": all_json(&evidence),
        "development_check_ins": all_json(&check_ins),
        "mail": mails,
        "history": history,
    }))
}

/// What erasing a person removed, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erasure {
    pub person_id: i64,
    pub rows_changed: u64,
}

/// Erases a departed person (HR): see the module's comment for what goes
/// and what stays. The account must be inactive: someone still working here
/// is not erased by mistake.
pub async fn erase_person(
    db: &DatabaseConnection,
    eraser: &Eraser,
    reason: &str,
) -> Result<Erasure> {
    // Checked again on the row below, with the person's role.
    let person = eraser.person();
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Error::invalid(
            "reason",
            "is required, up to 500 characters",
        ));
    }
    let txn = db::begin_write(db).await?;
    db::lock_person(&txn, person).await?;
    let row = user::Entity::find_by_id(person)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("person"))?;
    if row.active {
        return Err(Error::Conflict(
            "deactivate the account first: only people who have left are erased".into(),
        ));
    }
    policy::erase_account(eraser, Role::from_stored(&row.role)?)?;
    if row.email.ends_with(ERASED_DOMAIN) {
        return Err(Error::Conflict("this person was erased already".into()));
    }
    let backend = txn.get_database_backend();
    let mut changed = 0;
    for (sql, values) in erasure_statements(&row) {
        changed += txn
            .execute_raw(db::statement(backend, &sql, values))
            .await?
            .rows_affected();
    }
    // The fact of the erasure, not what was erased.
    let erased = Change::new("person.erase", "user", person)
        .about(person)
        .fact("reason", reason)
        .fact("rows_changed", changed);
    audit::commit(txn, [erased]).await?;
    tracing::info!(user_id = person, rows = changed, "person erased");
    Ok(Erasure {
        person_id: person,
        rows_changed: changed,
    })
}

const ERASED_DOMAIN: &str = "@erased.invalid";

/// The statements that erase `row`'s person, in order. Their own free text
/// goes; their name and email are replaced wherever someone else's text or
/// mail repeats them.
fn erasure_statements(row: &user::Model) -> Vec<(String, Vec<DbValue>)> {
    let id = row.id;
    let name = row.name.clone();
    let email = row.email.clone();
    // The same concatenation on both databases.
    let like = |p: &str| format!("('%' || {p} || '%')");
    let mut out: Vec<(String, Vec<DbValue>)> = vec![
        (
            "UPDATE users SET name = $1, email = $2, employee_id = NULL, password_hash = NULL, \
             locale = NULL WHERE id = $3"
                .into(),
            vec![
                format!("Erased person {id}").into(),
                format!("erased-{id}{ERASED_DOMAIN}").into(),
                id.into(),
            ],
        ),
        (
            "UPDATE ratings SET evidence = NULL WHERE assessment_id IN \
             (SELECT id FROM assessments WHERE subject_id = $1 OR assessor_id = $1)"
                .into(),
            vec![id.into()],
        ),
        (
            "UPDATE performance_targets SET note = NULL WHERE user_id = $1".into(),
            vec![id.into()],
        ),
        (
            "DELETE FROM target_comments WHERE author_id = $1 OR target_id IN \
             (SELECT id FROM performance_targets WHERE user_id = $1)"
                .into(),
            vec![id.into()],
        ),
        (
            "UPDATE performance_target_changes SET snapshot = NULL WHERE user_id = $1".into(),
            vec![id.into()],
        ),
        (
            "UPDATE kpi_actuals SET note = NULL WHERE user_id = $1".into(),
            vec![id.into()],
        ),
        (
            "UPDATE certification_records SET credential = NULL WHERE user_id = $1".into(),
            vec![id.into()],
        ),
        (
            "UPDATE certification_events SET snapshot = '{}' WHERE record_id IN \
             (SELECT id FROM certification_records WHERE user_id = $1)"
                .into(),
            vec![id.into()],
        ),
        (
            "UPDATE development_goals SET title = '(erased)' WHERE plan_id IN \
             (SELECT id FROM development_plans WHERE user_id = $1)"
                .into(),
            vec![id.into()],
        ),
        (
            "UPDATE development_evidence SET note = NULL, url = NULL WHERE goal_id IN \
             (SELECT g.id FROM development_goals g JOIN development_plans p ON p.id = g.plan_id \
              WHERE p.user_id = $1)"
                .into(),
            vec![id.into()],
        ),
        (
            "UPDATE development_checkins SET notes = '(erased)', next_steps = NULL WHERE plan_id IN \
             (SELECT id FROM development_plans WHERE user_id = $1)"
                .into(),
            vec![id.into()],
        ),
        (
            "UPDATE talent_moves SET reason = '(erased)' WHERE user_id = $1".into(),
            vec![id.into()],
        ),
        (
            "DELETE FROM email_outbox WHERE recipient_user_id = $1 OR recipient_email = $2".into(),
            vec![id.into(), email.clone().into()],
        ),
        (
            "DELETE FROM account_tokens WHERE user_id = $1".into(),
            vec![id.into()],
        ),
        (
            "DELETE FROM refresh_tokens WHERE user_id = $1".into(),
            vec![id.into()],
        ),
        (
            format!("DELETE FROM login_throttle WHERE key LIKE {}", like("$1")),
            vec![email.clone().into()],
        ),
        (
            "DELETE FROM audit_values WHERE subject_id = $1".into(),
            vec![id.into()],
        ),
    ];
    // Others' text that names them: mail to colleagues, comments, notes and
    // the trail's personal values about others.
    for identifier in [name, email] {
        // A Latin name of one or two letters would be replaced inside other
        // words; a two-character Chinese name (王伟) is distinctive enough.
        let too_short = if identifier.is_ascii() {
            identifier.len() < 3
        } else {
            identifier.chars().count() < 2
        };
        if too_short {
            continue;
        }
        for (table, column) in FREE_TEXT {
            out.push((
                format!(
                    "UPDATE {table} SET {column} = REPLACE({column}, $1, '[erased]') \
                     WHERE {column} LIKE {}",
                    like("$1")
                ),
                vec![identifier.clone().into()],
            ));
        }
        out.push((
            format!("DELETE FROM audit_values WHERE value LIKE {}", like("$1")),
            vec![identifier.clone().into()],
        ));
    }
    out
}

/// Free-text columns that may mention a colleague by name or address.
const FREE_TEXT: &[(&str, &str)] = &[
    ("email_outbox", "vars"),
    ("email_outbox", "subject"),
    ("email_outbox", "last_error"),
    ("ratings", "evidence"),
    ("performance_targets", "note"),
    ("target_comments", "body"),
    ("kpi_actuals", "note"),
    ("development_goals", "title"),
    ("development_evidence", "note"),
    ("development_checkins", "notes"),
    ("development_checkins", "next_steps"),
    ("performance_target_changes", "snapshot"),
    ("certification_events", "snapshot"),
    ("talent_moves", "reason"),
];
