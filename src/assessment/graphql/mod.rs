//! The assessment API: cycles, writing ratings, profiles, divergence, team matrices.

mod mutation;
mod nodes;
mod query;
mod team;

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::profile::{AgreedBasis, DivergenceKind, MatrixCell};
use super::{AssessmentKind, AssessmentStatus, CycleStatus, OpenCycle, RatingInput};
use crate::auth::policy;
use crate::framework::Framework;
use crate::framework::graphql::{SkillNode, View};
use crate::graphql::context::{actor, locale, state};
use crate::graphql::date::Date;
use crate::graphql::error::{ApiResult, parse_id};
use crate::graphql::global_id::{self, GlobalId, NodeType};
use crate::graphql::loaders::Loaders;
use crate::graphql::pagination::{
    Page, PageArgs, PageNames, connection, connection_named, page_of, window,
};
use crate::people::Person;
use crate::people::graphql::User;

pub use self::mutation::*;
pub use self::nodes::*;
pub use self::query::*;
pub use self::team::*;

async fn user(ctx: &Context<'_>, id: i64) -> ApiResult<Option<User>> {
    Ok(ctx.data::<Loaders>()?.person.load_one(id).await?.map(User))
}

fn skill(ctx: &Context<'_>, fw: &Arc<Framework>, key: &str) -> Option<SkillNode> {
    fw.skill(key)
        .map(|_| SkillNode(View::new(fw.clone(), locale(ctx, None)), key.to_owned()))
}
