//! Gathering what scoring needs, for one person or a whole organisation, in
//! a fixed number of set-based queries: people, their latest ratings, valid
//! certifications, and recent KPI results.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{DatabaseConnection, FromQueryResult, Value};

use super::scoring::{self, Candidate, KpiRecord, KpiShortfall, PersonSnapshot, SkillEvidence};
use crate::auth::Actor;
use crate::auth::policy::{self, TeamView, WorkReader};
use crate::db::Conditions;
use crate::db::entities::{kpi_actual, performance_target};
use crate::domain::Proficiency;
use crate::error::{Error, Result};
use crate::framework::{Framework, FrameworkStore};
use crate::kpi::{self, Period};
use crate::people::{self, PeopleSelection};

pub use super::scoring::months_between;

#[derive(FromQueryResult)]
struct PersonRow {
    id: i64,
    job_role: String,
    career_level: String,
    level_since: Option<NaiveDate>,
}

#[derive(FromQueryResult)]
struct RatingRow {
    subject_id: i64,
    kind: String,
    cycle_id: i64,
    submitted_at: Option<DateTime<Utc>>,
    skill_key: String,
    level: i16,
}

#[derive(FromQueryResult)]
struct HeldRow {
    user_id: i64,
    certification_key: String,
    verified: bool,
}

/// Every submitted rating of the people, across cycles: per skill, the
/// latest manager rating stands until a newer manager rating replaces it,
/// whatever the person rated themselves since.
const ALL_RATINGS: &str = "SELECT a.subject_id, a.kind, a.cycle_id, a.submitted_at, r.skill_key, r.level FROM assessments a \
    JOIN ratings r ON r.assessment_id = a.id JOIN users u ON u.id = a.subject_id";

/// Snapshots of everyone matching `people` (conditions on `users u`).
pub async fn snapshots(
    db: &DatabaseConnection,
    fw: &Framework,
    people: &Conditions,
    today: NaiveDate,
) -> Result<Vec<PersonSnapshot>> {
    let backend = db.get_database_backend();
    let mut placed = people.clone();
    placed.push("u.job_role IS NOT NULL AND u.career_level IS NOT NULL", []);
    let persons = PersonRow::find_by_statement(placed.statement(
        backend,
        "SELECT u.id, u.job_role, u.career_level, u.level_since FROM users u",
        "ORDER BY u.id",
    ))
    .all(db)
    .await?;

    let mut rated = people.clone();
    rated.push("a.status = 'SUBMITTED'", []);
    rated.push("a.kind IN ('SELF', 'MANAGER', 'PEER')", []);
    // No ORDER BY: sorting every rating of an organisation costs more than
    // keeping the latest cycle per skill while reading (`skill_evidence`).
    let ratings = RatingRow::find_by_statement(rated.statement(backend, ALL_RATINGS, ""))
        .all(db)
        .await?;

    // Gates and "held" counts trust only what HR verified; an earned record
    // awaiting verification is named as such, never counted.
    let mut valid = people.clone();
    valid.push(
        "r.status = 'EARNED' AND (r.expires_on IS NULL OR r.expires_on >= ?)",
        [Value::from(today)],
    );
    let held = HeldRow::find_by_statement(valid.statement(
        backend,
        "SELECT r.user_id, r.certification_key, (r.verified_at IS NOT NULL) AS verified FROM certification_records r JOIN users u ON u.id = r.user_id",
        "",
    ))
    .all(db)
    .await?;

    // KPI results: periods that ended within the last year, and periods
    // running today (no evidence yet, only their end date). Periods sort as
    // text by year first, so one bound narrows the read.
    let since_year = (today.year() - 1).to_string();
    let mut recent = people.clone();
    recent.push("t.period >= ?", [Value::from(since_year.clone())]);
    let targets = performance_target::Model::find_by_statement(recent.statement(
        backend,
        "SELECT t.* FROM performance_targets t JOIN users u ON u.id = t.user_id",
        "ORDER BY t.id",
    ))
    .all(db)
    .await?;
    let mut recent = people.clone();
    recent.push("t.period >= ?", [Value::from(since_year)]);
    let actuals = kpi_actual::Model::find_by_statement(recent.statement(
        backend,
        "SELECT t.* FROM kpi_actuals t JOIN users u ON u.id = t.user_id",
        "ORDER BY t.recorded_at, t.id",
    ))
    .all(db)
    .await?;

    let skills = skill_evidence(ratings, today);
    let mut certifications: HashMap<i64, (HashSet<String>, HashSet<String>)> = HashMap::new();
    for h in held {
        let entry = certifications.entry(h.user_id).or_default();
        if h.verified {
            entry.0.insert(h.certification_key);
        } else {
            entry.1.insert(h.certification_key);
        }
    }
    let (mut kpis, running) = kpi_records(fw, targets, actuals, today);

    let mut skills = skills;
    Ok(persons
        .into_iter()
        .map(|p| {
            let (verified, unverified) = certifications.remove(&p.id).unwrap_or_default();
            PersonSnapshot {
                user_id: p.id,
                today,
                level_since: p.level_since,
                skills: skills.remove(&p.id).unwrap_or_default(),
                kpi: kpis.remove(&p.id),
                kpi_running_until: running.get(&p.id).copied(),
                certifications: verified,
                unverified_certifications: unverified,
                role: p.job_role,
                level: p.career_level,
            }
        })
        .collect())
}

