//! HR's queries and each person's records, standing and reminders.

use super::*;

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
        let (records, has_next) = crate::certification::certification_progress(
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
        let summary = crate::certification::certification_summary(
            &state.db,
            &state.frameworks,
            actor,
            &filter,
            today(),
        )
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
            crate::certification::certification_standing(&state.db, &state.frameworks, &reader)
                .await?;
        let fw = current_framework(ctx).await?;
        let view = View::new(fw, locale(ctx, None));
        let node = |s: crate::certification::LevelStanding| LevelCertificationStanding {
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
        let events =
            crate::certification::record_history(&state(ctx)?.db, actor, record_id).await?;
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
        let reminders =
            crate::certification::list_reminders(&state(ctx)?.db, &policy::hr(actor)?).await?;
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
