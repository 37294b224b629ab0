//! Changing the draft and publishing it; each edit is a service call in
//! `framework::edits`.

use super::*;
use crate::auth::policy;

/// A text in English and Chinese.
#[derive(InputObject)]
pub struct LocalizedTextInput {
    /// The English text.
    pub en: String,
    /// The Simplified Chinese text.
    pub zh_cn: String,
}

impl From<LocalizedTextInput> for LocalizedText {
    fn from(t: LocalizedTextInput) -> Self {
        LocalizedText::new(t.en, t.zh_cn)
    }
}

/// A KPI for the catalogue; the same key replaces the existing one.
#[derive(InputObject)]
pub struct KpiInput {
    /// Its key; an existing key is replaced.
    pub key: String,
    /// Its name.
    pub name: LocalizedTextInput,
    /// How the KPI is measured.
    pub description: LocalizedTextInput,
    /// The unit it is measured in.
    pub unit: KpiUnit,
    /// Whether more or less is better.
    pub direction: KpiDirection,
    /// How readings within a period add up.
    pub aggregation: Aggregation,
}

/// A certificate for the catalogue; the same key replaces the existing one.
#[derive(InputObject)]
pub struct CertificationInput {
    /// Its key; an existing key is replaced.
    pub key: String,
    /// Its name.
    pub name: LocalizedTextInput,
    /// Who issues it.
    pub issuer: LocalizedTextInput,
    /// What the certificate shows and how it is kept.
    pub description: LocalizedTextInput,
    /// Leave out when the certificate does not expire.
    pub validity_months: Option<i32>,
    /// Keys of the skills it gives evidence of.
    pub skills: Vec<String>,
}

/// A learning resource for the catalogue; the same key replaces the existing one.
#[derive(InputObject)]
pub struct LearningResourceInput {
    /// Its key; an existing key is replaced.
    pub key: String,
    /// Its title.
    pub title: LocalizedTextInput,
    /// What it covers.
    pub description: LocalizedTextInput,
    /// Course module, practice or reading.
    pub kind: ResourceKind,
    /// About how long it takes, in hours.
    pub hours: i32,
    /// The skills it builds.
    pub skills: Vec<String>,
    /// The career levels it serves (level keys such as `p2`); empty for any.
    #[graphql(default)]
    pub levels: Vec<String>,
}

fn draft_node(ctx: &Context<'_>, fw: Framework) -> FrameworkNode {
    FrameworkNode(View::new(Arc::new(fw), locale(ctx, None)))
}

fn small(value: i32, field: &str) -> Result<u8, Error> {
    u8::try_from(value).map_err(|_| Error::invalid(field, "is out of range"))
}

#[derive(Default)]
pub struct FrameworkMutation;

#[Object]
impl FrameworkMutation {
    /// Replaces the draft with a whole framework file. An invalid framework is
    /// refused with every problem listed, and nothing changes.
    async fn import_framework(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The whole framework in `format`.")] document: String,
        #[graphql(desc = "The document's file format: JSON or YAML.")] format: DocumentFormat,
    ) -> ApiResult<FrameworkNode> {
        let state = state(ctx)?;
        let editor = policy::edit_framework(actor(ctx)?)?;
        let draft =
            crate::framework::edits::import_document(&state.db, &editor, &document, format).await?;
        Ok(draft_node(ctx, draft))
    }

    /// Starts a draft from the current version.
    async fn create_framework_draft(&self, ctx: &Context<'_>) -> ApiResult<FrameworkNode> {
        let state = state(ctx)?;
        let editor = policy::edit_catalogues(actor(ctx)?)?;
        let draft = crate::framework::create_draft(&state.db, &state.frameworks, &editor).await?;
        Ok(draft_node(ctx, draft))
    }

    /// Publishes the draft as the next version; it becomes the current framework.
    async fn publish_framework_draft(&self, ctx: &Context<'_>) -> ApiResult<FrameworkNode> {
        let state = state(ctx)?;
        let editor = policy::edit_framework(actor(ctx)?)?;
        let fw = crate::framework::publish_draft(&state.db, &state.frameworks, &editor).await?;
        Ok(FrameworkNode(View::new(fw, locale(ctx, None))))
    }

    /// Deletes the draft and every change in it (admins). True when there was a draft.
    async fn discard_framework_draft(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let editor = policy::edit_framework(actor(ctx)?)?;
        Ok(crate::framework::discard_draft(&state(ctx)?.db, &editor).await?)
    }

    /// Replaces one role's matrix in the draft from CSV (as `exportRoleMatrix` writes it).
    async fn import_role_matrix(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The job role's key, e.g. `user_operations`.")] role: String,
        #[graphql(desc = "The file as CSV text.")] csv: String,
    ) -> ApiResult<RoleMatrix> {
        let state = state(ctx)?;
        let draft = crate::framework::edits::import_role_matrix(
            &state.db,
            &state.frameworks,
            &policy::edit_framework(actor(ctx)?)?,
            &role,
            &csv,
        )
        .await?;
        role_matrix(&View::new(Arc::new(draft), locale(ctx, None)), &role)
    }

