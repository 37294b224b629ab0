//! The certification API: each person's records, HR's queries and reminders.

use async_graphql::connection::{Connection, CursorType, Edge, OpaqueCursor};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::{
    CertificationFilter, CertificationRecord, CertificationStatus, RecordChange, RecordStatus,
    StatusCounts, today,
};
use crate::auth::policy;
use crate::framework::graphql::{CertificationNode, View};
use crate::graphql::context::{actor, current_framework, locale, state};
use crate::graphql::date::Date;
use crate::graphql::error::{ApiError, ApiResult, parse_id};
use crate::graphql::global_id::{self, GlobalId, NodeType};
use crate::graphql::loaders::Loaders;
use crate::graphql::pagination::{Described, Page, PageArgs, connection, window};
use crate::people::graphql::{TeamNode, User};

pub struct CertificationRecordNode(pub CertificationRecord);

/// One record for `node(id:)`, within the reach of its history.
pub(crate) async fn record_by_id(ctx: &Context<'_>, id: i64) -> ApiResult<CertificationRecordNode> {
    let record = super::record_in_reach(&state(ctx)?.db, actor(ctx)?, id).await?;
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
    planned: i32,
    /// Records being worked on.
    in_progress: i32,
    /// Records earned and valid today.
    earned: i32,
    /// Records earned but past their expiry date.
    expired: i32,
    /// Records withdrawn.
    withdrawn: i32,
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
    certification_key: String,
    /// Its records by status.
    counts: StatusCountsNode,
}

/// Certification counts by status for one team.
#[derive(SimpleObject)]
pub struct TeamCertificationCounts {
    /// Null for people without a team.
    team: Option<TeamNode>,
    /// The records of the team's own members (sub-teams count apart), by status.
    counts: StatusCountsNode,
}

/// Of the people at one level, how many hold every certificate it requires.
#[derive(SimpleObject)]
pub struct LevelCertificationCoverage {
    /// The job role's key.
    job_role: String,
    /// The career level's key within the role.
    career_level: String,
    /// Keys of the certificates the level requires.
    required: Vec<String>,
    /// Active people at this level, within reach and the filter.
    people: i32,
    /// Of those, how many hold every required certificate, earned and valid today.
    holding_all_required: i32,
    /// holdingAllRequired / people, 0 to 1.
    share: f64,
}

/// HR's overview: counts by status per certificate and per team, and coverage per level.
#[derive(SimpleObject)]
#[graphql(name = "CertificationSummary")]
pub struct CertificationSummaryNode {
    /// Counts by status for each certificate that has records, by key.
    by_certification: Vec<CertificationCounts>,
    /// Counts by status for each team whose members have records.
    by_team: Vec<TeamCertificationCounts>,
    /// For each level that requires certificates and has people: how many hold them all.
    level_coverage: Vec<LevelCertificationCoverage>,
}

/// One change to a certification record, with who made it and when.
#[derive(SimpleObject)]
#[graphql(name = "CertificationEvent")]
pub struct CertificationEventNode {
    /// RECORDED, UPDATED, VERIFIED or WITHDRAWN.
    action: String,
    /// The record after the change, as JSON.
    snapshot: String,
    /// Who made the change.
    changed_by: Option<User>,
    /// When the change was made.
    changed_at: DateTime<Utc>,
}