/// Per person and skill, the latest rating of each kind (the highest cycle
/// id; one submitted assessment per kind and cycle, peers aside).
fn skill_evidence(
    rows: Vec<RatingRow>,
    today: NaiveDate,
) -> HashMap<i64, HashMap<String, SkillEvidence>> {
    // (manager level, age, cycle), (own level, cycle), (peer level, cycle).
    type Seen = (Option<(u8, u32, i64)>, Option<(u8, i64)>, Option<(u8, i64)>);
    let mut seen: HashMap<i64, HashMap<String, Seen>> = HashMap::new();
    for r in rows {
        let level = Proficiency::from_stored(r.level).get();
        let entry = seen
            .entry(r.subject_id)
            .or_default()
            .entry(r.skill_key)
            .or_default();
        let cycle = r.cycle_id;
        match r.kind.as_str() {
            "MANAGER" => {
                if entry.0.is_none_or(|(_, _, c)| cycle >= c) {
                    let age = r
                        .submitted_at
                        .map_or(0, |at| months_between(at.date_naive(), today));
                    entry.0 = Some((level, age, cycle));
                }
            }
            "SELF" => {
                if entry.1.is_none_or(|(_, c)| cycle >= c) {
                    entry.1 = Some((level, cycle));
                }
            }
            _ => {
                // Several peers in one cycle: the highest counts as the signal.
                entry.2 = match entry.2 {
                    Some((l, c)) if c == cycle => Some((l.max(level), c)),
                    Some((l, c)) if c > cycle => Some((l, c)),
                    _ => Some((level, cycle)),
                }
            }
        }
    }
    seen.into_iter()
        .map(|(user, skills)| {
            let skills = skills
                .into_iter()
                .map(|(skill, (manager, own, peer))| {
                    let evidence = SkillEvidence {
                        manager: manager.map(|(l, age, _)| (l, age)),
                        own: own.map(|(l, _)| l),
                        own_newer: matches!(
                            (own, manager),
                            (Some((_, o)), Some((_, _, m))) if o > m
                        ),
                        peer: peer.map(|(l, _)| l),
                    };
                    (skill, evidence)
                })
                .collect();
            (user, skills)
        })
        .collect()
}

