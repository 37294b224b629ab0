//! The framework API. Every object holds the (shared, immutable) version it
//! came from and the language to answer in, so nested fields never go back to
//! the database: reading a whole framework costs one or two SQL statements.

use std::sync::Arc;

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::document::*;
use super::{Framework, FrameworkStore, VersionInfo, VersionStatus};
use crate::auth::Locale;
use crate::error::Error;
use crate::graphql::context::{actor, locale, state};
use crate::graphql::error::{ApiError, ApiResult};

/// A framework version seen in one language.
#[derive(Clone)]
pub struct View {
    fw: Arc<Framework>,
    locale: Locale,
}

impl View {
    pub fn new(fw: Arc<Framework>, locale: Locale) -> Self {
        Self { fw, locale }
    }
    pub fn framework(&self) -> &Arc<Framework> {
        &self.fw
    }
    pub fn locale(&self) -> Locale {
        self.locale
    }
    pub(crate) fn text<'a>(&self, text: &'a LocalizedText) -> &'a str {
        text.get(self.locale)
    }
    pub(crate) fn skill(&self, key: &str) -> Option<SkillNode> {
        self.fw
            .skill(key)
            .map(|_| SkillNode(self.clone(), key.to_owned()))
    }
    pub(crate) fn certification(&self, key: &str) -> Option<CertificationNode> {
        self.fw
            .certification(key)
            .map(|_| CertificationNode(self.clone(), key.to_owned()))
    }
    pub(crate) fn level(&self, reference: &str) -> Option<CareerLevelNode> {
        let (role, level) = split_ref(reference)?;
        let r = self.fw.doc.roles.iter().position(|x| x.key == role)?;
        let l = self.fw.doc.roles[r]
            .levels
            .iter()
            .position(|x| x.key == level)?;
        Some(CareerLevelNode(self.clone(), r, l))
    }
}

pub struct FrameworkNode(pub View);

#[Object(name = "Framework")]
impl FrameworkNode {
    /// The published version number; null for a draft.
    async fn version(&self) -> Option<i32> {
        self.0.fw.version.number
    }
    async fn status(&self) -> VersionStatus {
        self.0.fw.version.status
    }
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.fw.version.published_at
    }
    /// The language the texts are in.
    async fn locale(&self) -> Locale {
        self.0.locale
    }
    async fn name(&self) -> &str {
        self.0.text(&self.0.fw.doc.name)
    }
    async fn description(&self) -> &str {
        self.0.text(&self.0.fw.doc.description)
    }
    /// The proficiency scale, 0 to 5.
    async fn scale(&self) -> Vec<ProficiencyLevel> {
        self.0
            .fw
            .doc
            .scale
            .iter()
            .map(|s| ProficiencyLevel {
                level: s.level as i32,
                name: self.0.text(&s.name).to_owned(),
                description: self.0.text(&s.description).to_owned(),
            })
            .collect()
    }
    async fn areas(&self) -> Vec<AreaNode> {
        (0..self.0.fw.doc.areas.len())
            .map(|i| AreaNode(self.0.clone(), i))
            .collect()
    }
    /// Every skill, area by area.
    async fn skills(&self) -> Vec<SkillNode> {
        self.0
            .fw
            .skills()
            .map(|(_, s)| SkillNode(self.0.clone(), s.key.clone()))
            .collect()
    }
    async fn skill(&self, key: String) -> Option<SkillNode> {
        self.0.skill(&key)
    }
    async fn roles(&self) -> Vec<JobRoleNode> {
        (0..self.0.fw.doc.roles.len())
            .map(|i| JobRoleNode(self.0.clone(), i))
            .collect()
    }
    async fn role(&self, key: String) -> Option<JobRoleNode> {
        self.0
            .fw
            .doc
            .roles
            .iter()
            .position(|r| r.key == key)
            .map(|i| JobRoleNode(self.0.clone(), i))
    }
    /// The advancement directions path edges follow.
    async fn directions(&self) -> Vec<DirectionNode> {
        self.0
            .fw
            .doc
            .directions
            .iter()
            .map(|d| DirectionNode(self.0.clone(), d.key.clone()))
            .collect()
    }
    /// Every move the framework allows between role levels.
    async fn paths(&self) -> Vec<PathEdgeNode> {
        (0..self.0.fw.doc.paths.len())
            .map(|i| PathEdgeNode(self.0.clone(), i))
            .collect()
    }
    async fn kpi_families(&self) -> Vec<KpiFamilyNode> {
        (0..self.0.fw.doc.kpi_families.len())
            .map(|i| KpiFamilyNode(self.0.clone(), i))
            .collect()
    }
    async fn kpis(&self) -> Vec<KpiNode> {
        self.0
            .fw
            .doc
            .kpi_families
            .iter()
            .flat_map(|f| {
                f.kpis
                    .iter()
                    .map(|k| KpiNode(self.0.clone(), k.key.clone()))
            })
            .collect()
    }
    async fn certification_families(&self) -> Vec<CertificationFamilyNode> {
        (0..self.0.fw.doc.certification_families.len())
            .map(|i| CertificationFamilyNode(self.0.clone(), i))
            .collect()
    }
    async fn certifications(&self) -> Vec<CertificationNode> {
        self.0
            .fw
            .doc
            .certification_families
            .iter()
            .flat_map(|f| {
                f.certifications
                    .iter()
                    .map(|c| CertificationNode(self.0.clone(), c.key.clone()))
            })
            .collect()
    }
    async fn learning_resources(&self) -> Vec<LearningResourceNode> {
        (0..self.0.fw.doc.learning_resources.len())
            .map(|i| LearningResourceNode(self.0.clone(), i))
            .collect()
    }
}