    /// Rewrites what one level of a skill looks like (admins and HR).
    async fn set_skill_descriptor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The skill's key.")] skill: String,
        #[graphql(desc = "The proficiency level described, 1 to 5.")] level: i32,
        #[graphql(
            desc = "What this level of the skill looks like at work, in English and Chinese."
        )]
        text: LocalizedTextInput,
    ) -> ApiResult<FrameworkNode> {
        let state = state(ctx)?;
        let draft = crate::framework::edits::set_skill_descriptor(
            &state.db,
            &state.frameworks,
            &policy::edit_catalogues(actor(ctx)?)?,
            &skill,
            small(level, "level")?,
            text.into(),
        )
        .await?;
        Ok(draft_node(ctx, draft))
    }

    /// Sets one cell of a role's matrix: the proficiency `skill` needs at
    /// `level` (0 = not expected) and its weight there (admins).
    async fn set_skill_requirement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The job role's key.")] role: String,
        #[graphql(desc = "A career level key of the role, e.g. `p2`.")] level: String,
        #[graphql(desc = "The skill's key; a skill not yet in the role's matrix gets a row.")]
        skill: String,
        #[graphql(desc = "The proficiency needed at the level, 0 (not expected) to 5.")]
        required: i32,
        #[graphql(desc = "The skill's importance at the level, 1 to 5.")] weight: i32,
    ) -> ApiResult<RoleMatrix> {
        let state = state(ctx)?;
        let draft = crate::framework::edits::set_skill_requirement(
            &state.db,
            &state.frameworks,
            &policy::edit_framework(actor(ctx)?)?,
            (&role, &level, &skill),
            small(required, "required")?,
            small(weight, "weight")?,
        )
        .await?;
        role_matrix(&View::new(Arc::new(draft), locale(ctx, None)), &role)
    }

    /// Adds a KPI to a family of the catalogue, or replaces the one with the same key (admins and HR).
    async fn upsert_kpi(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The catalogue family's key.")] family: String,
        #[graphql(desc = "What to create or change.")] input: KpiInput,
    ) -> ApiResult<FrameworkNode> {
        let kpi = Kpi {
            key: input.key,
            name: input.name.into(),
            description: input.description.into(),
            unit: input.unit,
            direction: input.direction,
            aggregation: input.aggregation,
        };
        let state = state(ctx)?;
        let draft = crate::framework::edits::upsert_kpi(
            &state.db,
            &state.frameworks,
            &policy::edit_catalogues(actor(ctx)?)?,
            &family,
            kpi,
        )
        .await?;
        Ok(draft_node(ctx, draft))
    }

    /// Adds a certification to a family of the catalogue, or replaces the one with the same key (admins and HR).
    async fn upsert_certification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The catalogue family's key.")] family: String,
        #[graphql(desc = "What to create or change.")] input: CertificationInput,
    ) -> ApiResult<FrameworkNode> {
        let validity = input
            .validity_months
            .map(|m| {
                u32::try_from(m).map_err(|_| Error::invalid("validityMonths", "must be positive"))
            })
            .transpose()?;
        let cert = Certification {
            key: input.key,
            name: input.name.into(),
            issuer: input.issuer.into(),
            description: input.description.into(),
            validity_months: validity,
            skills: input.skills,
        };
        let state = state(ctx)?;
        let draft = crate::framework::edits::upsert_certification(
            &state.db,
            &state.frameworks,
            &policy::edit_catalogues(actor(ctx)?)?,
            &family,
            cert,
        )
        .await?;
        Ok(draft_node(ctx, draft))
    }
    /// Adds a learning resource to the draft's catalogue, or replaces the one
    /// with the same key (admins and HR; an admin publishes).
    async fn upsert_learning_resource(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to create or change.")] input: LearningResourceInput,
    ) -> ApiResult<FrameworkNode> {
        let hours =
            u32::try_from(input.hours).map_err(|_| Error::invalid("hours", "must be positive"))?;
        let resource = LearningResource {
            key: input.key,
            title: input.title.into(),
            description: input.description.into(),
            kind: input.kind,
            hours,
            skills: input.skills,
            levels: input.levels,
            retired: false,
        };
        let state = state(ctx)?;
        let draft = crate::framework::edits::upsert_learning_resource(
            &state.db,
            &state.frameworks,
            &policy::edit_catalogues(actor(ctx)?)?,
            resource,
        )
        .await?;
        Ok(draft_node(ctx, draft))
    }

    /// Retires a learning resource in the draft (or brings it back with
    /// `retired: false`): no longer offered, still readable on plans that took it.
    async fn retire_learning_resource(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The learning resource's key.")] key: String,
        #[graphql(
            desc = "True (default) retires it; false offers it again.",
            default = true
        )]
        retired: bool,
    ) -> ApiResult<FrameworkNode> {
        let state = state(ctx)?;
        let draft = crate::framework::edits::retire_learning_resource(
            &state.db,
            &state.frameworks,
            &policy::edit_catalogues(actor(ctx)?)?,
            &key,
            retired,
        )
        .await?;
        Ok(draft_node(ctx, draft))
    }
}
