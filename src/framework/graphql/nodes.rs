//! The framework as a tree: areas and skills, roles and their levels, the
//! directions and paths between levels.

use super::*;

pub struct FrameworkNode(pub View);

/// A version of the competency framework (or the draft): skill areas, job roles and levels, paths, and the catalogues.
#[Object(name = "Framework")]
impl FrameworkNode {
    /// The published version number; null for a draft.
    async fn version(&self) -> Option<i32> {
        self.0.fw.version.number
    }
    /// Published or draft.
    async fn status(&self) -> VersionStatus {
        self.0.fw.version.status
    }
    /// When the version was published; null for the draft.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.fw.version.published_at
    }
    /// The language the texts are in.
    async fn locale(&self) -> Locale {
        self.0.locale
    }
    /// The framework's name.
    async fn name(&self) -> &str {
        self.0.text(&self.0.fw.doc.name)
    }
    /// What the framework covers.
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
    /// The five skill areas and their skills.
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
    /// One skill by key.
    async fn skill(
        &self,
        #[graphql(desc = "The skill's key, e.g. `user_persona`.")] key: String,
    ) -> Option<SkillNode> {
        self.0.skill(&key)
    }
    /// The job roles and their levels.
    async fn roles(&self) -> Vec<JobRoleNode> {
        (0..self.0.fw.doc.roles.len())
            .map(|i| JobRoleNode(self.0.clone(), i))
            .collect()
    }
    /// One job role by key.
    async fn role(
        &self,
        #[graphql(desc = "The job role's key, e.g. `user_operations`.")] key: String,
    ) -> Option<JobRoleNode> {
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
    /// The KPI catalogue, by family.
    async fn kpi_families(&self) -> Vec<KpiFamilyNode> {
        (0..self.0.fw.doc.kpi_families.len())
            .map(|i| KpiFamilyNode(self.0.clone(), i))
            .collect()
    }
    /// Every KPI of the catalogue.
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
    /// The certificate catalogue, by family.
    async fn certification_families(&self) -> Vec<CertificationFamilyNode> {
        (0..self.0.fw.doc.certification_families.len())
            .map(|i| CertificationFamilyNode(self.0.clone(), i))
            .collect()
    }
    /// Every certificate of the catalogue.
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
    /// The learning resources of the catalogue.
    async fn learning_resources(&self) -> Vec<LearningResourceNode> {
        (0..self.0.fw.doc.learning_resources.len())
            .map(|i| LearningResourceNode(self.0.clone(), i))
            .collect()
    }
}

/// One step of the proficiency scale (0 not yet, 1 beginner … 5 expert).
#[derive(SimpleObject)]
pub struct ProficiencyLevel {
    /// The step's number, 0 to 5.
    level: i32,
    /// The step's name, e.g. Foundational.
    name: String,
    /// What a person at this step can do, whatever the skill.
    description: String,
}

pub struct AreaNode(pub(super) View, pub(super) usize);

