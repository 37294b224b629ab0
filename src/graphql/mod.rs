//! Schema assembly: one query and one mutation object per capability, merged;
//! limits against abusive queries; the error mapping and DataLoaders.

pub mod context;
pub mod date;
pub mod error;
pub mod global_id;
pub mod i18n;
pub mod limits;
pub mod loaders;
pub mod node;
pub mod pagination;

use async_graphql::{EmptySubscription, MergedObject, Schema};

use crate::advancement::graphql::AdvancementQuery;
use crate::assessment::graphql::{AssessmentMutation, AssessmentQuery};
use crate::audit::graphql::AuditLogQuery;
use crate::auth::graphql::AuthMutation;
use crate::certification::graphql::{CertificationMutation, CertificationQuery};
use crate::charts::graphql::ChartQuery;
use crate::development::graphql::{DevelopmentMutation, DevelopmentQuery};
use crate::exports::graphql::ExportMutation;
use crate::framework::graphql::{FrameworkMutation, FrameworkQuery};
use crate::kpi::graphql::{KpiMutation, KpiQuery};
use crate::mail::graphql::MailQuery;
use crate::people::graphql::{PeopleMutation, PeopleQuery};
use crate::people::import_graphql::PeopleImportMutation;
use crate::privacy::graphql::{PrivacyMutation, PrivacyQuery};
use crate::talent::graphql::{TalentMutation, TalentQuery, TalentReviewQuery};
use crate::talent::maturity::graphql::{MaturityMutation, MaturityQuery};

/// Deep enough for `user { manager { team { parent { … } } } }` walks,
/// shallow enough to refuse pathological nesting.
pub const MAX_DEPTH: usize = 16;
/// Every field costs 1 unless it declares its real cost (`complexity` on the
/// resolver): lists multiply their children by their page size, and whole
/// documents or organisation-wide roll-ups cost hundreds or thousands.
pub const MAX_COMPLEXITY: usize = 20_000;
/// Directives on one field: `@skip`/`@include` need one each.
pub const MAX_DIRECTIVES: usize = 8;

/// Everything that can be read. Each field answers within the caller's reach.
#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    PeopleQuery,
    FrameworkQuery,
    AssessmentQuery,
    KpiQuery,
    CertificationQuery,
    AdvancementQuery,
    DevelopmentQuery,
    MailQuery,
    ChartQuery,
    AuditLogQuery,
    PrivacyQuery,
    TalentQuery,
    TalentReviewQuery,
    MaturityQuery,
);

/// Everything that changes data. Each mutation checks the caller's reach and changes nothing when it fails.
#[derive(MergedObject, Default)]
pub struct Mutation(
    AuthMutation,
    PeopleMutation,
    FrameworkMutation,
    AssessmentMutation,
    KpiMutation,
    CertificationMutation,
    DevelopmentMutation,
    PeopleImportMutation,
    ExportMutation,
    PrivacyMutation,
    TalentMutation,
    MaturityMutation,
);

pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema without runtime data: for `skillpath schema` and the SDL test.
pub fn schema_builder() -> async_graphql::SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_directives(MAX_DIRECTIVES)
        .extension(limits::RequestLimits)
}

/// The served schema: `schema_builder()` with what production hides from
/// callers (introspection, "did you mean" suggestions) per the settings.
pub fn schema_for(
    settings: &crate::config::Settings,
) -> async_graphql::SchemaBuilder<Query, Mutation, EmptySubscription> {
    use async_graphql::extensions::apollo_persisted_queries::{
        ApolloPersistedQueries, LruCacheStorage,
    };
    // Automatic persisted queries (Apollo's protocol): a client sends a
    // query's hash and, the first time only, the query. Parsed documents
    // are kept per process, up to this many.
    let mut builder =
        schema_builder().extension(ApolloPersistedQueries::new(LruCacheStorage::new(1024)));
    if !settings.introspection_enabled() {
        builder = builder
            .disable_introspection()
            .extension(limits::IntrospectionOff);
    }
    if !settings.field_suggestions_enabled() {
        builder = builder.disable_suggestions();
    }
    builder
}

/// The SDL as `schema.graphql` holds it.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}
