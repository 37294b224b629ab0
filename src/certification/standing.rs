//! A person's certifications read against what their current level and the
//! next one (the promotion's target) require and recommend.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::{CertificationRecord, CertificationStatus, today};
use crate::assessment::profile::next_level;
use crate::auth::policy::WorkReader;
use crate::db::entities::{certification_record as record, user};
use crate::error::{Error, Result};
use crate::framework::{Framework, FrameworkStore};

#[derive(Debug, Clone, PartialEq)]
pub struct CertificationCheck {
    pub certification: String,
    pub required: bool,
    /// The person's record of it, if any.
    pub status: Option<CertificationStatus>,
    /// Earned and still valid.
    pub held: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LevelStanding {
    pub job_role: String,
    pub career_level: String,
    pub checks: Vec<CertificationCheck>,
}

impl LevelStanding {
    pub fn missing_required(&self) -> usize {
        self.checks.iter().filter(|c| c.required && !c.held).count()
    }
}

fn standing(
    fw: &Framework,
    role: &str,
    level: &str,
    records: &HashMap<String, CertificationStatus>,
) -> Option<LevelStanding> {
    let certs = &fw.level(role, level)?.certifications;
    let check = |key: &String, required: bool| {
        let status = records.get(key).copied();
        CertificationCheck {
            certification: key.clone(),
            required,
            status,
            held: status == Some(CertificationStatus::Earned),
        }
    };
    Some(LevelStanding {
        job_role: role.to_owned(),
        career_level: level.to_owned(),
        checks: certs
            .required
            .iter()
            .map(|c| check(c, true))
            .chain(certs.recommended.iter().map(|c| check(c, false)))
            .collect(),
    })
}

/// (current level, next level); either is `None` when it does not apply.
pub async fn certification_standing(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    reader: &WorkReader,
) -> Result<(Option<LevelStanding>, Option<LevelStanding>)> {
    let user_id = reader.subject();
    let person = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("person"))?;
    let (Some(role), Some(level)) = (person.job_role, person.career_level) else {
        return Ok((None, None));
    };
    let fw = store.current(db).await?;
    let today = today();
    let records: HashMap<String, CertificationStatus> = record::Entity::find()
        .filter(record::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| {
            CertificationRecord::try_from(r).map(|r| (r.certification.clone(), r.status(today)))
        })
        .collect::<Result<_>>()?;
    let current = standing(&fw, &role, &level, &records);
    let next = next_level(&fw, &role, &level).and_then(|next| standing(&fw, &role, next, &records));
    Ok((current, next))
}
