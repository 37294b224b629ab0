//! The Relay `Node` interface and `node(id:)` / `nodes(ids:)`: refetching
//! any object by its global id, which is what Relay's store and Apollo's
//! cache do after a mutation or to fill a partial object.
//!
//! Each lookup is the capability's own by-id reader, so an object is found
//! here exactly when the caller could reach it through the type's other
//! fields. A refusal answers null, like an unknown id, so that a caller
//! cannot tell what exists outside their reach.

use async_graphql::{Context, ID, Interface, Object};

use super::error::{ApiError, ApiResult, Code};
use super::global_id::{self, GlobalId, NodeType};
use crate::assessment::graphql::{AssessmentCycle, AssessmentNode};
use crate::audit::graphql::AuditEntry;
use crate::certification::graphql::CertificationRecordNode;
use crate::development::graphql::{DevelopmentGoalNode, DevelopmentPlanNode};
use crate::kpi::graphql::{KpiActualNode, PerformanceTargetNode};
use crate::mail::graphql::OutboxMessage;
use crate::people::graphql::{TeamNode, User};

/// At most this many ids in one `nodes` call: each is its own lookup.
pub const MAX_NODES: usize = 100;

/// An object with a global id: `node(id:)` fetches it again by that id.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    method = "node_id",
    ty = "ID",
    desc = "The global id: unique across every type, stable, opaque."
))]
pub enum Node {
    User(User),
    Team(TeamNode),
    AssessmentCycle(AssessmentCycle),
    Assessment(AssessmentNode),
    PerformanceTarget(PerformanceTargetNode),
    KpiActual(KpiActualNode),
    CertificationRecord(CertificationRecordNode),
    DevelopmentPlan(DevelopmentPlanNode),
    DevelopmentGoal(DevelopmentGoalNode),
    OutboxMessage(OutboxMessage),
    AuditEntry(AuditEntry),
}

/// How the interface reads every node's id, whether its type is an
/// `Object` (whose `id` resolver answers `ID`) or a `SimpleObject` (whose
/// getter answers `&ID`): through the one `GlobalId` impl of each.
trait NodeId: GlobalId {
    async fn node_id(&self, _ctx: &Context<'_>) -> async_graphql::Result<ID> {
        Ok(self.global_id())
    }
}

impl<T: GlobalId> NodeId for T {}

/// The object of `kind` with database id `id`, as its capability's by-id
/// reader answers for this caller.
async fn load(ctx: &Context<'_>, kind: NodeType, id: i64) -> ApiResult<Node> {
    use crate::{assessment, audit, certification, development, kpi, mail, people};
    Ok(match kind {
        NodeType::User => Node::User(people::graphql::user_by_id(ctx, id).await?),
        NodeType::Team => Node::Team(people::graphql::team_by_id(ctx, id).await?),
        NodeType::AssessmentCycle => {
            Node::AssessmentCycle(assessment::graphql::cycle_by_id(ctx, id).await?)
        }
        NodeType::Assessment => {
            Node::Assessment(assessment::graphql::assessment_by_id(ctx, id).await?)
        }
        NodeType::PerformanceTarget => {
            Node::PerformanceTarget(kpi::graphql::target_by_id(ctx, id).await?)
        }
        NodeType::KpiActual => Node::KpiActual(kpi::graphql::actual_by_id(ctx, id).await?),
        NodeType::CertificationRecord => {
            Node::CertificationRecord(certification::graphql::record_by_id(ctx, id).await?)
        }
        NodeType::DevelopmentPlan => {
            Node::DevelopmentPlan(development::graphql::plan_by_id(ctx, id).await?)
        }
        NodeType::DevelopmentGoal => {
            Node::DevelopmentGoal(development::graphql::goal_by_id(ctx, id).await?)
        }
        NodeType::OutboxMessage => {
            Node::OutboxMessage(mail::graphql::message_by_id(ctx, id).await?)
        }
        NodeType::AuditEntry => Node::AuditEntry(audit::graphql::entry_by_id(ctx, id).await?),
    })
}

/// The node a global id names, or null when it is unknown or out of reach.
/// A bare number is refused here: it does not say which type it is.
async fn resolve(ctx: &Context<'_>, id: &ID, field: &str) -> ApiResult<Option<Node>> {
    let (kind, id) =
        global_id::decode(id).ok_or_else(|| ApiError::bad_input(field, "is not a global id"))?;
    match load(ctx, kind, id).await {
        Ok(node) => Ok(Some(node)),
        Err(e) if matches!(e.code(), Code::NotFound | Code::Forbidden) => Ok(None),
        Err(e) => Err(e),
    }
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global id (Relay's refetch): null when no such
    /// object exists or the caller may not see it.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id, as an object's `id` field gives it.")] id: ID,
    ) -> ApiResult<Option<Node>> {
        resolve(ctx, &id, "id").await
    }

    /// Several objects by their global ids, in the order asked, each null
    /// when unknown or out of reach; at most 100 ids.
    #[graphql(complexity = "ids.len() * child_complexity")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids, as objects' `id` fields give them; at most 100.")] ids: Vec<
            ID,
        >,
    ) -> ApiResult<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(ApiError::bad_input(
                "ids",
                format!("holds {} ids; at most {MAX_NODES} are allowed", ids.len()),
            ));
        }
        // Every id is checked before any lookup, so a malformed one fails
        // the call without half of it having run.
        for (i, id) in ids.iter().enumerate() {
            if global_id::decode(id).is_none() {
                return Err(ApiError::bad_input(
                    &format!("ids[{i}]"),
                    "is not a global id",
                ));
            }
        }
        let mut found = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            found.push(resolve(ctx, id, &format!("ids[{i}]")).await?);
        }
        Ok(found)
    }
}
