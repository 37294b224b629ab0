//! `exportMyData`, `exportPersonData` and `erasePerson`.

use async_graphql::{Context, ID, Json, Object, SimpleObject};

use crate::auth::policy;
use crate::graphql::context::{actor, state};
use crate::graphql::error::{ApiResult, parse_id};
use crate::graphql::global_id::{self, NodeType};

#[derive(Default)]
pub struct PrivacyQuery;

#[Object]
impl PrivacyQuery {
    /// Everything Skillpath holds about the caller, as one JSON document:
    /// profile, assessments given and received (peer assessors left out),
    /// targets and comments, KPI actuals, certifications, position changes,
    /// development plans, the mail sent to them and the history of their
    /// records. Other people appear by id only.
    #[graphql(complexity = "crate::graphql::limits::cost::ROLLUP")]
    async fn export_my_data(&self, ctx: &Context<'_>) -> ApiResult<Json<serde_json::Value>> {
        let actor = actor(ctx)?;
        let export = policy::export_person_data(actor, actor.user_id)?;
        let document = super::export_person_data(&state(ctx)?.db, &export).await?;
        Ok(Json(document))
    }

    /// `exportMyData` for someone else, run by HR or an admin on the
    /// person's request.
    #[graphql(complexity = "crate::graphql::limits::cost::ROLLUP")]
    async fn export_person_data(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person whose data to export.")] user_id: ID,
    ) -> ApiResult<Json<serde_json::Value>> {
        let person = parse_id(&user_id, "userId", NodeType::User)?;
        let export = policy::export_person_data(actor(ctx)?, person)?;
        let document = super::export_person_data(&state(ctx)?.db, &export).await?;
        Ok(Json(document))
    }
}

/// What erasing a person did.
#[derive(SimpleObject)]
pub struct ErasePersonPayload {
    /// The erased person's global id, which stays so aggregates and other people's
    /// records keep adding up.
    person_id: ID,
    /// How many rows were changed or removed.
    rows_changed: i32,
}

#[derive(Default)]
pub struct PrivacyMutation;

#[Object]
impl PrivacyMutation {
    /// HR erases a person who has left (deactivate the account first): name,
    /// email and employee id are replaced, their notes, evidence, comments,
    /// credentials, mail and sessions removed, and their name and address
    /// replaced wherever colleagues' text repeats them. Aggregates and other
    /// people's records stay consistent; the audit trail keeps the fact of
    /// the erasure, not the erased values.
    async fn erase_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person to erase.")] user_id: ID,
        #[graphql(desc = "Why, for the audit trail (e.g. the request's reference).")]
        reason: String,
    ) -> ApiResult<ErasePersonPayload> {
        let person = parse_id(&user_id, "userId", NodeType::User)?;
        let eraser = policy::erase_person(actor(ctx)?, person)?;
        let erased = super::erase_person(&state(ctx)?.db, &eraser, &reason).await?;
        Ok(ErasePersonPayload {
            person_id: global_id::encode(NodeType::User, erased.person_id),
            rows_changed: i32::try_from(erased.rows_changed).unwrap_or(i32::MAX),
        })
    }
}