/// An expiry reminder the job queued for one record and stage.
#[derive(SimpleObject)]
#[graphql(name = "CertificationReminder")]
pub struct CertificationReminderNode {
    /// The reminder's id.
    id: ID,
    /// The global id of the certification record it is about.
    record_id: ID,
    /// The holder.
    user: Option<User>,
    /// The expiry it is about; a renewed certificate gets reminders of its own.
    expires_on: Date,
    /// The stage reached: how many days before expiry it stands for (one of
    /// `SKILLPATH_CERTIFICATION_REMINDER_DAYS`, 60, 30 and 7 by default).
    stage_days: i32,
    /// The last stage: the holder's manager gets a copy of the mail.
    notify_manager: bool,
    /// When the job queued it, with its mail.
    queued_at: DateTime<Utc>,
    /// When the mail to the holder went out (the mail worker sets it as it
    /// sends that mail; a manager's copy does not count). Null while the mail
    /// waits or after it failed for good, and when none was queued because
    /// the holder's account is inactive.
    sent_at: Option<DateTime<Utc>>,
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
    fn parse(self) -> ApiResult<CertificationFilter> {
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

fn stored(status: Option<CertificationStatus>) -> ApiResult<Option<RecordStatus>> {
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
    certification: Option<CertificationNode>,
    /// The certificate's key.
    certification_key: String,
    /// True when the level requires it, false when it only recommends it.
    required: bool,
    /// The person's record of it, if any.
    status: Option<CertificationStatus>,
    /// Earned and still valid.
    held: bool,
}

/// A person's certificates against one level: what it requires and recommends, and what is held.
#[derive(SimpleObject)]
pub struct LevelCertificationStanding {
    /// The job role's key.
    job_role: String,
    /// The career level's key within the role.
    career_level: String,
    /// Required certifications not held.
    missing_required: i32,
    /// Each certificate the level requires, then each it recommends.
    checks: Vec<CertificationCheckNode>,
}

/// A person's certificates against what their current and next level require and recommend.
#[derive(SimpleObject)]
pub struct CertificationStanding {
    /// Against the person's current level.
    current: Option<LevelCertificationStanding>,
    /// Against the level a promotion leads to; null at the top of a track.
    next: Option<LevelCertificationStanding>,
}

#[derive(Default)]
pub struct CertificationQuery;

#[Object]
impl CertificationQuery {
    /// Certification records matching `filter`, within the caller's reach:
    /// themselves for an employee, their reports for a manager, everyone for HR.
    #[graphql(complexity = "crate::graphql::limits::cost::per_item(first, child_complexity)")]
    async fn certification_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<CertificationFilterInput>,
        #[graphql(
            desc = "Items from the start or after `after`, 1 to 200.",
            default = 50,
            validator(minimum = 1, maximum = 200)
        )]
        first: i32,
        #[graphql(desc = "Cursor from this list: the items after it.")] after: Option<String>,
    ) -> ApiResult<Described<Connection<OpaqueCursor<i64>, CertificationRecordNode>>> {
        let actor = actor(ctx)?;
        let filter = filter.unwrap_or_default().parse()?;
        let after = after
            .map(|c| {
                OpaqueCursor::<i64>::decode_cursor(&c)
                    .map(|c| c.0)
                    .map_err(|_| ApiError::bad_input("after", "is not a cursor from this list"))
            })
            .transpose()?;
        let (records, has_next) = super::certification_progress(
            &state(ctx)?.db,
            actor,
            &filter,
            today(),
            after,
            first as u64,
        )
        .await?;
        let mut connection = Connection::new(after.is_some(), has_next);
        connection.edges.extend(
            records
                .into_iter()
                .map(|r| Edge::new(OpaqueCursor(r.id), CertificationRecordNode(r))),
        );
        Ok(Described(connection))
    }

    /// Counts by status per certification and per team, and how many people at
    /// each level hold the certifications it requires.
    #[graphql(complexity = "crate::graphql::limits::cost::ROLLUP + child_complexity")]
    async fn certification_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<CertificationFilterInput>,
    ) -> ApiResult<CertificationSummaryNode> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let filter = filter.unwrap_or_default().parse()?;
        let summary =
            super::certification_summary(&state.db, &state.frameworks, actor, &filter, today())
                .await?;
        let loaders = ctx.data::<Loaders>()?;
        let teams = loaders
            .team
            .load_many(summary.by_team.keys().flatten().copied())
            .await?;
        Ok(CertificationSummaryNode {
            by_certification: summary
                .by_certification
                .iter()
                .map(|(k, c)| CertificationCounts {
                    certification_key: k.clone(),
                    counts: c.into(),
                })
                .collect(),
            by_team: summary
                .by_team
                .iter()
                .map(|(team, c)| TeamCertificationCounts {
                    team: team.and_then(|t| teams.get(&t).cloned().map(TeamNode)),
                    counts: c.into(),
                })
                .collect(),
            level_coverage: summary
                .level_coverage
                .into_iter()
                .map(|l| LevelCertificationCoverage {
                    share: if l.people == 0 {
                        0.0
                    } else {
                        (l.holding_all as f64 / l.people as f64 * 1000.0).round() / 1000.0
                    },
                    job_role: l.job_role,
                    career_level: l.career_level,
                    required: l.required,
                    people: l.people as i32,
                    holding_all_required: l.holding_all as i32,
                })
                .collect(),
        })
    }

    /// A person's certifications against what their current and next level
    /// require and recommend.
    async fn certification_standing(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] user_id: ID,
    ) -> ApiResult<CertificationStanding> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let user_id = parse_id(&user_id, "userId", NodeType::User)?;
        let reader = policy::view_work(actor, user_id)?;
        let (current, next) =
            super::certification_standing(&state.db, &state.frameworks, &reader).await?;
        let fw = current_framework(ctx).await?;
        let view = View::new(fw, locale(ctx, None));
        let node = |s: super::LevelStanding| LevelCertificationStanding {
            missing_required: s.missing_required() as i32,
            job_role: s.job_role,
            career_level: s.career_level,
            checks: s
                .checks
                .into_iter()
                .map(|c| CertificationCheckNode {
                    certification: view.certification(&c.certification),
                    certification_key: c.certification,
                    required: c.required,
                    status: c.status,
                    held: c.held,
                })
                .collect(),
        };
        Ok(CertificationStanding {
            current: current.map(node),
            next: next.map(node),
        })
    }

    /// What happened to a certification record, oldest first. A Relay
    /// connection (`first`/`after` or `last`/`before`, 100 by default).
    #[graphql(complexity = "PageArgs::cost(first, last, 100, child_complexity)")]
    async fn certification_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The certification record's id.")] record_id: ID,
        #[graphql(desc = "Items from the start or after `after`, 1 to 500.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items after it.")] after: Option<String>,
        #[graphql(desc = "Items from the end or before `before`, 1 to 500.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items before it.")] before: Option<String>,
    ) -> ApiResult<Page<CertificationEventNode>> {
        let actor = actor(ctx)?;
        let record_id = parse_id(&record_id, "recordId", NodeType::CertificationRecord)?;
        let events = super::record_history(&state(ctx)?.db, actor, record_id).await?;
        let total = events.len();
        let range = window(&PageArgs::new(first, after, last, before), total, 100)?;
        let events: Vec<_> = events
            .into_iter()
            .skip(range.start)
            .take(range.len())
            .collect();
        let people = ctx
            .data::<Loaders>()?
            .person
            .load_many(events.iter().filter_map(|e| e.changed_by))
            .await?;
        let nodes: Vec<CertificationEventNode> = events
            .into_iter()
            .map(|e| CertificationEventNode {
                changed_by: e
                    .changed_by
                    .and_then(|id| people.get(&id).cloned().map(User)),
                action: e.action,
                snapshot: e.snapshot,
                changed_at: e.changed_at,
            })
            .collect();
        Ok(connection(range, total, nodes))
    }

    /// Expiry reminders queued by the reminder job, newest first (HR). A
    /// Relay connection (`first`/`after` or `last`/`before`, 100 by default).
    #[graphql(complexity = "PageArgs::cost(first, last, 100, child_complexity)")]
    async fn certification_reminders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items from the start or after `after`, 1 to 500.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items after it.")] after: Option<String>,
        #[graphql(desc = "Items from the end or before `before`, 1 to 500.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items before it.")] before: Option<String>,
    ) -> ApiResult<Page<CertificationReminderNode>> {
        let actor = actor(ctx)?;
        let reminders = super::list_reminders(&state(ctx)?.db, &policy::hr(actor)?).await?;
        let total = reminders.len();
        let range = window(&PageArgs::new(first, after, last, before), total, 100)?;
        let reminders: Vec<_> = reminders
            .into_iter()
            .skip(range.start)
            .take(range.len())
            .collect();
        let people = ctx
            .data::<Loaders>()?
            .person
            .load_many(reminders.iter().map(|r| r.user_id))
            .await?;
        let nodes: Vec<CertificationReminderNode> = reminders
            .into_iter()
            .map(|r| CertificationReminderNode {
                id: ID(r.id.to_string()),
                record_id: global_id::encode(NodeType::CertificationRecord, r.record_id),
                user: people.get(&r.user_id).cloned().map(User),
                expires_on: Date(r.expires_on),
                stage_days: r.stage_days,
                notify_manager: r.notify_manager,
                queued_at: r.queued_at,
                sent_at: r.sent_at,
            })
            .collect();
        Ok(connection(range, total, nodes))
    }
}

