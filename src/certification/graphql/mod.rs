//! The certification API: each person's records, HR's queries and reminders.

mod mutation;
mod nodes;
mod query;

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

pub use self::mutation::*;
pub use self::nodes::*;
pub use self::query::*;
