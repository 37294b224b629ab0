//! KPIs and performance targets: managers set weighted targets on catalogue
//! KPIs for their reports per period; actual values are recorded (by hand or
//! by CSV); attainment and the weighted score follow (see `attainment`).

pub mod attainment;
mod csv_import;
pub mod graphql;
pub mod period;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

pub use self::attainment::TargetValues;
pub use self::csv_import::import_actuals;
pub use self::period::Period;
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::auth::policy::{self, PeopleScope, TeamView, WorkManager, WorkReader};
use crate::db::entities::{kpi_actual, performance_target, target_change, target_comment};
use crate::db::{self};
use crate::domain::Weight;
use crate::error::{Error, Problems, Result};
use crate::framework::document::Aggregation;
use crate::framework::{Framework, FrameworkStore};
use crate::mail::{self, MessageKind};
use crate::people;

/// The total every period's weights must reach.
pub const FULL_WEIGHT: i32 = Weight::FULL;

#[derive(Debug, Clone)]
pub struct TargetInput {
    pub kpi: String,
    pub weight: i32,
    pub target: f64,
    pub threshold: Option<f64>,
    pub stretch: Option<f64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PerformanceTarget {
    pub id: i64,
    pub user_id: i64,
    pub period: String,
    pub kpi: String,
    pub weight: i32,
    pub target: f64,
    pub threshold: Option<f64>,
    pub stretch: Option<f64>,
    pub note: Option<String>,
    pub updated_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
}

impl From<performance_target::Model> for PerformanceTarget {
    fn from(r: performance_target::Model) -> Self {
        Self {
            id: r.id,
            user_id: r.user_id,
            period: r.period,
            kpi: r.kpi_key,
            weight: r.weight,
            target: r.target_value,
            threshold: r.threshold_value,
            stretch: r.stretch_value,
            note: r.note,
            updated_by: r.updated_by,
            updated_at: r.updated_at,
        }
    }
}

/// Checks one target against the catalogue and the attainment rules.
fn check_target(fw: &Framework, input: &TargetInput, prefix: &str, problems: &mut Problems) {
    let Some(kpi) = fw.kpi(&input.kpi) else {
        problems.add(
            format!("{prefix}kpi"),
            format!("unknown KPI {:?}", input.kpi),
        );
        return;
    };
    problems.check(Weight::parse(input.weight, &format!("{prefix}weight")));
    if input
        .note
        .as_deref()
        .is_some_and(|n| n.chars().count() > 2000)
    {
        problems.add(format!("{prefix}note"), "must be at most 2000 characters");
    }
    let values = TargetValues {
        direction: kpi.direction,
        threshold: input.threshold,
        target: input.target,
        stretch: input.stretch,
    };
    if let Err(Error::Invalid(list)) = values.check() {
        for p in list {
            problems.add(format!("{prefix}{}", p.field), p.message);
        }
    }
}

async fn record_change(
    db: &impl ConnectionTrait,
    actor: &Actor,
    user_id: i64,
    period: &str,
    kpi: &str,
    action: &str,
    snapshot: Option<&PerformanceTarget>,
) -> Result<()> {
    target_change::ActiveModel {
        user_id: Set(user_id),
        period: Set(period.to_owned()),
        kpi_key: Set(kpi.to_owned()),
        action: Set(action.to_owned()),
        snapshot: Set(snapshot.map(|s| serde_json::to_string(s).unwrap_or_default())),
        changed_by: Set(Some(actor.user_id)),
        changed_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

async fn targets_of(
    db: &impl ConnectionTrait,
    user_id: i64,
    period: &str,
) -> Result<Vec<PerformanceTarget>> {
    Ok(performance_target::Entity::find()
        .filter(performance_target::Column::UserId.eq(user_id))
        .filter(performance_target::Column::Period.eq(period))
        .order_by_asc(performance_target::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Upserts one target inside a transaction, recording the change.
async fn upsert(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    user_id: i64,
    period: &str,
    input: &TargetInput,
    existing: Option<&PerformanceTarget>,
) -> Result<PerformanceTarget> {
    let now = crate::clock::now();
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let row = match existing {
        Some(current) => {
            let mut row: performance_target::ActiveModel =
                performance_target::Entity::find_by_id(current.id)
                    .one(txn)
                    .await?
                    .ok_or(Error::NotFound("performance target"))?
                    .into();
            row.weight = Set(input.weight);
            row.target_value = Set(input.target);
            row.threshold_value = Set(input.threshold);
            row.stretch_value = Set(input.stretch);
            row.note = Set(note);
            row.updated_by = Set(Some(actor.user_id));
            row.updated_at = Set(now);
            row.update(txn).await?
        }
        None => performance_target::ActiveModel {
            user_id: Set(user_id),
            period: Set(period.to_owned()),
            kpi_key: Set(input.kpi.clone()),
            weight: Set(input.weight),
            target_value: Set(input.target),
            threshold_value: Set(input.threshold),
            stretch_value: Set(input.stretch),
            note: Set(note),
            updated_by: Set(Some(actor.user_id)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await
        .map_err(|e| {
            if db::is_unique_violation(&e) {
                Error::Conflict("this target was set at the same time; try again".into())
            } else {
                e.into()
            }
        })?,
    };
    let target = PerformanceTarget::from(row);
    let action = if existing.is_some() { "CHANGE" } else { "SET" };
    record_change(
        txn,
        actor,
        user_id,
        period,
        &input.kpi,
        action,
        Some(&target),
    )
    .await?;
    Ok(target)
}

/// Sets a person's whole set of targets for a period at once: targets not
/// listed are removed, and the weights must total exactly 100.
pub async fn set_targets(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    manager: &WorkManager,
    period: Period,
    inputs: Vec<TargetInput>,
) -> Result<Vec<PerformanceTarget>> {
    let (actor, user_id) = (manager.by(), manager.subject());
    let period = period.to_string();
    let fw = store.current(db).await?;
    let mut problems = Problems::new();
    let mut seen = std::collections::HashSet::new();
    for (i, input) in inputs.iter().enumerate() {
        check_target(&fw, input, &format!("targets[{i}]."), &mut problems);
        if !seen.insert(input.kpi.as_str()) {
            problems.add(format!("targets[{i}].kpi"), "appears twice");
        }
    }
    let total: i64 = inputs.iter().map(|t| i64::from(t.weight)).sum();
    if total != i64::from(FULL_WEIGHT) {
        problems.add(
            "targets",
            format!("the weights total {total}; they must total {FULL_WEIGHT}"),
        );
    }
    problems.into_result()?;

    let txn = db::begin_write(db).await?;
    db::lock_person(&txn, user_id).await?;
    let existing = targets_of(&txn, user_id, &period).await?;
    for old in existing
        .iter()
        .filter(|t| !inputs.iter().any(|i| i.kpi == t.kpi))
    {
        performance_target::Entity::delete_by_id(old.id)
            .exec(&txn)
            .await?;
        record_change(&txn, actor, user_id, &period, &old.kpi, "REMOVE", None).await?;
    }
    let mut saved = Vec::with_capacity(inputs.len());
    for input in &inputs {
        let current = existing.iter().find(|t| t.kpi == input.kpi);
        saved.push(upsert(&txn, actor, user_id, &period, input, current).await?);
    }
    notify_targets(&txn, &fw, actor, user_id, &period).await?;
    let trail = existing
        .iter()
        .filter(|t| !inputs.iter().any(|i| i.kpi == t.kpi))
        .map(|old| target_change(old, None))
        .chain(saved.iter().map(|new| target_change_from(&existing, new)))
        .collect::<Vec<_>>();
    audit::commit(txn, trail).await?;
    Ok(saved)
}

/// Adds or changes one target. The period's weights may never exceed 100;
/// the score counts once they total exactly 100 (`setPerformanceTargets`
/// replaces a whole set at once).
pub async fn set_target(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    manager: &WorkManager,
    period: Period,
    input: TargetInput,
) -> Result<PerformanceTarget> {
    let (actor, user_id) = (manager.by(), manager.subject());
    let period = period.to_string();
    let fw = store.current(db).await?;
    let mut problems = Problems::new();
    check_target(&fw, &input, "", &mut problems);
    problems.into_result()?;
    let txn = db::begin_write(db).await?;
    db::lock_person(&txn, user_id).await?;
    let existing = targets_of(&txn, user_id, &period).await?;
    let others: i32 = existing
        .iter()
        .filter(|t| t.kpi != input.kpi)
        .map(|t| t.weight)
        .sum();
    if others + input.weight > FULL_WEIGHT {
        return Err(Error::invalid(
            "weight",
            format!(
                "the period's weights would total {}; they may not exceed {FULL_WEIGHT}",
                others + input.weight
            ),
        ));
    }
    let current = existing.iter().find(|t| t.kpi == input.kpi);
    let saved = upsert(&txn, actor, user_id, &period, &input, current).await?;
    notify_targets(&txn, &fw, actor, user_id, &period).await?;
    audit::commit(txn, [target_change_from(&existing, &saved)]).await?;
    Ok(saved)
}

/// The audit entry of a target set, changed (`after` given) or removed.
fn target_change(before: &PerformanceTarget, after: Option<&PerformanceTarget>) -> Change {
    let action = if after.is_some() {
        "target.update"
    } else {
        "target.remove"
    };
    Change::new(action, "target", before.id)
        .about(before.user_id)
        .diff(Some(before), after)
}

fn target_change_from(existing: &[PerformanceTarget], saved: &PerformanceTarget) -> Change {
    match existing.iter().find(|t| t.kpi == saved.kpi) {
        Some(before) => target_change(before, Some(saved)),
        None => Change::new("target.create", "target", saved.id)
            .about(saved.user_id)
            .diff(None, Some(saved)),
    }
}

/// Tells the person their targets for the period were set or changed, with
/// the whole current set (same transaction as the change).
async fn notify_targets(
    txn: &impl ConnectionTrait,
    fw: &Framework,
    actor: &Actor,
    user_id: i64,
    period: &str,
) -> Result<()> {
    let people = mail::recipients(txn, &[user_id, actor.user_id]).await?;
    let Some(to) = people.get(&user_id) else {
        return Ok(());
    };
    let manager = people
        .get(&actor.user_id)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let targets: Vec<serde_json::Value> = targets_of(txn, user_id, period)
        .await?
        .iter()
        .map(|t| {
            let name = fw.kpi(&t.kpi).map_or(t.kpi.clone(), |k| k.name.get(to.locale).to_owned());
            serde_json::json!({"kpi_name": name, "weight": t.weight, "target": format!("{}", t.target)})
        })
        .collect();
    mail::enqueue(
        txn,
        to,
        MessageKind::TargetsSet,
        &format!("/performance/{user_id}/{period}"),
        serde_json::json!({"manager_name": manager, "period": period, "targets": targets}),
    )
    .await?;
    Ok(())
}

pub async fn remove_target(
    db: &DatabaseConnection,
    manager: &WorkManager,
    period: Period,
    kpi: &str,
) -> Result<()> {
    let (actor, user_id) = (manager.by(), manager.subject());
    let period = period.to_string();
    let txn = db::begin_write(db).await?;
    let before = targets_of(&txn, user_id, &period)
        .await?
        .into_iter()
        .find(|t| t.kpi == kpi);
    let removed = performance_target::Entity::delete_many()
        .filter(performance_target::Column::UserId.eq(user_id))
        .filter(performance_target::Column::Period.eq(&period))
        .filter(performance_target::Column::KpiKey.eq(kpi))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(Error::NotFound("performance target"));
    }
    record_change(&txn, actor, user_id, &period, kpi, "REMOVE", None).await?;
    audit::commit(txn, before.iter().map(|t| target_change(t, None))).await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetChange {
    pub kpi: String,
    pub action: String,
    pub snapshot: Option<String>,
    pub changed_by: Option<i64>,
    pub changed_at: DateTime<Utc>,
}

pub async fn target_history(
    db: &DatabaseConnection,
    reader: &WorkReader,
    period: Period,
) -> Result<Vec<TargetChange>> {
    let user_id = reader.subject();
    let period = period.to_string();
    Ok(target_change::Entity::find()
        .filter(target_change::Column::UserId.eq(user_id))
        .filter(target_change::Column::Period.eq(period))
        .order_by_asc(target_change::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| TargetChange {
            kpi: r.kpi_key,
            action: r.action,
            snapshot: r.snapshot,
            changed_by: r.changed_by,
            changed_at: r.changed_at,
        })
        .collect())
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetComment {
    pub id: i64,
    pub target_id: i64,
    pub author_id: i64,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// The person (or whoever manages them) comments on a target; comments never change it.
pub async fn comment_on_target(
    db: &DatabaseConnection,
    actor: &Actor,
    target_id: i64,
    body: &str,
) -> Result<TargetComment> {
    let target = performance_target::Entity::find_by_id(target_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("performance target"))?;
    // Whose target it is is known only once the row is read.
    policy::comment_on_target(actor, target.user_id)?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 2000 {
        return Err(Error::invalid("body", "is required, up to 2000 characters"));
    }
    let txn = db::begin_write(db).await?;
    let row = target_comment::ActiveModel {
        target_id: Set(target_id),
        author_id: Set(actor.user_id),
        body: Set(body.to_owned()),
        created_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let commented = Change::new("target.comment", "target_comment", row.id)
        .about(target.user_id)
        .diff(None, Some(&row));
    audit::commit(txn, [commented]).await?;
    Ok(TargetComment {
        id: row.id,
        target_id,
        author_id: row.author_id,
        body: row.body,
        created_at: row.created_at,
    })
}

/// Comments on the given targets, oldest first, in one query.
pub async fn comments_on(
    db: &DatabaseConnection,
    target_ids: &[i64],
) -> Result<HashMap<i64, Vec<TargetComment>>> {
    let rows = target_comment::Entity::find()
        .filter(target_comment::Column::TargetId.is_in(target_ids.iter().copied()))
        .order_by_asc(target_comment::Column::Id)
        .all(db)
        .await?;
    let mut map: HashMap<i64, Vec<TargetComment>> = HashMap::new();
    for r in rows {
        map.entry(r.target_id).or_default().push(TargetComment {
            id: r.id,
            target_id: r.target_id,
            author_id: r.author_id,
            body: r.body,
            created_at: r.created_at,
        });
    }
    Ok(map)
}

#[derive(Debug, Clone, PartialEq)]
pub struct KpiActual {
    pub id: i64,
    pub user_id: i64,
    pub period: String,
    pub kpi: String,
    pub value: f64,
    pub note: Option<String>,
    pub source: String,
    pub recorded_at: DateTime<Utc>,
}

impl From<kpi_actual::Model> for KpiActual {
    fn from(r: kpi_actual::Model) -> Self {
        Self {
            id: r.id,
            user_id: r.user_id,
            period: r.period,
            kpi: r.kpi_key,
            value: r.value,
            note: r.note,
            source: r.source,
            recorded_at: r.recorded_at,
        }
    }
}

pub(crate) fn check_value(value: f64, field: &str) -> Result<()> {
    if value.is_finite() && value.abs() <= attainment::MAX_MAGNITUDE {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!(
                "must be a number between -{max:e} and {max:e}",
                max = attainment::MAX_MAGNITUDE
            ),
        ))
    }
}

/// One reading of a KPI, as the caller sent it.
#[derive(Debug, Clone)]
pub struct ActualInput {
    pub period: Period,
    pub kpi: String,
    pub value: f64,
    pub note: Option<String>,
}

/// Records one reading of a KPI for the person `manager` may manage
/// (managers for their reports, HR for anyone).
pub async fn record_actual(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    manager: &WorkManager,
    input: ActualInput,
) -> Result<KpiActual> {
    let (actor, user_id) = (manager.by(), manager.subject());
    let ActualInput {
        period,
        kpi,
        value,
        note,
    } = input;
    let kpi = kpi.as_str();
    let period = period.to_string();
    if store.current(db).await?.kpi(kpi).is_none() {
        return Err(Error::invalid("kpi", format!("unknown KPI {kpi:?}")));
    }
    check_value(value, "value")?;
    let row = kpi_actual::ActiveModel {
        user_id: Set(user_id),
        period: Set(period),
        kpi_key: Set(kpi.to_owned()),
        value: Set(value),
        note: Set(note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty())),
        source: Set("MANUAL".into()),
        recorded_by: Set(Some(actor.user_id)),
        recorded_at: Set(crate::clock::now()),
        ..Default::default()
    };
    let txn = db::begin_write(db).await?;
    let row = row.insert(&txn).await?;
    let recorded = Change::new("actual.record", "kpi_actual", row.id)
        .about(user_id)
        .diff(None, Some(&row));
    audit::commit(txn, [recorded]).await?;
    Ok(row.into())
}

/// Combines a period's readings of one KPI per its aggregation. Readings come
/// in the order they were recorded.
/// None without readings, and None rather than infinity or NaN (readings
/// stored before values were bounded could overflow): attainment is never
/// computed from a non-finite value.
pub fn aggregate(aggregation: Aggregation, readings: &[f64]) -> Option<f64> {
    let last = *readings.last()?;
    let combined = match aggregation {
        Aggregation::Sum => readings.iter().sum(),
        Aggregation::Average => readings.iter().sum::<f64>() / readings.len() as f64,
        Aggregation::Last => last,
    };
    combined.is_finite().then_some(combined)
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetResult {
    pub target: PerformanceTarget,
    pub actual: Option<f64>,
    pub readings: usize,
    pub attainment: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Performance {
    pub user_id: i64,
    pub period: String,
    pub targets: Vec<TargetResult>,
    pub weight_total: i32,
    /// Present once the weights total 100.
    pub score: Option<f64>,
    /// Every target has at least one actual value.
    pub complete: bool,
}

/// Attainment and score from targets and readings: no database here.
pub fn evaluate(
    fw: &Framework,
    user_id: i64,
    period: &str,
    targets: Vec<PerformanceTarget>,
    readings: &[KpiActual],
) -> Performance {
    let results: Vec<TargetResult> = targets
        .into_iter()
        .map(|t| {
            let values: Vec<f64> = readings
                .iter()
                .filter(|r| r.kpi == t.kpi)
                .map(|r| r.value)
                .collect();
            let kpi = fw.kpi(&t.kpi);
            let actual = kpi.and_then(|k| aggregate(k.aggregation, &values));
            let attainment = match (kpi, actual) {
                (Some(k), Some(a)) => Some(
                    TargetValues {
                        direction: k.direction,
                        threshold: t.threshold,
                        target: t.target,
                        stretch: t.stretch,
                    }
                    .attainment(a),
                ),
                _ => None,
            };
            TargetResult {
                readings: values.len(),
                target: t,
                actual,
                attainment,
            }
        })
        .collect();
    let weight_total = results.iter().map(|r| r.target.weight).sum();
    let score = (weight_total == FULL_WEIGHT).then(|| {
        attainment::weighted_score(results.iter().map(|r| (r.target.weight, r.attainment)))
    });
    Performance {
        user_id,
        period: period.to_owned(),
        complete: !results.is_empty() && results.iter().all(|r| r.actual.is_some()),
        targets: results,
        weight_total,
        score,
    }
}

async fn readings_for(
    db: &impl ConnectionTrait,
    user_ids: &[i64],
    period: &str,
) -> Result<Vec<KpiActual>> {
    Ok(kpi_actual::Entity::find()
        .filter(kpi_actual::Column::UserId.is_in(user_ids.iter().copied()))
        .filter(kpi_actual::Column::Period.eq(period))
        .order_by_asc(kpi_actual::Column::RecordedAt)
        .order_by_asc(kpi_actual::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// One target, if the caller may read its person's performance.
pub async fn target_in_reach(
    db: &DatabaseConnection,
    actor: &Actor,
    target_id: i64,
) -> Result<PerformanceTarget> {
    let row = performance_target::Entity::find_by_id(target_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("performance target"))?;
    policy::view_work(actor, row.user_id)?;
    Ok(row.into())
}

/// One reading, if the caller may read its person's performance.
pub async fn actual_in_reach(
    db: &DatabaseConnection,
    actor: &Actor,
    actual_id: i64,
) -> Result<KpiActual> {
    let row = kpi_actual::Entity::find_by_id(actual_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("KPI actual"))?;
    policy::view_work(actor, row.user_id)?;
    Ok(row.into())
}

/// A person's targets, actuals, attainment and score for a period.
pub async fn performance(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    user_id: i64,
    period: &str,
) -> Result<Performance> {
    policy::view_work(actor, user_id)?;
    let period = Period::parse(period)?.to_string();
    let fw = store.current(db).await?;
    let targets = targets_of(db, user_id, &period).await?;
    let readings = readings_for(db, &[user_id], &period).await?;
    Ok(evaluate(&fw, user_id, &period, targets, &readings))
}

/// Every member of a team (and its sub-teams) the caller may see, with their
/// score for the period: three statements whatever the team's size.
pub async fn team_performance(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    view: &TeamView,
    team_id: i64,
    period: Period,
) -> Result<Vec<Performance>> {
    let managed = view.scope();
    let period = period.to_string();
    let in_team = people::PeopleSelection {
        team_id: Some(team_id),
        ..Default::default()
    };
    let members = people::people_ids(db, &managed, &in_team).await?;
    if members.is_empty() && managed != PeopleScope::Everyone {
        return Err(Error::Forbidden("this team is not yours"));
    }
    let fw = store.current(db).await?;
    evaluate_many(db, &fw, members, &period).await
}

/// Targets, actuals and scores of many people for one period (already
/// parsed), in two statements whatever their number. The caller has decided
/// who may be read.
pub(crate) async fn evaluate_many(
    db: &impl ConnectionTrait,
    fw: &Framework,
    members: Vec<i64>,
    period: &str,
) -> Result<Vec<Performance>> {
    let targets = performance_target::Entity::find()
        .filter(performance_target::Column::UserId.is_in(members.iter().copied()))
        .filter(performance_target::Column::Period.eq(period))
        .order_by_asc(performance_target::Column::Id)
        .all(db)
        .await?;
    let mut readings_of: HashMap<i64, Vec<KpiActual>> = HashMap::new();
    for reading in readings_for(db, &members, period).await? {
        readings_of
            .entry(reading.user_id)
            .or_default()
            .push(reading);
    }
    let mut by_person: HashMap<i64, Vec<PerformanceTarget>> = HashMap::new();
    for t in targets {
        by_person.entry(t.user_id).or_default().push(t.into());
    }
    Ok(members
        .into_iter()
        .map(|id| {
            let mine = readings_of.remove(&id).unwrap_or_default();
            evaluate(
                fw,
                id,
                period,
                by_person.remove(&id).unwrap_or_default(),
                &mine,
            )
        })
        .collect())
}

#[cfg(test)]
mod overflow_tests {
    use super::*;

    #[test]
    fn an_overflowing_aggregate_is_no_actual() {
        assert_eq!(aggregate(Aggregation::Sum, &[1.7e308, 1.7e308]), None);
        assert_eq!(aggregate(Aggregation::Average, &[1.7e308, 1.7e308]), None);
        assert_eq!(aggregate(Aggregation::Sum, &[1.0, 2.5]), Some(3.5));
        assert!(check_value(1.7e308, "value").is_err());
        assert!(check_value(1e15, "value").is_ok());
    }
}