/// Finished periods of the last year give the KPI record; a running period
/// gives only the day its results can first count.
fn kpi_records(
    fw: &Framework,
    targets: Vec<performance_target::Model>,
    actuals: Vec<kpi_actual::Model>,
    today: NaiveDate,
) -> (HashMap<i64, KpiRecord>, HashMap<i64, NaiveDate>) {
    type Key = (i64, String);
    let mut by_period: HashMap<Key, (Vec<kpi::PerformanceTarget>, Vec<kpi::KpiActual>)> =
        HashMap::new();
    let mut running: HashMap<i64, NaiveDate> = HashMap::new();
    let finished = |p: &str| {
        Period::parse(p).is_ok_and(|p| {
            let (_, end) = p.dates();
            end < today && end >= today - chrono::Days::new(365)
        })
    };
    for t in targets {
        if let Ok(period) = Period::parse(&t.period) {
            let (start, end) = period.dates();
            if start <= today && today <= end {
                let until = running.entry(t.user_id).or_insert(end);
                *until = (*until).min(end);
            }
        }
        if finished(&t.period) {
            by_period
                .entry((t.user_id, t.period.clone()))
                .or_default()
                .0
                .push(t.into());
        }
    }
    for a in actuals.into_iter().filter(|a| finished(&a.period)) {
        if let Some(entry) = by_period.get_mut(&(a.user_id, a.period.clone())) {
            entry.1.push(a.into());
        }
    }
    // Per person: (sum, count, latest finished period's end and results).
    type Acc = (
        f64,
        u32,
        Option<(NaiveDate, String, Vec<kpi::TargetResult>)>,
    );
    let mut acc: HashMap<i64, Acc> = HashMap::new();
    let mut keys: Vec<Key> = by_period.keys().cloned().collect();
    keys.sort();
    for key in keys {
        let Some((targets, readings)) = by_period.remove(&key) else {
            continue;
        };
        let (user, period) = key;
        let performance = kpi::evaluate(fw, user, &period, targets, &readings);
        let Some(score) = performance.score else {
            continue;
        };
        let end = Period::parse(&period).map(|p| p.dates().1).unwrap_or(today);
        let entry = acc.entry(user).or_default();
        entry.0 += score;
        entry.1 += 1;
        if entry.2.as_ref().is_none_or(|(e, _, _)| end > *e) {
            entry.2 = Some((end, period, performance.targets));
        }
    }
    let records = acc
        .into_iter()
        .map(|(user, (sum, n, latest))| {
            let mut periods = Vec::new();
            let weakest = latest.and_then(|(_, period, results)| {
                periods.push(period.clone());
                results
                    .into_iter()
                    .map(|r| {
                        let attainment = r.attainment;
                        let missing = f64::from(r.target.weight)
                            * (100.0 - attainment.unwrap_or(0.0).min(100.0));
                        (missing, r.target.kpi, attainment, r.target.weight)
                    })
                    .filter(|(missing, ..)| *missing > 0.0)
                    .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
                    .map(|(_, kpi, attainment, weight)| KpiShortfall {
                        kpi,
                        period: period.clone(),
                        attainment,
                        weight: weight.clamp(0, 100) as u8,
                    })
            });
            let record = KpiRecord {
                score: sum / f64::from(n),
                periods,
                weakest,
            };
            (user, record)
        })
        .collect();
    (records, running)
}

pub struct PersonPaths {
    pub person: PersonSnapshot,
    pub framework: std::sync::Arc<Framework>,
    pub moves: Vec<Candidate>,
    /// When a target was asked for: the route to it, scored.
    pub target: Option<Candidate>,
    /// Colleagues strong in each gap skill: skill → (person, level), best first.
    pub mentors: HashMap<String, Vec<(i64, u8)>>,
}

