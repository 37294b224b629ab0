//! Records, counts, summaries and the inputs that describe them.

use super::*;

pub struct CertificationRecordNode(pub CertificationRecord);

/// One record for `node(id:)`, within the reach of its history.
pub(crate) async fn record_by_id(ctx: &Context<'_>, id: i64) -> ApiResult<CertificationRecordNode> {
    let record = crate::certification::record_in_reach(&state(ctx)?.db, actor(ctx)?, id).await?;
    Ok(CertificationRecordNode(record))
}

impl GlobalId for CertificationRecordNode {
    fn global_id(&self) -> ID {
        global_id::encode(NodeType::CertificationRecord, self.0.id)
    }
}
/// A person's progress towards, or holding of, one certificate.
#[Object(name = "CertificationRecord")]
impl CertificationRecordNode {
    /// The record's global id (`node(id:)` fetches it again).
    async fn id(&self) -> ID {
        self.global_id()
    }
    /// The holder.
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        Ok(ctx
            .data::<Loaders>()?
            .person
            .load_one(self.0.user_id)
            .await?
            .map(User))
    }
    /// The certificate's key.
    async fn certification_key(&self) -> &str {
        &self.0.certification
    }
    /// The certificate in the current catalogue; null if it was removed.
    async fn certification(&self, ctx: &Context<'_>) -> ApiResult<Option<CertificationNode>> {
        let fw = current_framework(ctx).await?;
        Ok(fw.certification(&self.0.certification).map(|_| {
            CertificationNode(
                View::new(fw.clone(), locale(ctx, None)),
                self.0.certification.clone(),
            )
        }))
    }
    /// `EXPIRED` from the day after the expiry date; never a stored flag.
    async fn status(&self) -> CertificationStatus {
        self.0.status(today())
    }
    /// Percent complete, 0 to 100.
    async fn progress(&self) -> i32 {
        self.0.progress
    }
    /// The day work on it started.
    async fn started_on(&self) -> Option<Date> {
        self.0.started_on.map(Date)
    }
    /// The day it should be earned by.
    async fn target_on(&self) -> Option<Date> {
        self.0.target_on.map(Date)
    }
    /// The day it was earned.
    async fn earned_on(&self) -> Option<Date> {
        self.0.earned_on.map(Date)
    }
    /// Valid through this day.
    async fn expires_on(&self) -> Option<Date> {
        self.0.expires_on.map(Date)
    }
    /// Credential id or URL.
    async fn credential(&self) -> Option<&str> {
        self.0.credential.as_deref()
    }
    /// HR has checked the certificate.
    async fn verified(&self) -> bool {
        self.0.verified_at.is_some()
    }
    /// Who in HR verified it.
    async fn verified_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let Some(id) = self.0.verified_by else {
            return Ok(None);
        };
        Ok(ctx.data::<Loaders>()?.person.load_one(id).await?.map(User))
    }
    /// When HR verified it.
    async fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.0.verified_at
    }
    /// When the record last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// How many certification records are in each status.
#[derive(SimpleObject)]
#[graphql(name = "StatusCounts")]
pub struct StatusCountsNode {
    /// Records planned, not started.
    pub(super) planned: i32,
    /// Records being worked on.
    pub(super) in_progress: i32,
    /// Records earned and valid today.
    pub(super) earned: i32,
    /// Records earned but past their expiry date.
    pub(super) expired: i32,
    /// Records withdrawn.
    pub(super) withdrawn: i32,
}

impl From<&StatusCounts> for StatusCountsNode {
    fn from(c: &StatusCounts) -> Self {
        Self {
            planned: c.planned as i32,
            in_progress: c.in_progress as i32,
            earned: c.earned as i32,
            expired: c.expired as i32,
            withdrawn: c.withdrawn as i32,
        }
    }
}

/// Counts by status for one certificate across the people in reach.
#[derive(SimpleObject)]
pub struct CertificationCounts {
    /// The certificate's key.
    pub(super) certification_key: String,
    /// Its records by status.
    pub(super) counts: StatusCountsNode,
}