#[derive(SimpleObject)]
pub struct ProficiencyLevel {
    level: i32,
    name: String,
    description: String,
}

pub struct AreaNode(View, usize);

#[Object(name = "SkillArea")]
impl AreaNode {
    async fn key(&self) -> &str {
        &self.0.fw.doc.areas[self.1].key
    }
    async fn name(&self) -> &str {
        self.0.text(&self.0.fw.doc.areas[self.1].name)
    }
    async fn description(&self) -> &str {
        self.0.text(&self.0.fw.doc.areas[self.1].description)
    }
    async fn skills(&self) -> Vec<SkillNode> {
        self.0.fw.doc.areas[self.1]
            .skills
            .iter()
            .map(|s| SkillNode(self.0.clone(), s.key.clone()))
            .collect()
    }
}

pub struct SkillNode(pub View, pub String);

impl SkillNode {
    fn skill(&self) -> &Skill {
        self.0
            .fw
            .skill(&self.1)
            .expect("built from an existing key")
    }
}

#[derive(SimpleObject)]
pub struct SkillDescriptor {
    level: i32,
    /// What this level of the skill looks like at work.
    text: String,
}

#[Object(name = "Skill")]
impl SkillNode {
    async fn key(&self) -> &str {
        &self.1
    }
    async fn name(&self) -> &str {
        self.0.text(&self.skill().name)
    }
    async fn description(&self) -> &str {
        self.0.text(&self.skill().description)
    }
    async fn area_key(&self) -> &str {
        self.0
            .fw
            .area_of(&self.1)
            .map(|a| a.key.as_str())
            .unwrap_or_default()
    }
    async fn area(&self) -> Option<AreaNode> {
        let area = self.0.fw.area_of(&self.1)?;
        let index = self.0.fw.doc.areas.iter().position(|a| a.key == area.key)?;
        Some(AreaNode(self.0.clone(), index))
    }
    /// Levels 1 to 5; level 0 is the scale's "not yet demonstrated".
    async fn descriptors(&self) -> Vec<SkillDescriptor> {
        self.skill()
            .descriptors
            .iter()
            .map(|(level, text)| SkillDescriptor {
                level: *level as i32,
                text: self.0.text(text).to_owned(),
            })
            .collect()
    }
    async fn descriptor(&self, level: i32) -> Option<&str> {
        let level = u8::try_from(level).ok()?;
        self.skill().descriptors.get(&level).map(|t| self.0.text(t))
    }
    /// Learning resources that build this skill.
    async fn learning_resources(&self) -> Vec<LearningResourceNode> {
        let fw = &self.0.fw;
        fw.doc
            .learning_resources
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.retired && r.skills.contains(&self.1))
            .map(|(i, _)| LearningResourceNode(self.0.clone(), i))
            .collect()
    }
}

pub struct JobRoleNode(View, usize);