/// One person's next moves (and optionally the route to a chosen target),
/// with mentors for their gaps among the people the caller may see.
pub async fn advancement_paths(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    reader: &WorkReader,
    target: Option<(&str, &str)>,
    today: NaiveDate,
) -> Result<PersonPaths> {
    let (actor, user_id) = (reader.by(), reader.subject());
    let fw = store.current(db).await?;
    let mut one = Conditions::default();
    one.push("u.id = ?", [Value::from(user_id)]);
    let person = snapshots(db, &fw, &one, today)
        .await?
        .pop()
        .ok_or_else(|| {
            Error::invalid(
                "userId",
                "this person has no job role and career level in the framework",
            )
        })?;
    if fw.level(&person.role, &person.level).is_none() {
        return Err(Error::invalid(
            "userId",
            "this person's position is not in the current framework",
        ));
    }
    let moves = scoring::next_moves(&fw, &person);
    let target = match target {
        None => None,
        Some((role, level)) => {
            if fw.level(role, level).is_none() {
                return Err(Error::invalid(
                    "target",
                    format!("{role}/{level} is not a level of the framework"),
                ));
            }
            let route = scoring::route_to(&fw, (&person.role, &person.level), (role, level))
                .ok_or_else(|| {
                    Error::invalid(
                        "target",
                        "no path in the framework leads there from this person's level",
                    )
                })?;
            scoring::score(&fw, &person, &route)
        }
    };
    let mut gap_skills: Vec<String> = moves
        .iter()
        .chain(target.iter())
        .flat_map(|c| c.gaps.iter().map(|g| g.skill.clone()))
        .collect();
    gap_skills.sort();
    gap_skills.dedup();
    let mentors = mentors(db, actor, user_id, &gap_skills).await?;
    Ok(PersonPaths {
        person,
        framework: fw,
        moves,
        target,
        mentors,
    })
}

#[derive(FromQueryResult)]
struct MentorRow {
    subject_id: i64,
    skill_key: String,
    level: i16,
}

/// Mentors are people the caller may see whose latest manager rating in the
/// skill is 4 or more (the same rule as readiness: a manager's rating stands
/// until a newer one replaces it). One query for all gap skills.
pub const MENTOR_LEVEL: u8 = 4;
/// The strongest few are enough to ask; the rest would be noise.
const MENTORS_PER_SKILL: u8 = 3;

async fn mentors(
    db: &DatabaseConnection,
    actor: &Actor,
    person: i64,
    skills: &[String],
) -> Result<HashMap<String, Vec<(i64, u8)>>> {
    if skills.is_empty() {
        return Ok(HashMap::new());
    }
    let mut c = Conditions::default();
    let others = PeopleSelection {
        except: Some(person),
        ..PeopleSelection::default()
    };
    people::select_people(db, &policy::work_scope(actor), &others, &mut c).await?;
    c.push("a.status = 'SUBMITTED'", []);
    c.push("a.kind = 'MANAGER'", []);
    let marks = vec!["?"; skills.len()].join(", ");
    c.push(
        &format!("r.skill_key IN ({marks})"),
        skills.iter().map(|s| Value::from(s.clone())),
    );
    // The database keeps each person's latest manager rating per skill and
    // then the three strongest holders per skill, so a large organisation
    // sends three rows per gap skill instead of every rating it holds. Window
    // functions, the same on SQLite (3.25+) and PostgreSQL.
    let rows = MentorRow::find_by_statement(c.statement(
        db.get_database_backend(),
        "SELECT subject_id, skill_key, level FROM ( \
           SELECT subject_id, skill_key, level, ROW_NUMBER() OVER ( \
             PARTITION BY skill_key ORDER BY level DESC, subject_id) AS place \
           FROM ( \
             SELECT a.subject_id, r.skill_key, r.level, ROW_NUMBER() OVER ( \
               PARTITION BY a.subject_id, r.skill_key \
               ORDER BY a.cycle_id DESC, a.submitted_at DESC, a.id DESC) AS recency \
             FROM assessments a JOIN ratings r ON r.assessment_id = a.id \
             JOIN users u ON u.id = a.subject_id",
        &format!(
            ") latest WHERE recency = 1 AND level >= {MENTOR_LEVEL} \
             ) ranked WHERE place <= {MENTORS_PER_SKILL} ORDER BY skill_key, place"
        ),
    ))
    .all(db)
    .await?;
    let mut by_skill: HashMap<String, Vec<(i64, u8)>> = HashMap::new();
    for r in rows {
        by_skill
            .entry(r.skill_key)
            .or_default()
            .push((r.subject_id, Proficiency::from_stored(r.level).get()));
    }
    Ok(by_skill)
}

