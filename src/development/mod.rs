//! Development plans: what a person does about the advice. A plan names a
//! target move and goals, each tied to a skill gap, a KPI or a gate; goals
//! move with evidence; the person and a manager agree it and check in on it;
//! a job reminds them when a check-in is due or a goal is overdue; the next
//! assessment cycle shows which planned gaps closed.
//!
//! - `drafting`: checking a goal, drafting goals from the advice (pure);
//! - `plans`: creating (by hand or from the advice), editing, agreeing;
//! - `goals`: progress and evidence, and the certification hook;
//! - `checkins`: check-ins and their cadence;
//! - `reminders`: the periodic reminder job;
//! - `views`: one plan with its gaps, a manager's team, HR's organisation
//!   view and the training system's effectiveness;
//! - `progress`: the pure rules (progress, overdue, gap closed, effectiveness).

pub mod checkins;
pub mod drafting;
pub mod goals;
pub mod graphql;
pub mod plans;
pub mod progress;
pub mod reminders;
pub mod views;

use async_graphql::Enum;
use chrono::{DateTime, NaiveDate, Utc};

pub use self::checkins::*;
pub use self::goals::*;
pub use self::plans::*;
pub use self::reminders::*;
pub use self::views::*;
use crate::advancement::scoring::ActionKind;
use crate::db::entities::{
    development_checkin, development_evidence, development_goal, development_plan,
};
use crate::domain::Proficiency;
use crate::error::{Error, Result};

