//! Reading frameworks: the current one, a version, the draft, a role's
//! matrix, a whole document.

use super::*;
use crate::auth::policy;

/// One version of the framework: its number, whether it is published, and when.
#[derive(SimpleObject)]
pub struct FrameworkVersion {
    /// The version's id.
    id: async_graphql::ID,
    /// The published version number; null for the draft.
    number: Option<i32>,
    /// Published or draft.
    status: VersionStatus,
    /// When it was first saved: as the draft, or already published for the
    /// framework loaded at first start.
    created_at: DateTime<Utc>,
    /// When it was published; null for the draft.
    published_at: Option<DateTime<Utc>>,
}

impl From<VersionInfo> for FrameworkVersion {
    fn from(v: VersionInfo) -> Self {
        Self {
            id: async_graphql::ID(v.id.to_string()),
            number: v.number,
            status: v.status,
            created_at: v.created_at,
            published_at: v.published_at,
        }
    }
}

/// A published version by number, or the current one.
async fn published(ctx: &Context<'_>, version: Option<i32>) -> ApiResult<Arc<Framework>> {
    let state = state(ctx)?;
    let store: &FrameworkStore = &state.frameworks;
    Ok(match version {
        Some(number) => store.version(&state.db, number).await?,
        None => store.current(&state.db).await?,
    })
}

#[derive(Default)]
pub struct FrameworkQuery;

#[Object]
impl FrameworkQuery {
    /// A published framework (the current one unless `version` is given), in
    /// the caller's language unless `locale` is given.
    #[graphql(complexity = "crate::graphql::limits::cost::FRAMEWORK + child_complexity")]
    async fn framework(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A published version; current when left out.")] version: Option<i32>,
        #[graphql(desc = "Language of texts (default: the caller's).")] locale: Option<Locale>,
    ) -> ApiResult<FrameworkNode> {
        actor(ctx)?;
        let fw = published(ctx, version).await?;
        Ok(FrameworkNode(View::new(fw, self::locale(ctx, locale))))
    }

    /// The draft being prepared, if any (admins and HR).
    #[graphql(complexity = "crate::graphql::limits::cost::FRAMEWORK + child_complexity")]
    async fn framework_draft(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Language of texts (default: the caller's).")] locale: Option<Locale>,
    ) -> ApiResult<Option<FrameworkNode>> {
        let state = state(ctx)?;
        let editor = policy::edit_catalogues(actor(ctx)?)?;
        let draft = crate::framework::edits::draft(&state.db, &state.frameworks, &editor).await?;
        Ok(draft.map(|d| FrameworkNode(View::new(Arc::new(d), self::locale(ctx, locale)))))
    }

    /// Every version of the framework, the draft included, newest first.
    async fn framework_versions(&self, ctx: &Context<'_>) -> ApiResult<Vec<FrameworkVersion>> {
        actor(ctx)?;
        Ok(crate::framework::versions(&state(ctx)?.db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// One role's level × skill grid.
    #[graphql(complexity = "crate::graphql::limits::cost::MATRIX + child_complexity")]
    async fn role_matrix(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The job role's key, e.g. `user_operations`.")] role: String,
        #[graphql(desc = "A published version; current when left out.")] version: Option<i32>,
        #[graphql(desc = "Language of texts (default: the caller's).")] locale: Option<Locale>,
    ) -> ApiResult<RoleMatrix> {
        actor(ctx)?;
        let fw = published(ctx, version).await?;
        role_matrix(&View::new(fw, self::locale(ctx, locale)), &role)
    }

    /// A whole framework as a file: a published version, or the draft with `draft: true`.
    #[graphql(complexity = "crate::graphql::limits::cost::DOCUMENT")]
    async fn export_framework(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A published version; current when left out.")] version: Option<i32>,
        #[graphql(desc = "True for the draft (admins and HR) instead of a published version.")]
        draft: Option<bool>,
        #[graphql(desc = "YAML unless given")] format: Option<DocumentFormat>,
    ) -> ApiResult<String> {
        let actor = actor(ctx)?;
        let format = format.unwrap_or(DocumentFormat::Yaml);
        let doc = if draft.unwrap_or(false) {
            let state = state(ctx)?;
            crate::framework::edits::draft(
                &state.db,
                &state.frameworks,
                &policy::edit_catalogues(actor)?,
            )
            .await?
            .ok_or(Error::NotFound("framework draft"))?
            .doc
        } else {
            published(ctx, version).await?.doc.clone()
        };
        doc.render(format)
            .map_err(|e| Error::Internal(anyhow::anyhow!("render framework: {e}")).into())
    }

    /// One role's matrix as CSV (see `importRoleMatrix`).
    #[graphql(complexity = "crate::graphql::limits::cost::MATRIX")]
    async fn export_role_matrix(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The job role's key, e.g. `user_operations`.")] role: String,
        #[graphql(desc = "A published version; current when left out.")] version: Option<i32>,
    ) -> ApiResult<String> {
        actor(ctx)?;
        let fw = published(ctx, version).await?;
        let role = fw.role(&role).ok_or(Error::NotFound("job role"))?;
        Ok(crate::framework::matrix_csv::export(role))
    }
}