/// Certification counts by status for one team.
#[derive(SimpleObject)]
pub struct TeamCertificationCounts {
    /// Null for people without a team.
    pub(super) team: Option<TeamNode>,
    /// The records of the team's own members (sub-teams count apart), by status.
    pub(super) counts: StatusCountsNode,
}

/// Of the people at one level, how many hold every certificate it requires.
#[derive(SimpleObject)]
pub struct LevelCertificationCoverage {
    /// The job role's key.
    pub(super) job_role: String,
    /// The career level's key within the role.
    pub(super) career_level: String,
    /// Keys of the certificates the level requires.
    pub(super) required: Vec<String>,
    /// Active people at this level, within reach and the filter.
    pub(super) people: i32,
    /// Of those, how many hold every required certificate, earned and valid today.
    pub(super) holding_all_required: i32,
    /// holdingAllRequired / people, 0 to 1.
    pub(super) share: f64,
}

/// HR's overview: counts by status per certificate and per team, and coverage per level.
#[derive(SimpleObject)]
#[graphql(name = "CertificationSummary")]
pub struct CertificationSummaryNode {
    /// Counts by status for each certificate that has records, by key.
    pub(super) by_certification: Vec<CertificationCounts>,
    /// Counts by status for each team whose members have records.
    pub(super) by_team: Vec<TeamCertificationCounts>,
    /// For each level that requires certificates and has people: how many hold them all.
    pub(super) level_coverage: Vec<LevelCertificationCoverage>,
}

/// One change to a certification record, with who made it and when.
#[derive(SimpleObject)]
#[graphql(name = "CertificationEvent")]
pub struct CertificationEventNode {
    /// RECORDED, UPDATED, VERIFIED or WITHDRAWN.
    pub(super) action: String,
    /// The record after the change, as JSON.
    pub(super) snapshot: String,
    /// Who made the change.
    pub(super) changed_by: Option<User>,
    /// When the change was made.
    pub(super) changed_at: DateTime<Utc>,
}

/// An expiry reminder the job queued for one record and stage.
#[derive(SimpleObject)]
#[graphql(name = "CertificationReminder")]
pub struct CertificationReminderNode {
    /// The reminder's id.
    pub(super) id: ID,
    /// The global id of the certification record it is about.
    pub(super) record_id: ID,
    /// The holder.
    pub(super) user: Option<User>,
    /// The expiry it is about; a renewed certificate gets reminders of its own.
    pub(super) expires_on: Date,
    /// The stage reached: how many days before expiry it stands for (one of
    /// `SKILLPATH_CERTIFICATION_REMINDER_DAYS`, 60, 30 and 7 by default).
    pub(super) stage_days: i32,
    /// The last stage: the holder's manager gets a copy of the mail.
    pub(super) notify_manager: bool,
    /// When the job queued it, with its mail.
    pub(super) queued_at: DateTime<Utc>,
    /// When the mail to the holder went out (the mail worker sets it as it
    /// sends that mail; a manager's copy does not count). Null while the mail
    /// waits or after it failed for good, and when none was queued because
    /// the holder's account is inactive.
    pub(super) sent_at: Option<DateTime<Utc>>,
}

/// Narrows certification queries: a person, a team and its sub-teams, a role, a level, a certificate, a status, an expiry window.
#[derive(InputObject, Default)]
#[graphql(name = "CertificationFilter")]
pub struct CertificationFilterInput {
    /// Only this person.
    pub user_id: Option<ID>,
    /// The team and its sub-teams.
    pub team_id: Option<ID>,
    /// Only people in this job role key.
    pub job_role: Option<String>,
    /// Only people at this career level key.
    pub career_level: Option<String>,
    /// Only this certificate's key.
    pub certification: Option<String>,
    /// Only records in this status (EXPIRED is computed from the date).
    pub status: Option<CertificationStatus>,
    /// Earned and valid, expiring within this many days.
    pub expiring_within_days: Option<i32>,
}

