//! Recording, updating, verifying and withdrawing certificates; reminders.

use super::*;

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
        let saved = crate::certification::record_certification(
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
        let saved = crate::certification::update_certification(
            &state.db,
            &state.frameworks,
            actor,
            record_id,
            change,
        )
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
            crate::certification::verify_certification(
                &state(ctx)?.db,
                &policy::hr(actor(ctx)?)?,
                record_id,
            )
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
            crate::certification::withdraw_certification(&state(ctx)?.db, actor(ctx)?, record_id)
                .await?,
        ))
    }

    /// Runs the expiry reminder job now (HR); it also runs on its own
    /// schedule. Returns how many reminders were newly queued.
    async fn run_certification_reminders(&self, ctx: &Context<'_>) -> ApiResult<i32> {
        let state = state(ctx)?;
        let stages = &state.settings.certification_reminder_days;
        let hr = policy::hr(actor(ctx)?)?;
        let queued = crate::certification::run_expiry_reminders(
            &state.db,
            &state.frameworks,
            &hr,
            stages,
            today(),
        )
        .await?;
        Ok(queued as i32)
    }
}

/// A progress argument, parsed where it enters.
pub(super) fn percent(progress: Option<i32>) -> ApiResult<Option<crate::domain::Percent>> {
    Ok(progress
        .map(|p| crate::domain::Percent::parse(p, "progress"))
        .transpose()?)
}