#[derive(Debug, Clone, Default)]
pub struct ReadinessFilter {
    pub team_id: Option<i64>,
    pub job_role: Option<String>,
    pub career_level: Option<String>,
    pub min_readiness: Option<f64>,
    pub only_ready: bool,
}

pub struct ReadinessRow {
    pub user_id: i64,
    pub best: Candidate,
}

/// Everyone in reach (a manager's reports, or anyone for HR), ranked by
/// readiness for their best next move, scoring everyone now from all their
/// evidence. The read model (`promotion_readiness`) must give exactly this;
/// tests and benches compare the two.
pub async fn promotion_readiness_computed(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    filter: &ReadinessFilter,
    today: NaiveDate,
) -> Result<(std::sync::Arc<Framework>, Vec<ReadinessRow>)> {
    policy::team_views(actor)?;
    let fw = store.current(db).await?;
    let selection = PeopleSelection {
        team_id: filter.team_id,
        job_role: filter.job_role.clone(),
        career_level: filter.career_level.clone(),
        // A manager ranks their reports, not themselves.
        except: (!actor.sees_everyone()).then_some(actor.user_id),
        ..PeopleSelection::default()
    };
    let mut c = Conditions::default();
    people::select_people(db, &policy::work_scope(actor), &selection, &mut c).await?;
    let people = snapshots(db, &fw, &c, today).await?;
    let rows = rank(&fw, &people, filter);
    Ok((fw, rows))
}

/// Who could fill a role and level ("two more community p3s next year"):
/// everyone in reach one move away from it, most ready first, each with
/// the move as the advice scores it (gaps, unmet gates, next actions), and
/// how many people in reach hold it today.
pub async fn succession_candidates(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    view: &TeamView,
    role: &str,
    level: &str,
    today: NaiveDate,
) -> Result<(std::sync::Arc<Framework>, Vec<ReadinessRow>, usize)> {
    let actor = view.by();
    let fw = store.current(db).await?;
    crate::framework::check_position(&fw, Some(role), Some(level))?;
    let selection = PeopleSelection {
        except: view.leaves_out(),
        ..PeopleSelection::default()
    };
    let mut c = Conditions::default();
    people::select_people(db, &policy::work_scope(actor), &selection, &mut c).await?;
    let people = snapshots(db, &fw, &c, today).await?;
    let holders = people
        .iter()
        .filter(|p| p.role == role && p.level == level)
        .count();
    let mut rows: Vec<ReadinessRow> = people
        .iter()
        .filter_map(|p| {
            let best = scoring::next_moves(&fw, p)
                .into_iter()
                .find(|m| m.to_role == role && m.to_level == level)?;
            Some(ReadinessRow {
                user_id: p.user_id,
                best,
            })
        })
        .collect();
    rows.sort_by(|a, b| scoring::compare(&a.best, &b.best).then(a.user_id.cmp(&b.user_id)));
    Ok((fw, rows, holders))
}

/// The ranking itself: pure, so the bench can time it on its own.
pub fn rank(
    fw: &Framework,
    people: &[PersonSnapshot],
    filter: &ReadinessFilter,
) -> Vec<ReadinessRow> {
    let mut rows: Vec<ReadinessRow> = people
        .iter()
        .filter_map(|p| {
            let best = scoring::next_moves(fw, p).into_iter().next()?;
            Some(ReadinessRow {
                user_id: p.user_id,
                best,
            })
        })
        .filter(|r| {
            filter
                .min_readiness
                .is_none_or(|m| r.best.readiness.is_some_and(|x| x >= m))
        })
        .filter(|r| !filter.only_ready || r.best.ready())
        .collect();
    // Ready first, then blocked only by time, then the rest; those without
    // enough evidence for a score last.
    rows.sort_by(|a, b| scoring::compare(&a.best, &b.best).then(a.user_id.cmp(&b.user_id)));
    rows
}
