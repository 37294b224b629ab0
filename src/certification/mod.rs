//! Certifications: each person's progress towards the catalogue's
//! certifications, HR's verification, expiry (always derived from the date,
//! never a stored flag) and the reminders queued before it.

pub mod graphql;
mod queries;
mod reminders;
mod standing;

use async_graphql::Enum;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;

pub use self::queries::*;
pub use self::reminders::*;
pub use self::standing::*;
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::auth::policy::{self, HrOffice, RecordKeeper};
use crate::db::entities::{certification_event, certification_record as record};
use crate::db::{self};
use crate::domain::Percent;
use crate::error::{Error, Problems, Result};
use crate::framework::{Framework, FrameworkStore};

/// What is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RecordStatus {
    Planned,
    InProgress,
    Earned,
    Withdrawn,
}

crate::db::stored::stored_enum!(RecordStatus in "certification_records.status" {
    Planned = "PLANNED",
    InProgress = "IN_PROGRESS",
    Earned = "EARNED",
    Withdrawn = "WITHDRAWN",
});

/// What the API shows: the stored status, except that an earned
/// certification past its expiry date is `EXPIRED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum, Serialize)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum CertificationStatus {
    /// Intended, not started.
    Planned,
    /// Being worked on.
    InProgress,
    /// Earned and valid today.
    Earned,
    /// Earned, but past its expiry date.
    Expired,
    /// Withdrawn by its holder or a manager; no longer held.
    Withdrawn,
}

impl CertificationStatus {
    /// The name used in the API and in files.
    pub fn as_str(self) -> &'static str {
        match self {
            CertificationStatus::Planned => "PLANNED",
            CertificationStatus::InProgress => "IN_PROGRESS",
            CertificationStatus::Earned => "EARNED",
            CertificationStatus::Expired => "EXPIRED",
            CertificationStatus::Withdrawn => "WITHDRAWN",
        }
    }
}

impl From<CertificationStatus> for RecordStatus {
    fn from(s: CertificationStatus) -> Self {
        match s {
            CertificationStatus::Planned => RecordStatus::Planned,
            CertificationStatus::InProgress => RecordStatus::InProgress,
            CertificationStatus::Earned | CertificationStatus::Expired => RecordStatus::Earned,
            CertificationStatus::Withdrawn => RecordStatus::Withdrawn,
        }
    }
}

/// An earned certificate is valid through its expiry date and expired from
/// the day after.
pub fn effective_status(
    status: RecordStatus,
    expires_on: Option<NaiveDate>,
    today: NaiveDate,
) -> CertificationStatus {
    match status {
        RecordStatus::Planned => CertificationStatus::Planned,
        RecordStatus::InProgress => CertificationStatus::InProgress,
        RecordStatus::Withdrawn => CertificationStatus::Withdrawn,
        RecordStatus::Earned if expires_on.is_some_and(|e| e < today) => {
            CertificationStatus::Expired
        }
        RecordStatus::Earned => CertificationStatus::Earned,
    }
}

/// Earned date plus the certification's validity; none when it never expires.
pub fn expiry(earned_on: NaiveDate, validity_months: Option<u32>) -> Option<NaiveDate> {
    earned_on.checked_add_months(chrono::Months::new(validity_months?))
}