/// One of the five skill areas: user insight, data analytics, activity planning, community operations, project management.
#[Object(name = "SkillArea")]
impl AreaNode {
    /// The area's key, e.g. `insight`.
    async fn key(&self) -> &str {
        &self.0.fw.doc.areas[self.1].key
    }
    /// The area's name.
    async fn name(&self) -> &str {
        self.0.text(&self.0.fw.doc.areas[self.1].name)
    }
    /// What the area covers.
    async fn description(&self) -> &str {
        self.0.text(&self.0.fw.doc.areas[self.1].description)
    }
    /// The skills of the area, in framework order.
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

/// What one proficiency level of a skill looks like.
#[derive(SimpleObject)]
pub struct SkillDescriptor {
    /// The proficiency level described, 1 to 5.
    level: i32,
    /// What this level of the skill looks like at work.
    text: String,
}

/// A skill of the framework, with what each proficiency level looks like.
#[Object(name = "Skill")]
impl SkillNode {
    /// The skill's key, e.g. `user_persona`.
    async fn key(&self) -> &str {
        &self.1
    }
    /// The skill's name.
    async fn name(&self) -> &str {
        self.0.text(&self.skill().name)
    }
    /// What the skill is.
    async fn description(&self) -> &str {
        self.0.text(&self.skill().description)
    }
    /// The key of its area.
    async fn area_key(&self) -> &str {
        self.0
            .fw
            .area_of(&self.1)
            .map(|a| a.key.as_str())
            .unwrap_or_default()
    }
    /// The skill area it belongs to.
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
    /// What one level (1 to 5) of the skill looks like.
    async fn descriptor(
        &self,
        #[graphql(desc = "The proficiency level, 1 to 5; other values give null.")] level: i32,
    ) -> Option<&str> {
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

pub struct JobRoleNode(pub(super) View, pub(super) usize);

/// A job role of the framework (user, content, activity, community, data, product operations) with its levels and skill matrix.
#[Object(name = "JobRole")]
impl JobRoleNode {
    /// The role's key, e.g. `user_operations`.
    async fn key(&self) -> &str {
        &self.0.fw.doc.roles[self.1].key
    }
    /// The role's name.
    async fn name(&self) -> &str {
        self.0.text(&self.0.fw.doc.roles[self.1].name)
    }
    /// What people in the role do.
    async fn description(&self) -> &str {
        self.0.text(&self.0.fw.doc.roles[self.1].description)
    }
    /// The role's career levels, first to last.
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

/// The level a career level needs in one skill, its weight, and whether it is critical.
#[derive(SimpleObject)]
pub struct SkillRequirement {
    /// The skill required.
    skill: SkillNode,
    /// Proficiency required, 1 to 5.
    required: i32,
    /// Importance within the level, 1 to 5.
    weight: i32,
}

/// A level of a job role (p1–p4 on the individual track, m1–m2 in management), with what it requires.
#[Object(name = "CareerLevel")]
impl CareerLevelNode {
    /// The level's key within its role, e.g. `p2` or `m1`.
    async fn key(&self) -> &str {
        &self.level().key
    }
    /// The key of its job role.
    async fn role_key(&self) -> &str {
        &self.job().key
    }
    /// The job role the level belongs to.
    async fn role(&self) -> JobRoleNode {
        JobRoleNode(self.0.clone(), self.1)
    }
    /// Its order in the role, 1 for the first level.
    async fn rank(&self) -> i32 {
        self.level().rank as i32
    }
    /// Specialist or management track.
    async fn track(&self) -> Track {
        self.level().track
    }
    /// The level's title, e.g. Senior User Operations Specialist.
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
    /// Certificates the level requires: a gate for moves to it.
    async fn required_certifications(&self) -> Vec<CertificationNode> {
        self.level()
            .certifications
            .required
            .iter()
            .filter_map(|c| self.0.certification(c))
            .collect()
    }
    /// Certificates the level recommends.
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

/// A direction of growth the framework names (data and decisions, product, team leadership), with the moves that lead there.
#[Object(name = "AdvancementDirection")]
impl DirectionNode {
    /// The direction's key, e.g. `data_decision`.
    async fn key(&self) -> &str {
        &self.1
    }
    /// The direction's name.
    async fn name(&self) -> &str {
        self.0
            .fw
            .direction(&self.1)
            .map(|d| self.0.text(&d.name))
            .unwrap_or_default()
    }
    /// What growing in this direction involves.
    async fn description(&self) -> &str {
        self.0
            .fw
            .direction(&self.1)
            .map(|d| self.0.text(&d.description))
            .unwrap_or_default()
    }
}

pub struct PathEdgeNode(pub(super) View, pub(super) usize);

/// The gates of a path between two levels.
#[derive(SimpleObject)]
pub struct PathGates {
    /// Minimum months at the current level.
    min_months: Option<i32>,
    /// Certifications that must be held (earned and valid).
    certifications: Vec<CertificationNode>,
    /// Minimum weighted KPI score, in percent, over recent periods.
    min_kpi_attainment: Option<i32>,
}

/// A move the framework allows from one level to another, with its gates.
#[Object(name = "CareerPathEdge")]
impl PathEdgeNode {
    /// The level the move starts from.
    async fn from(&self) -> Option<CareerLevelNode> {
        self.0.level(&self.0.fw.doc.paths[self.1].from)
    }
    /// The level the move leads to.
    async fn to(&self) -> Option<CareerLevelNode> {
        self.0.level(&self.0.fw.doc.paths[self.1].to)
    }
    /// Promotion, lateral move or a step into management.
    async fn kind(&self) -> PathKind {
        self.0.fw.doc.paths[self.1].kind
    }
    /// The direction of growth the move serves; null when the framework names none.
    async fn direction(&self) -> Option<DirectionNode> {
        let key = self.0.fw.doc.paths[self.1].direction.clone()?;
        Some(DirectionNode(self.0.clone(), key))
    }
    /// What the move requires besides skills; a gate left out does not apply.
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