impl CertificationFilterInput {
    pub(super) fn parse(self) -> ApiResult<CertificationFilter> {
        Ok(CertificationFilter {
            user_id: self
                .user_id
                .as_ref()
                .map(|i| parse_id(i, "filter.userId", NodeType::User))
                .transpose()?,
            team_id: self
                .team_id
                .as_ref()
                .map(|i| parse_id(i, "filter.teamId", NodeType::Team))
                .transpose()?,
            job_role: self.job_role,
            career_level: self.career_level,
            certification: self.certification,
            status: self.status,
            expiring_within_days: self
                .expiring_within_days
                .map(|d| {
                    u32::try_from(d).map_err(|_| {
                        ApiError::bad_input("filter.expiringWithinDays", "must be 0 or more")
                    })
                })
                .transpose()?,
        })
    }
}

/// Starts a certification record: for yourself, or someone you manage.
#[derive(InputObject)]
pub struct RecordCertificationInput {
    /// Defaults to yourself.
    pub user_id: Option<ID>,
    /// The certificate's key in the catalogue.
    pub certification: String,
    /// PLANNED (default), IN_PROGRESS or EARNED.
    pub status: Option<CertificationStatus>,
    /// Percent complete, 0 to 100.
    pub progress: Option<i32>,
    /// The day work started.
    pub started_on: Option<Date>,
    /// The day it should be earned by.
    pub target_on: Option<Date>,
    /// Defaults to today when earned.
    pub earned_on: Option<Date>,
    /// Computed from the certification's validity unless given.
    pub expires_on: Option<Date>,
    /// The credential number or link, to verify it.
    pub credential: Option<String>,
}

/// Moves a certification record on: progress, dates, earned, credential.
#[derive(InputObject)]
pub struct UpdateCertificationInput {
    /// The new status.
    pub status: Option<CertificationStatus>,
    /// Percent complete, 0 to 100.
    pub progress: Option<i32>,
    /// The day work started.
    pub started_on: Option<Date>,
    /// The day it should be earned by.
    pub target_on: Option<Date>,
    /// The day it was earned.
    pub earned_on: Option<Date>,
    /// The last day it is valid.
    pub expires_on: Option<Date>,
    /// The credential number or link.
    pub credential: Option<String>,
}

pub(super) fn stored(status: Option<CertificationStatus>) -> ApiResult<Option<RecordStatus>> {
    match status {
        Some(CertificationStatus::Expired) => Err(ApiError::bad_input(
            "status",
            "EXPIRED follows from the expiry date; it cannot be set",
        )),
        other => Ok(other.map(RecordStatus::from)),
    }
}

/// Whether a person holds one certificate their level requires or recommends.
#[derive(SimpleObject)]
#[graphql(name = "CertificationCheck")]
pub struct CertificationCheckNode {
    /// The certificate.
    pub(super) certification: Option<CertificationNode>,
    /// The certificate's key.
    pub(super) certification_key: String,
    /// True when the level requires it, false when it only recommends it.
    pub(super) required: bool,
    /// The person's record of it, if any.
    pub(super) status: Option<CertificationStatus>,
    /// Earned and still valid.
    pub(super) held: bool,
}

/// A person's certificates against one level: what it requires and recommends, and what is held.
#[derive(SimpleObject)]
pub struct LevelCertificationStanding {
    /// The job role's key.
    pub(super) job_role: String,
    /// The career level's key within the role.
    pub(super) career_level: String,
    /// Required certifications not held.
    pub(super) missing_required: i32,
    /// Each certificate the level requires, then each it recommends.
    pub(super) checks: Vec<CertificationCheckNode>,
}

/// A person's certificates against what their current and next level require and recommend.
#[derive(SimpleObject)]
pub struct CertificationStanding {
    /// Against the person's current level.
    pub(super) current: Option<LevelCertificationStanding>,
    /// Against the level a promotion leads to; null at the top of a track.
    pub(super) next: Option<LevelCertificationStanding>,
}