pub fn today() -> NaiveDate {
    crate::clock::today()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificationRecord {
    pub id: i64,
    pub user_id: i64,
    pub certification: String,
    pub stored_status: RecordStatus,
    pub progress: i32,
    pub started_on: Option<NaiveDate>,
    pub target_on: Option<NaiveDate>,
    pub earned_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub credential: Option<String>,
    pub verified_by: Option<i64>,
    pub verified_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl CertificationRecord {
    pub fn status(&self, today: NaiveDate) -> CertificationStatus {
        effective_status(self.stored_status, self.expires_on, today)
    }
}

impl TryFrom<record::Model> for CertificationRecord {
    type Error = Error;
    fn try_from(r: record::Model) -> Result<Self> {
        Ok(Self {
            id: r.id,
            user_id: r.user_id,
            certification: r.certification_key,
            stored_status: RecordStatus::from_stored(&r.status)?,
            progress: r.progress,
            started_on: r.started_on,
            target_on: r.target_on,
            earned_on: r.earned_on,
            expires_on: r.expires_on,
            credential: r.credential,
            verified_by: r.verified_by,
            verified_at: r.verified_at,
            updated_at: r.updated_at,
        })
    }
}

/// A change to a record; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct RecordChange {
    pub status: Option<RecordStatus>,
    pub progress: Option<Percent>,
    pub started_on: Option<NaiveDate>,
    pub target_on: Option<NaiveDate>,
    pub earned_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub credential: Option<String>,
}

/// Applies a change to a record's fields and checks the result: progress in
/// range, dates in order, and an earned record complete with its expiry
/// computed from the certification's validity unless one was given.
fn apply(
    fw: &Framework,
    current: &mut CertificationRecord,
    change: RecordChange,
    today: NaiveDate,
) -> Result<()> {
    let cert = fw.certification(&current.certification).ok_or_else(|| {
        Error::invalid(
            "certification",
            format!("unknown certification {:?}", current.certification),
        )
    })?;
    let becomes_earned = change.status == Some(RecordStatus::Earned)
        && current.stored_status != RecordStatus::Earned;
    if let Some(status) = change.status {
        current.stored_status = status;
    }
    if let Some(p) = change.progress {
        current.progress = p.get();
    }
    if change.started_on.is_some() {
        current.started_on = change.started_on;
    }
    if change.target_on.is_some() {
        current.target_on = change.target_on;
    }
    if change.earned_on.is_some() {
        current.earned_on = change.earned_on;
    }
    if let Some(credential) = change.credential {
        current.credential = Some(credential.trim().to_owned()).filter(|c| !c.is_empty());
    }
    if current.stored_status == RecordStatus::Earned {
        current.progress = Percent::WHOLE.get();
        let earned = *current.earned_on.get_or_insert(today);
        if change.expires_on.is_some() {
            current.expires_on = change.expires_on;
        } else if becomes_earned || change.earned_on.is_some() {
            current.expires_on = expiry(earned, cert.validity_months);
        }
    } else if change.expires_on.is_some() {
        return Err(Error::invalid(
            "expiresOn",
            "only an earned certification has an expiry date",
        ));
    }
    let mut problems = Problems::new();
    if !(0..=100).contains(&current.progress) {
        problems.add("progress", "must be between 0 and 100");
    }
    if let (Some(s), Some(t)) = (current.started_on, current.target_on)
        && t < s
    {
        problems.add("targetOn", "cannot be before the start date");
    }
    if current.earned_on.is_some_and(|e| e > today) {
        problems.add("earnedOn", "cannot be in the future");
    }
    if let (Some(e), Some(x)) = (current.earned_on, current.expires_on)
        && x < e
    {
        problems.add("expiresOn", "cannot be before the date it was earned");
    }
    if current
        .credential
        .as_deref()
        .is_some_and(|c| c.chars().count() > 500)
    {
        problems.add("credential", "must be at most 500 characters");
    }
    problems.into_result()
}

async fn log_event(
    db: &impl ConnectionTrait,
    actor: &Actor,
    record: &CertificationRecord,
    action: &str,
) -> Result<()> {
    certification_event::ActiveModel {
        record_id: Set(record.id),
        action: Set(action.into()),
        snapshot: Set(serde_json::to_string(record).map_err(|e| Error::Internal(e.into()))?),
        changed_by: Set(Some(actor.user_id)),
        changed_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

async fn save(txn: &impl ConnectionTrait, r: &CertificationRecord) -> Result<CertificationRecord> {
    let model = record::Entity::find_by_id(r.id)
        .one(txn)
        .await?
        .ok_or(Error::NotFound("certification record"))?;
    let mut active: record::ActiveModel = model.into();
    active.status = Set(r.stored_status.as_str().into());
    active.progress = Set(r.progress);
    active.started_on = Set(r.started_on);
    active.target_on = Set(r.target_on);
    active.earned_on = Set(r.earned_on);
    active.expires_on = Set(r.expires_on);
    active.credential = Set(r.credential.clone());
    active.verified_by = Set(r.verified_by);
    active.verified_at = Set(r.verified_at);
    active.updated_at = Set(crate::clock::now());
    CertificationRecord::try_from(active.update(txn).await?)
}

/// An earned certificate closes the development-plan goals to earn it, in
/// the same transaction as the record.
async fn closes_plan_goals(
    txn: &impl ConnectionTrait,
    r: &CertificationRecord,
    today: NaiveDate,
) -> Result<()> {
    let earned_on = r.earned_on.unwrap_or(today);
    crate::development::certification_earned(txn, r.user_id, &r.certification, r.id, earned_on)
        .await?;
    Ok(())
}

/// Starts a person's record of a certification (one per person and certification).
pub async fn record_certification(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    keeper: &RecordKeeper,
    certification: &str,
    change: RecordChange,
) -> Result<CertificationRecord> {
    let (actor, user_id) = (keeper.by(), keeper.subject());
    let fw = store.current(db).await?;
    let today = today();
    let mut draft = CertificationRecord {
        id: 0,
        user_id,
        certification: certification.to_owned(),
        stored_status: RecordStatus::Planned,
        progress: 0,
        started_on: None,
        target_on: None,
        earned_on: None,
        expires_on: None,
        credential: None,
        verified_by: None,
        verified_at: None,
        updated_at: crate::clock::now(),
    };
    if change.status == Some(RecordStatus::Withdrawn) {
        return Err(Error::invalid(
            "status",
            "a new record starts planned, in progress or earned",
        ));
    }
    apply(&fw, &mut draft, change, today)?;
    let txn = db::begin_write(db).await?;
    let now = crate::clock::now();
    let inserted = record::ActiveModel {
        user_id: Set(user_id),
        certification_key: Set(draft.certification.clone()),
        status: Set(draft.stored_status.as_str().into()),
        progress: Set(draft.progress),
        started_on: Set(draft.started_on),
        target_on: Set(draft.target_on),
        earned_on: Set(draft.earned_on),
        expires_on: Set(draft.expires_on),
        credential: Set(draft.credential.clone()),
        verified_by: Set(None),
        verified_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if db::is_unique_violation(&e) {
            Error::Conflict(
                "this person already has a record of this certification: update it instead".into(),
            )
        } else {
            e.into()
        }
    })?;
    let saved = CertificationRecord::try_from(inserted)?;
    log_event(&txn, actor, &saved, "RECORDED").await?;
    if saved.stored_status == RecordStatus::Earned {
        closes_plan_goals(&txn, &saved, today).await?;
    }
    audit::commit(txn, [audited("certification.record", None, &saved)]).await?;
    Ok(saved)
}

async fn load(db: &impl ConnectionTrait, id: i64) -> Result<CertificationRecord> {
    record::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("certification record"))
        .and_then(CertificationRecord::try_from)
}

pub async fn update_certification(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    record_id: i64,
    change: RecordChange,
) -> Result<CertificationRecord> {
    let fw = store.current(db).await?;
    let txn = db::begin_write(db).await?;
    let mut current = load(&txn, record_id).await?;
    policy::keep_records(actor, current.user_id)?;
    let before = current.clone();
    let was_earned = current.stored_status == RecordStatus::Earned;
    let facts_change =
        change.earned_on.is_some() || change.expires_on.is_some() || change.credential.is_some();
    apply(&fw, &mut current, change, today())?;
    // A verification vouches for one earned certificate: changing the earned
    // facts undoes it.
    if !was_earned || current.stored_status != RecordStatus::Earned || facts_change {
        current.verified_by = None;
        current.verified_at = None;
    }
    let saved = save(&txn, &current).await?;
    log_event(&txn, actor, &saved, "UPDATED").await?;
    if !was_earned && saved.stored_status == RecordStatus::Earned {
        closes_plan_goals(&txn, &saved, today()).await?;
    }
    audit::commit(
        txn,
        [audited("certification.update", Some(&before), &saved)],
    )
    .await?;
    Ok(saved)
}

/// HR confirms an earned certificate (checked the credential).
pub async fn verify_certification(
    db: &DatabaseConnection,
    hr: &HrOffice,
    record_id: i64,
) -> Result<CertificationRecord> {
    let actor = hr.by();
    let txn = db::begin_write(db).await?;
    let mut current = load(&txn, record_id).await?;
    if current.stored_status != RecordStatus::Earned {
        return Err(Error::Conflict(
            "only an earned certification can be verified".into(),
        ));
    }
    policy::verify_certification(hr, current.user_id)?;
    let before = current.clone();
    current.verified_by = Some(actor.user_id);
    current.verified_at = Some(crate::clock::now());
    let saved = save(&txn, &current).await?;
    log_event(&txn, actor, &saved, "VERIFIED").await?;
    audit::commit(
        txn,
        [audited("certification.verify", Some(&before), &saved)],
    )
    .await?;
    Ok(saved)
}

pub async fn withdraw_certification(
    db: &DatabaseConnection,
    actor: &Actor,
    record_id: i64,
) -> Result<CertificationRecord> {
    let txn = db::begin_write(db).await?;
    let mut current = load(&txn, record_id).await?;
    policy::keep_records(actor, current.user_id)?;
    let before = current.clone();
    current.stored_status = RecordStatus::Withdrawn;
    current.verified_by = None;
    current.verified_at = None;
    let saved = save(&txn, &current).await?;
    log_event(&txn, actor, &saved, "WITHDRAWN").await?;
    audit::commit(
        txn,
        [audited("certification.withdraw", Some(&before), &saved)],
    )
    .await?;
    Ok(saved)
}

/// The audit entry of a certification record's change (a verification
/// undone shows as `verified_by` emptied).
fn audited(
    action: &'static str,
    before: Option<&CertificationRecord>,
    after: &CertificationRecord,
) -> Change {
    Change::new(action, "certification_record", after.id)
        .about(after.user_id)
        .diff(before, Some(after))
}

#[derive(Debug, Clone, PartialEq)]
pub struct CertificationEvent {
    pub action: String,
    pub snapshot: String,
    pub changed_by: Option<i64>,
    pub changed_at: DateTime<Utc>,
}

/// One record, if the caller may read the person's work (as its history).
pub async fn record_in_reach(
    db: &DatabaseConnection,
    actor: &Actor,
    record_id: i64,
) -> Result<CertificationRecord> {
    let record = load(db, record_id).await?;
    policy::view_work(actor, record.user_id)?;
    Ok(record)
}

pub async fn record_history(
    db: &DatabaseConnection,
    actor: &Actor,
    record_id: i64,
) -> Result<Vec<CertificationEvent>> {
    let current = load(db, record_id).await?;
    policy::view_work(actor, current.user_id)?;
    Ok(certification_event::Entity::find()
        .filter(certification_event::Column::RecordId.eq(record_id))
        .order_by_asc(certification_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|e| CertificationEvent {
            action: e.action,
            snapshot: e.snapshot,
            changed_by: e.changed_by,
            changed_at: e.changed_at,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn expiry_adds_the_validity_and_is_derived_day_by_day() {
        let expires = expiry(date("2025-11-24"), Some(12)).unwrap();
        assert_eq!(expires, date("2026-11-24"));
        assert_eq!(
            expiry(date("2024-02-29"), Some(12)),
            Some(date("2025-02-28"))
        );
        assert_eq!(expiry(date("2025-01-01"), None), None);
        let on_the_day = effective_status(RecordStatus::Earned, Some(expires), date("2026-11-24"));
        let day_after = effective_status(RecordStatus::Earned, Some(expires), date("2026-11-25"));
        assert_eq!(
            (on_the_day, day_after),
            (CertificationStatus::Earned, CertificationStatus::Expired)
        );
        assert_eq!(
            effective_status(RecordStatus::Earned, None, date("2099-01-01")),
            CertificationStatus::Earned
        );
    }
}