#[derive(Default)]
pub struct CertificationMutation;

#[Object]
impl CertificationMutation {
    /// Starts a record of a certification for yourself, or (managers, HR) for someone you manage.
    async fn record_certification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to create or change.")] input: RecordCertificationInput,
    ) -> ApiResult<CertificationRecordNode> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let user_id = match &input.user_id {
            Some(id) => parse_id(id, "userId", NodeType::User)?,
            None => actor.user_id,
        };
        let change = RecordChange {
            status: stored(input.status)?,
            progress: percent(input.progress)?,
            started_on: input.started_on.map(NaiveDate::from),
            target_on: input.target_on.map(NaiveDate::from),
            earned_on: input.earned_on.map(NaiveDate::from),
            expires_on: input.expires_on.map(NaiveDate::from),
            credential: input.credential,
        };
        let saved = super::record_certification(
            &state.db,
            &state.frameworks,
            &policy::keep_records(actor, user_id)?,
            &input.certification,
            change,
        )
        .await?;
        Ok(CertificationRecordNode(saved))
    }

    /// Moves a record on: progress, dates, earned (expiry computed), credential.
    async fn update_certification_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The certification record's id.")] record_id: ID,
        #[graphql(desc = "What to create or change.")] input: UpdateCertificationInput,
    ) -> ApiResult<CertificationRecordNode> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let record_id = parse_id(&record_id, "recordId", NodeType::CertificationRecord)?;
        let change = RecordChange {
            status: stored(input.status)?,
            progress: percent(input.progress)?,
            started_on: input.started_on.map(NaiveDate::from),
            target_on: input.target_on.map(NaiveDate::from),
            earned_on: input.earned_on.map(NaiveDate::from),
            expires_on: input.expires_on.map(NaiveDate::from),
            credential: input.credential,
        };
        let saved =
            super::update_certification(&state.db, &state.frameworks, actor, record_id, change)
                .await?;
        Ok(CertificationRecordNode(saved))
    }

    /// HR confirms an earned certificate.
    async fn verify_certification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The certification record's id.")] record_id: ID,
    ) -> ApiResult<CertificationRecordNode> {
        let record_id = parse_id(&record_id, "recordId", NodeType::CertificationRecord)?;
        Ok(CertificationRecordNode(
            super::verify_certification(&state(ctx)?.db, &policy::hr(actor(ctx)?)?, record_id)
                .await?,
        ))
    }

    /// Withdraws a record: the certificate is no longer held, and any HR
    /// verification is removed (the person themselves, their managers, HR).
    async fn withdraw_certification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The certification record's id.")] record_id: ID,
    ) -> ApiResult<CertificationRecordNode> {
        let record_id = parse_id(&record_id, "recordId", NodeType::CertificationRecord)?;
        Ok(CertificationRecordNode(
            super::withdraw_certification(&state(ctx)?.db, actor(ctx)?, record_id).await?,
        ))
    }

    /// Runs the expiry reminder job now (HR); it also runs on its own
    /// schedule. Returns how many reminders were newly queued.
    async fn run_certification_reminders(&self, ctx: &Context<'_>) -> ApiResult<i32> {
        let state = state(ctx)?;
        let stages = &state.settings.certification_reminder_days;
        let hr = policy::hr(actor(ctx)?)?;
        let queued =
            super::run_expiry_reminders(&state.db, &state.frameworks, &hr, stages, today()).await?;
        Ok(queued as i32)
    }
}

/// A progress argument, parsed where it enters.
fn percent(progress: Option<i32>) -> ApiResult<Option<crate::domain::Percent>> {
    Ok(progress
        .map(|p| crate::domain::Percent::parse(p, "progress"))
        .transpose()?)
}