#[Object(name = "JobRole")]
impl JobRoleNode {
    async fn key(&self) -> &str {
        &self.0.fw.doc.roles[self.1].key
    }
    async fn name(&self) -> &str {
        self.0.text(&self.0.fw.doc.roles[self.1].name)
    }
    async fn description(&self) -> &str {
        self.0.text(&self.0.fw.doc.roles[self.1].description)
    }
    async fn levels(&self) -> Vec<CareerLevelNode> {
        (0..self.0.fw.doc.roles[self.1].levels.len())
            .map(|l| CareerLevelNode(self.0.clone(), self.1, l))
            .collect()
    }
}

pub struct CareerLevelNode(pub(crate) View, pub(crate) usize, pub(crate) usize);

impl CareerLevelNode {
    fn job(&self) -> &JobRole {
        &self.0.fw.doc.roles[self.1]
    }
    fn level(&self) -> &CareerLevel {
        &self.job().levels[self.2]
    }
}

#[derive(SimpleObject)]
pub struct SkillRequirement {
    skill: SkillNode,
    /// Proficiency required, 1 to 5.
    required: i32,
    /// Importance within the level, 1 to 5.
    weight: i32,
}

#[Object(name = "CareerLevel")]
impl CareerLevelNode {
    async fn key(&self) -> &str {
        &self.level().key
    }
    async fn role_key(&self) -> &str {
        &self.job().key
    }
    async fn role(&self) -> JobRoleNode {
        JobRoleNode(self.0.clone(), self.1)
    }
    async fn rank(&self) -> i32 {
        self.level().rank as i32
    }
    async fn track(&self) -> Track {
        self.level().track
    }
    async fn title(&self) -> &str {
        self.0.text(&self.level().title)
    }
    /// The skills this level requires (proficiency above 0), in matrix order.
    async fn requirements(&self) -> Vec<SkillRequirement> {
        self.0
            .fw
            .requirements(&self.job().key, &self.level().key)
            .into_iter()
            .filter_map(|cell| {
                Some(SkillRequirement {
                    skill: self.0.skill(cell.skill)?,
                    required: cell.required as i32,
                    weight: cell.weight as i32,
                })
            })
            .collect()
    }
    async fn required_certifications(&self) -> Vec<CertificationNode> {
        self.level()
            .certifications
            .required
            .iter()
            .filter_map(|c| self.0.certification(c))
            .collect()
    }
    async fn recommended_certifications(&self) -> Vec<CertificationNode> {
        self.level()
            .certifications
            .recommended
            .iter()
            .filter_map(|c| self.0.certification(c))
            .collect()
    }
    /// The moves open from this level.
    async fn next_moves(&self) -> Vec<PathEdgeNode> {
        let reference = format!("{}/{}", self.job().key, self.level().key);
        self.0
            .fw
            .doc
            .paths
            .iter()
            .enumerate()
            .filter(|(_, e)| e.from == reference)
            .map(|(i, _)| PathEdgeNode(self.0.clone(), i))
            .collect()
    }
}

pub struct DirectionNode(pub(crate) View, pub(crate) String);

#[Object(name = "AdvancementDirection")]
impl DirectionNode {
    async fn key(&self) -> &str {
        &self.1
    }
    async fn name(&self) -> &str {
        self.0
            .fw
            .direction(&self.1)
            .map(|d| self.0.text(&d.name))
            .unwrap_or_default()
    }
    async fn description(&self) -> &str {
        self.0
            .fw
            .direction(&self.1)
            .map(|d| self.0.text(&d.description))
            .unwrap_or_default()
    }
}

pub struct PathEdgeNode(View, usize);

#[derive(SimpleObject)]
pub struct PathGates {
    /// Minimum months at the current level.
    min_months: Option<i32>,
    /// Certifications that must be held (earned and valid).
    certifications: Vec<CertificationNode>,
    /// Minimum weighted KPI score, in percent, over recent periods.
    min_kpi_attainment: Option<i32>,
}

#[Object(name = "CareerPathEdge")]
impl PathEdgeNode {
    async fn from(&self) -> Option<CareerLevelNode> {
        self.0.level(&self.0.fw.doc.paths[self.1].from)
    }
    async fn to(&self) -> Option<CareerLevelNode> {
        self.0.level(&self.0.fw.doc.paths[self.1].to)
    }
    async fn kind(&self) -> PathKind {
        self.0.fw.doc.paths[self.1].kind
    }
    async fn direction(&self) -> Option<DirectionNode> {
        let key = self.0.fw.doc.paths[self.1].direction.clone()?;
        Some(DirectionNode(self.0.clone(), key))
    }
    async fn gates(&self) -> PathGates {
        let gates = &self.0.fw.doc.paths[self.1].gates;
        PathGates {
            min_months: gates.min_months.map(|m| m as i32),
            certifications: gates
                .certifications
                .iter()
                .filter_map(|c| self.0.certification(c))
                .collect(),
            min_kpi_attainment: gates.min_kpi_attainment.map(|m| m as i32),
        }
    }
}

