//! People's ratings of a cycle, many people at once: what `User.ratings`
//! shows, so a page of people comes with their ratings in one statement
//! whatever its size.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, FromQueryResult};

use super::profile::SkillRatings;
use crate::db;
use crate::error::Result;

/// One skill's submitted ratings of one person in one cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillRatingsOf {
    pub skill: String,
    pub ratings: SkillRatings,
}

#[derive(Debug, FromQueryResult)]
struct Row {
    cycle_id: i64,
    subject_id: i64,
    kind: String,
    skill_key: String,
    level: i16,
}

/// The submitted ratings of each (cycle, person) asked for, by skill in key
/// order; a pair without ratings (or an unknown cycle) maps to an empty list.
/// One statement. The same ratings the skill profile reads (submitted
/// assessments only: drafts are their author's). No authorization here: the
/// caller asked the policy for each person.
pub async fn cycle_ratings_of(
    db: &impl ConnectionTrait,
    keys: &[(i64, i64)],
) -> Result<HashMap<(i64, i64), Vec<SkillRatingsOf>>> {
    let mut found: HashMap<(i64, i64), Vec<SkillRatingsOf>> =
        keys.iter().map(|k| (*k, Vec::new())).collect();
    if keys.is_empty() {
        return Ok(found);
    }
    let mut cycles: Vec<i64> = keys.iter().map(|k| k.0).collect();
    let mut people: Vec<i64> = keys.iter().map(|k| k.1).collect();
    cycles.sort_unstable();
    cycles.dedup();
    people.sort_unstable();
    people.dedup();
    let mut c = db::Conditions::default();
    c.push("a.status = 'SUBMITTED'", []);
    c.push_in("a.cycle_id", &cycles);
    c.push_in("a.subject_id", &people);
    let stmt = c.statement(
        db.get_database_backend(),
        "SELECT a.cycle_id, a.subject_id, a.kind, r.skill_key, r.level FROM assessments a \
         JOIN ratings r ON r.assessment_id = a.id",
        "ORDER BY a.cycle_id, a.subject_id, r.skill_key",
    );
    let rows = Row::find_by_statement(stmt).all(db).await?;
    for row in rows {
        // Two cycles and two people ask for up to four pairs; keep the asked ones.
        let Some(skills) = found.get_mut(&(row.cycle_id, row.subject_id)) else {
            continue;
        };
        if skills.last().is_none_or(|s| s.skill != row.skill_key) {
            skills.push(SkillRatingsOf {
                skill: row.skill_key,
                ratings: SkillRatings::default(),
            });
        }
        let Some(entry) = skills.last_mut() else {
            continue;
        };
        let level = row.level.clamp(0, 5) as u8;
        match row.kind.as_str() {
            "SELF" => entry.ratings.self_level = Some(level),
            "MANAGER" => entry.ratings.manager_level = Some(level),
            _ => entry.ratings.peer_levels.push(level),
        }
    }
    Ok(found)
}
