//! Assessments: HR runs cycles; employees rate themselves, managers rate their
//! reports, peers give input when asked; the profile, divergence and team
//! matrix read the result against the framework version the cycle is pinned to.

pub mod census;
mod cycles;
pub mod graphql;
pub mod profile;
mod ratings;
mod reads;
mod reminders;

use std::str::FromStr;

use async_graphql::Enum;
use chrono::{DateTime, NaiveDate, Utc};

pub use self::cycles::*;
pub use self::ratings::*;
pub use self::reads::*;
pub use self::reminders::queue_due_reminders;
use crate::db::entities::{assessment_cycle, cycle_participant};
use crate::error::{Error, Result};

/// A cycle moves forward through these states, one at a time; each allows
/// only its own writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum CycleStatus {
    /// Prepared by HR; nobody rates yet.
    Draft,
    /// Employees rate themselves.
    SelfAssessment,
    /// Managers rate their reports; peers give input when asked.
    ManagerReview,
    /// HR and managers align ratings; manager ratings may still be amended.
    Calibration,
    /// Frozen: results never change again.
    Closed,
}

crate::db::stored::stored_enum!(CycleStatus in "assessment_cycles.status" {
    Draft = "DRAFT",
    SelfAssessment = "SELF_ASSESSMENT",
    ManagerReview = "MANAGER_REVIEW",
    Calibration = "CALIBRATION",
    Closed = "CLOSED",
});

impl CycleStatus {
    pub fn next(self) -> Option<Self> {
        match self {
            CycleStatus::Draft => Some(CycleStatus::SelfAssessment),
            CycleStatus::SelfAssessment => Some(CycleStatus::ManagerReview),
            CycleStatus::ManagerReview => Some(CycleStatus::Calibration),
            CycleStatus::Calibration => Some(CycleStatus::Closed),
            CycleStatus::Closed => None,
        }
    }

    /// Which kind of assessment may be written in this state.
    pub fn allows(self, kind: AssessmentKind) -> bool {
        matches!(
            (self, kind),
            (CycleStatus::SelfAssessment, AssessmentKind::SelfRating)
                | (CycleStatus::ManagerReview, AssessmentKind::Manager)
                | (CycleStatus::ManagerReview, AssessmentKind::Peer)
                | (CycleStatus::Calibration, AssessmentKind::Manager)
        )
    }
}

impl FromStr for CycleStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::from_stored(s)
    }
}

/// Who gave an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum AssessmentKind {
    /// The person rates themselves.
    #[graphql(name = "SELF")]
    SelfRating,
    /// The person's manager (the cycle's reviewer).
    Manager,
    /// A colleague the manager asked; shown as input, it does not count towards agreed levels.
    Peer,
}

crate::db::stored::stored_enum!(AssessmentKind in "assessments.kind" {
    SelfRating = "SELF",
    Manager = "MANAGER",
    Peer = "PEER",
});

impl FromStr for AssessmentKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::from_stored(s)
    }
}

/// Whether an assessment is still being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum AssessmentStatus {
    /// Saved, not yet submitted; only its writer sees it.
    Draft,
    /// Submitted: it counts.
    Submitted,
    /// An earlier submitted revision, replaced by an amendment.
    Superseded,
}

crate::db::stored::stored_enum!(AssessmentStatus in "assessments.status" {
    Draft = "DRAFT",
    Submitted = "SUBMITTED",
    Superseded = "SUPERSEDED",
});

impl FromStr for AssessmentStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::from_stored(s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub id: i64,
    pub name: String,
    pub framework_version_id: i64,
    pub status: CycleStatus,
    pub self_due: Option<NaiveDate>,
    pub manager_due: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl TryFrom<assessment_cycle::Model> for Cycle {
    type Error = Error;
    fn try_from(row: assessment_cycle::Model) -> Result<Self> {
        Ok(Self {
            id: row.id,
            name: row.name,
            framework_version_id: row.framework_version_id,
            status: row.status.parse()?,
            self_due: row.self_due,
            manager_due: row.manager_due,
            created_at: row.created_at,
            closed_at: row.closed_at,
        })
    }
}

/// A person in a cycle, with the position they are assessed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub cycle_id: i64,
    pub user_id: i64,
    pub job_role: String,
    pub career_level: String,
    pub reviewer_id: Option<i64>,
}

impl From<cycle_participant::Model> for Participant {
    fn from(row: cycle_participant::Model) -> Self {
        Self {
            cycle_id: row.cycle_id,
            user_id: row.user_id,
            job_role: row.job_role,
            career_level: row.career_level,
            reviewer_id: row.reviewer_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    pub skill: String,
    pub level: u8,
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub id: i64,
    pub cycle_id: i64,
    pub subject_id: i64,
    pub assessor_id: i64,
    pub kind: AssessmentKind,
    pub revision: i32,
    pub status: AssessmentStatus,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub ratings: Vec<Rating>,
}