pub struct KpiFamilyNode(View, usize);

#[Object(name = "KpiFamily")]
impl KpiFamilyNode {
    async fn key(&self) -> &str {
        &self.0.fw.doc.kpi_families[self.1].key
    }
    async fn name(&self) -> &str {
        self.0.text(&self.0.fw.doc.kpi_families[self.1].name)
    }
    async fn description(&self) -> &str {
        self.0.text(&self.0.fw.doc.kpi_families[self.1].description)
    }
    async fn kpis(&self) -> Vec<KpiNode> {
        self.0.fw.doc.kpi_families[self.1]
            .kpis
            .iter()
            .map(|k| KpiNode(self.0.clone(), k.key.clone()))
            .collect()
    }
}

pub struct KpiNode(pub View, pub String);

impl KpiNode {
    fn kpi(&self) -> &Kpi {
        self.0.fw.kpi(&self.1).expect("built from an existing key")
    }
}

#[Object(name = "Kpi")]
impl KpiNode {
    async fn key(&self) -> &str {
        &self.1
    }
    async fn family_key(&self) -> &str {
        self.0
            .fw
            .kpi_family_of(&self.1)
            .map(|f| f.key.as_str())
            .unwrap_or_default()
    }
    async fn name(&self) -> &str {
        self.0.text(&self.kpi().name)
    }
    async fn description(&self) -> &str {
        self.0.text(&self.kpi().description)
    }
    async fn unit(&self) -> KpiUnit {
        self.kpi().unit
    }
    async fn direction(&self) -> KpiDirection {
        self.kpi().direction
    }
    async fn aggregation(&self) -> Aggregation {
        self.kpi().aggregation
    }
}

pub struct CertificationFamilyNode(View, usize);

#[Object(name = "CertificationFamily")]
impl CertificationFamilyNode {
    async fn key(&self) -> &str {
        &self.0.fw.doc.certification_families[self.1].key
    }
    async fn name(&self) -> &str {
        self.0
            .text(&self.0.fw.doc.certification_families[self.1].name)
    }
    async fn description(&self) -> &str {
        self.0
            .text(&self.0.fw.doc.certification_families[self.1].description)
    }
    async fn certifications(&self) -> Vec<CertificationNode> {
        self.0.fw.doc.certification_families[self.1]
            .certifications
            .iter()
            .map(|c| CertificationNode(self.0.clone(), c.key.clone()))
            .collect()
    }
}

pub struct CertificationNode(pub View, pub String);

impl CertificationNode {
    fn cert(&self) -> &Certification {
        self.0
            .fw
            .certification(&self.1)
            .expect("built from an existing key")
    }
}

#[Object(name = "Certification")]
impl CertificationNode {
    async fn key(&self) -> &str {
        &self.1
    }
    async fn family_key(&self) -> &str {
        self.0
            .fw
            .certification_family_of(&self.1)
            .map(|f| f.key.as_str())
            .unwrap_or_default()
    }
    async fn name(&self) -> &str {
        self.0.text(&self.cert().name)
    }
    async fn issuer(&self) -> &str {
        self.0.text(&self.cert().issuer)
    }
    async fn description(&self) -> &str {
        self.0.text(&self.cert().description)
    }
    /// Months an earned certificate stays valid; null when it does not expire.
    async fn validity_months(&self) -> Option<i32> {
        self.cert().validity_months.map(|m| m as i32)
    }
    async fn skills(&self) -> Vec<SkillNode> {
        self.cert()
            .skills
            .iter()
            .filter_map(|s| self.0.skill(s))
            .collect()
    }
}

pub struct LearningResourceNode(pub(crate) View, pub(crate) usize);

