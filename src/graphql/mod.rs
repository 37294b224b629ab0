//! Schema assembly: one query and one mutation object per capability, merged;
//! limits against abusive queries; the error mapping and DataLoaders.

pub mod context;
pub mod error;
pub mod loaders;

use async_graphql::{EmptySubscription, MergedObject, Schema};

use crate::advancement::graphql::AdvancementQuery;
use crate::assessment::graphql::{AssessmentMutation, AssessmentQuery};
use crate::auth::graphql::AuthMutation;
use crate::certification::graphql::{CertificationMutation, CertificationQuery};
use crate::charts::graphql::ChartQuery;
use crate::exports::graphql::ExportMutation;
use crate::framework::graphql::{FrameworkMutation, FrameworkQuery};
use crate::kpi::graphql::{KpiMutation, KpiQuery};
use crate::mail::graphql::MailQuery;
use crate::people::graphql::{PeopleMutation, PeopleQuery};
use crate::people::import_graphql::PeopleImportMutation;

/// Deep enough for `user { manager { team { parent { … } } } }` walks,
/// shallow enough to refuse pathological nesting.
pub const MAX_DEPTH: usize = 16;
/// Every field costs 1, a list field multiplies its children by its page size.
pub const MAX_COMPLEXITY: usize = 20_000;

#[derive(MergedObject, Default)]
pub struct Query(
    PeopleQuery,
    FrameworkQuery,
    AssessmentQuery,
    KpiQuery,
    CertificationQuery,
    AdvancementQuery,
    MailQuery,
    ChartQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    AuthMutation,
    PeopleMutation,
    FrameworkMutation,
    AssessmentMutation,
    KpiMutation,
    CertificationMutation,
    PeopleImportMutation,
    ExportMutation,
);

pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema without runtime data: for `skillpath schema` and the SDL test.
pub fn schema_builder() -> async_graphql::SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
}

/// The SDL as `schema.graphql` holds it.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}