/// Bounds on free text and lists.
pub const MAX_TITLE: usize = 200;
pub const MAX_NOTES: usize = 4_000;
pub const MAX_LINK: usize = 2_000;
pub const MAX_GOALS: usize = 50;
pub const MAX_EVIDENCE: usize = 100;
/// Days from today a goal drafted from advice is due by default.
pub const DEFAULT_DUE_DAYS: u64 = 90;

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident in $column:literal { $($(#[$vm:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum)]
        #[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $($(#[$vm])* $variant),* }

        crate::db::stored::stored_enum!($name in $column { $($variant = $text),* });
    };
}

string_enum!(
    /// A plan is a draft until the person and a manager agree the same
    /// revision; any change of content makes it a draft again.
    PlanStatus in "development_plans.status" {
        /// Being prepared.
        Draft = "DRAFT",
        /// Agreed by the person and their manager.
        Agreed = "AGREED",
        /// Finished or abandoned; kept for the record.
        Closed = "CLOSED",
    }
);

string_enum!(
    /// What a development goal is about.
    GoalKind in "development_goals.kind" {
        /// Take a learning resource of the catalogue (a course module…).
        LearningResource = "LEARNING_RESOURCE",
        /// Earn a certification (a gate, or a recommended one).
        Certification = "CERTIFICATION",
        /// Practise the skill on real work beyond the current role.
        StretchAssignment = "STRETCH_ASSIGNMENT",
        /// Be mentored by a named colleague.
        Mentoring = "MENTORING",
        /// Raise a KPI.
        Kpi = "KPI",
        /// Another step the advice names (get assessed, get verified, wait…).
        Action = "ACTION",
    }
);

string_enum!(
    /// Where a development goal stands.
    GoalStatus in "development_goals.status" {
        /// Agreed, not started.
        Planned = "PLANNED",
        /// Being worked on.
        InProgress = "IN_PROGRESS",
        /// Reached.
        Done = "DONE",
        /// Given up; kept for the record.
        Dropped = "DROPPED",
    }
);

string_enum!(
    /// What a piece of goal evidence is.
    EvidenceKind in "development_evidence.kind" {
        /// A written note.
        Note = "NOTE",
        /// A link to a document or result.
        Link = "LINK",
        /// The learning resource was completed: closes its goal.
        CourseCompleted = "COURSE_COMPLETED",
        /// Recorded by the certification service when the record was earned.
        CertificationEarned = "CERTIFICATION_EARNED",
    }
);

impl GoalStatus {
    pub fn is_active(self) -> bool {
        matches!(self, GoalStatus::Planned | GoalStatus::InProgress)
    }
}

fn action_kind(s: &str) -> Option<ActionKind> {
    use ActionKind::*;
    [
        DiscussMove,
        GetAssessed,
        ConfirmWithManager,
        CloseSkillGap,
        EarnCertification,
        GetCertificationVerified,
        ImproveKpi,
        AwaitKpiResults,
        SetKpiTargets,
        WaitUntil,
        RecordLevelStart,
    ]
    .into_iter()
    .find(|k| action_name(*k) == s)
}

pub(crate) fn action_name(k: ActionKind) -> &'static str {
    use ActionKind::*;
    match k {
        DiscussMove => "DISCUSS_MOVE",
        GetAssessed => "GET_ASSESSED",
        ConfirmWithManager => "CONFIRM_WITH_MANAGER",
        CloseSkillGap => "CLOSE_SKILL_GAP",
        EarnCertification => "EARN_CERTIFICATION",
        GetCertificationVerified => "GET_CERTIFICATION_VERIFIED",
        ImproveKpi => "IMPROVE_KPI",
        AwaitKpiResults => "AWAIT_KPI_RESULTS",
        SetKpiTargets => "SET_KPI_TARGETS",
        WaitUntil => "WAIT_UNTIL",
        RecordLevelStart => "RECORD_LEVEL_START",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub id: i64,
    pub goal_id: i64,
    pub kind: EvidenceKind,
    pub note: Option<String>,
    pub url: Option<String>,
    pub certification_record_id: Option<i64>,
    pub recorded_by: Option<i64>,
    pub recorded_at: DateTime<Utc>,
}

impl TryFrom<development_evidence::Model> for Evidence {
    type Error = Error;
    fn try_from(m: development_evidence::Model) -> Result<Self> {
        Ok(Self {
            id: m.id,
            goal_id: m.goal_id,
            kind: EvidenceKind::from_stored(&m.kind)?,
            note: m.note,
            url: m.url,
            certification_record_id: m.certification_record_id,
            recorded_by: m.recorded_by,
            recorded_at: m.recorded_at,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub id: i64,
    pub plan_id: i64,
    pub position: i32,
    pub kind: GoalKind,
    pub title: String,
    pub source_action: Option<ActionKind>,
    pub skill: Option<String>,
    pub required_level: Option<u8>,
    /// The level known when the goal was planned.
    pub baseline_level: Option<u8>,
    pub kpi: Option<String>,
    pub certification: Option<String>,
    pub resource: Option<String>,
    pub mentor_id: Option<i64>,
    pub due_on: NaiveDate,
    pub status: GoalStatus,
    pub done_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub evidence: Vec<Evidence>,
}

fn level(v: Option<i16>) -> Option<u8> {
    v.map(|l| Proficiency::from_stored(l).get())
}

impl TryFrom<development_goal::Model> for Goal {
    type Error = Error;
    fn try_from(m: development_goal::Model) -> Result<Self> {
        Ok(Self {
            id: m.id,
            plan_id: m.plan_id,
            position: m.position,
            kind: GoalKind::from_stored(&m.kind)?,
            title: m.title,
            source_action: m.source_action.as_deref().and_then(action_kind),
            skill: m.skill_key,
            required_level: level(m.required_level),
            baseline_level: level(m.baseline_level),
            kpi: m.kpi_key,
            certification: m.certification_key,
            resource: m.resource_key,
            mentor_id: m.mentor_id,
            due_on: m.due_on,
            status: GoalStatus::from_stored(&m.status)?,
            done_on: m.done_on,
            created_at: m.created_at,
            evidence: Vec::new(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckIn {
    pub id: i64,
    pub plan_id: i64,
    pub held_on: NaiveDate,
    pub notes: String,
    pub next_steps: Option<String>,
    pub recorded_by: Option<i64>,
    pub recorded_at: DateTime<Utc>,
}

impl From<development_checkin::Model> for CheckIn {
    fn from(m: development_checkin::Model) -> Self {
        Self {
            id: m.id,
            plan_id: m.plan_id,
            held_on: m.held_on,
            notes: m.notes,
            next_steps: m.next_steps,
            recorded_by: m.recorded_by,
            recorded_at: m.recorded_at,
        }
    }
}

/// An agreement given on some revision of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agreement {
    pub by: i64,
    pub at: DateTime<Utc>,
    /// The revision agreed; it counts only while the plan is still at it.
    pub revision: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub id: i64,
    pub user_id: i64,
    pub target_role: String,
    pub target_level: String,
    pub status: PlanStatus,
    pub revision: i32,
    pub created_by: Option<i64>,
    pub person_agreed: Option<Agreement>,
    pub manager_agreed: Option<Agreement>,
    pub agreed_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub goals: Vec<Goal>,
    pub check_ins: Vec<CheckIn>,
}

impl TryFrom<development_plan::Model> for Plan {
    type Error = Error;
    fn try_from(m: development_plan::Model) -> Result<Self> {
        let person_agreed = match (m.person_agreed_at, m.person_agreed_revision) {
            (Some(at), Some(revision)) => Some(Agreement {
                by: m.user_id,
                at,
                revision,
            }),
            _ => None,
        };
        let manager_agreed = match (
            m.manager_agreed_by,
            m.manager_agreed_at,
            m.manager_agreed_revision,
        ) {
            (Some(by), Some(at), Some(revision)) => Some(Agreement { by, at, revision }),
            _ => None,
        };
        Ok(Self {
            id: m.id,
            user_id: m.user_id,
            target_role: m.target_role,
            target_level: m.target_level,
            status: PlanStatus::from_stored(&m.status)?,
            revision: m.revision,
            created_by: m.created_by,
            person_agreed,
            manager_agreed,
            agreed_on: m.agreed_on,
            created_at: m.created_at,
            updated_at: m.updated_at,
            closed_at: m.closed_at,
            goals: Vec::new(),
            check_ins: Vec::new(),
        })
    }
}

impl Plan {
    /// The agreements that still hold (given on the current revision).
    pub fn current_agreements(&self) -> (Option<Agreement>, Option<Agreement>) {
        let current = |a: Option<Agreement>| a.filter(|a| a.revision == i64::from(self.revision));
        (current(self.person_agreed), current(self.manager_agreed))
    }
}