#[Object(name = "LearningResource")]
impl LearningResourceNode {
    async fn key(&self) -> &str {
        &self.0.fw.doc.learning_resources[self.1].key
    }
    async fn title(&self) -> &str {
        self.0.text(&self.0.fw.doc.learning_resources[self.1].title)
    }
    async fn description(&self) -> &str {
        self.0
            .text(&self.0.fw.doc.learning_resources[self.1].description)
    }
    async fn kind(&self) -> ResourceKind {
        self.0.fw.doc.learning_resources[self.1].kind
    }
    async fn hours(&self) -> i32 {
        self.0.fw.doc.learning_resources[self.1].hours as i32
    }
    async fn skills(&self) -> Vec<SkillNode> {
        self.0.fw.doc.learning_resources[self.1]
            .skills
            .iter()
            .filter_map(|s| self.0.skill(s))
            .collect()
    }
    /// The career levels it serves (level keys); empty for any level.
    async fn levels(&self) -> &[String] {
        &self.0.fw.doc.learning_resources[self.1].levels
    }
    /// No longer offered in advice or new plans; still shown on plans that took it.
    async fn retired(&self) -> bool {
        self.0.fw.doc.learning_resources[self.1].retired
    }
}

/// A role's level × skill grid in one answer.
#[derive(SimpleObject)]
pub struct RoleMatrix {
    role: JobRoleNode,
    /// The columns, in order.
    levels: Vec<CareerLevelNode>,
    rows: Vec<RoleMatrixRow>,
}

#[derive(SimpleObject)]
pub struct RoleMatrixRow {
    skill: SkillNode,
    /// One cell per level, in the order of `levels`.
    cells: Vec<MatrixCell>,
}

#[derive(SimpleObject)]
pub struct MatrixCell {
    level_key: String,
    /// 0 means not expected at this level.
    required: i32,
    weight: i32,
}

fn role_matrix(view: &View, role_key: &str) -> ApiResult<RoleMatrix> {
    let index = view
        .fw
        .doc
        .roles
        .iter()
        .position(|r| r.key == role_key)
        .ok_or_else(|| ApiError::from(Error::NotFound("job role")))?;
    let role = &view.fw.doc.roles[index];
    let rows = role
        .requirements
        .iter()
        .filter_map(|(skill, req)| {
            Some(RoleMatrixRow {
                skill: view.skill(skill)?,
                cells: role
                    .levels
                    .iter()
                    .map(|l| MatrixCell {
                        level_key: l.key.clone(),
                        required: req.levels.get(&l.key).copied().unwrap_or(0) as i32,
                        weight: req.weight_at(&l.key) as i32,
                    })
                    .collect(),
            })
        })
        .collect();
    Ok(RoleMatrix {
        role: JobRoleNode(view.clone(), index),
        levels: (0..role.levels.len())
            .map(|l| CareerLevelNode(view.clone(), index, l))
            .collect(),
        rows,
    })
}

#[derive(SimpleObject)]
pub struct FrameworkVersion {
    id: async_graphql::ID,
    number: Option<i32>,
    status: VersionStatus,
    created_at: DateTime<Utc>,
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
        version: Option<i32>,
        locale: Option<Locale>,
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
        locale: Option<Locale>,
    ) -> ApiResult<Option<FrameworkNode>> {
        let state = state(ctx)?;
        let draft = super::edits::draft(&state.db, &state.frameworks, actor(ctx)?).await?;
        Ok(draft.map(|d| FrameworkNode(View::new(Arc::new(d), self::locale(ctx, locale)))))
    }

    async fn framework_versions(&self, ctx: &Context<'_>) -> ApiResult<Vec<FrameworkVersion>> {
        actor(ctx)?;
        Ok(super::versions(&state(ctx)?.db)
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
        role: String,
        version: Option<i32>,
        locale: Option<Locale>,
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
        version: Option<i32>,
        draft: Option<bool>,
        #[graphql(desc = "YAML unless given")] format: Option<DocumentFormat>,
    ) -> ApiResult<String> {
        let actor = actor(ctx)?;
        let format = format.unwrap_or(DocumentFormat::Yaml);
        let doc = if draft.unwrap_or(false) {
            let state = state(ctx)?;
            super::edits::draft(&state.db, &state.frameworks, actor)
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
        role: String,
        version: Option<i32>,
    ) -> ApiResult<String> {
        actor(ctx)?;
        let fw = published(ctx, version).await?;
        let role = fw.role(&role).ok_or(Error::NotFound("job role"))?;
        Ok(super::matrix_csv::export(role))
    }
}

#[derive(InputObject)]
pub struct LocalizedTextInput {
    pub en: String,
    pub zh_cn: String,
}

impl From<LocalizedTextInput> for LocalizedText {
    fn from(t: LocalizedTextInput) -> Self {
        LocalizedText::new(t.en, t.zh_cn)
    }
}

#[derive(InputObject)]
pub struct KpiInput {
    pub key: String,
    pub name: LocalizedTextInput,
    pub description: LocalizedTextInput,
    pub unit: KpiUnit,
    pub direction: KpiDirection,
    pub aggregation: Aggregation,
}

#[derive(InputObject)]
pub struct CertificationInput {
    pub key: String,
    pub name: LocalizedTextInput,
    pub issuer: LocalizedTextInput,
    pub description: LocalizedTextInput,
    /// Leave out when the certificate does not expire.
    pub validity_months: Option<i32>,
    pub skills: Vec<String>,
}

#[derive(InputObject)]
pub struct LearningResourceInput {
    pub key: String,
    pub title: LocalizedTextInput,
    pub description: LocalizedTextInput,
    pub kind: ResourceKind,
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
        document: String,
        format: DocumentFormat,
    ) -> ApiResult<FrameworkNode> {
        let state = state(ctx)?;
        let draft =
            super::edits::import_document(&state.db, actor(ctx)?, &document, format).await?;
        Ok(draft_node(ctx, draft))
    }

    /// Starts a draft from the current version.
    async fn create_framework_draft(&self, ctx: &Context<'_>) -> ApiResult<FrameworkNode> {
        let state = state(ctx)?;
        let draft = super::create_draft(&state.db, &state.frameworks, actor(ctx)?).await?;
        Ok(draft_node(ctx, draft))
    }

    /// Publishes the draft as the next version; it becomes the current framework.
    async fn publish_framework_draft(&self, ctx: &Context<'_>) -> ApiResult<FrameworkNode> {
        let state = state(ctx)?;
        let fw = super::publish_draft(&state.db, &state.frameworks, actor(ctx)?).await?;
        Ok(FrameworkNode(View::new(fw, locale(ctx, None))))
    }

    async fn discard_framework_draft(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(super::discard_draft(&state(ctx)?.db, actor(ctx)?).await?)
    }

    /// Replaces one role's matrix in the draft from CSV (as `exportRoleMatrix` writes it).
    async fn import_role_matrix(
        &self,
        ctx: &Context<'_>,
        role: String,
        csv: String,
    ) -> ApiResult<RoleMatrix> {
        let state = state(ctx)?;
        let draft = super::edits::import_role_matrix(
            &state.db,
            &state.frameworks,
            actor(ctx)?,
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
        skill: String,
        level: i32,
        text: LocalizedTextInput,
    ) -> ApiResult<FrameworkNode> {
        let state = state(ctx)?;
        let draft = super::edits::set_skill_descriptor(
            &state.db,
            &state.frameworks,
            actor(ctx)?,
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
        role: String,
        level: String,
        skill: String,
        required: i32,
        weight: i32,
    ) -> ApiResult<RoleMatrix> {
        let state = state(ctx)?;
        let draft = super::edits::set_skill_requirement(
            &state.db,
            &state.frameworks,
            actor(ctx)?,
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
        family: String,
        input: KpiInput,
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
        let draft =
            super::edits::upsert_kpi(&state.db, &state.frameworks, actor(ctx)?, &family, kpi)
                .await?;
        Ok(draft_node(ctx, draft))
    }

    /// Adds a certification to a family of the catalogue, or replaces the one with the same key (admins and HR).
    async fn upsert_certification(
        &self,
        ctx: &Context<'_>,
        family: String,
        input: CertificationInput,
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
        let draft = super::edits::upsert_certification(
            &state.db,
            &state.frameworks,
            actor(ctx)?,
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
        input: LearningResourceInput,
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
        let draft = super::edits::upsert_learning_resource(
            &state.db,
            &state.frameworks,
            actor(ctx)?,
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
        key: String,
        #[graphql(default = true)] retired: bool,
    ) -> ApiResult<FrameworkNode> {
        let state = state(ctx)?;
        let draft = super::edits::retire_learning_resource(
            &state.db,
            &state.frameworks,
            actor(ctx)?,
            &key,
            retired,
        )
        .await?;
        Ok(draft_node(ctx, draft))
    }
}
