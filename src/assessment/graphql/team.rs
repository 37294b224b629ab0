//! Team views: divergence flags, the team matrix and its coverage, trends.

use super::*;

/// A skill where a person's self-rating and their manager's rating differ by two levels or more.
#[derive(SimpleObject)]
pub struct DivergenceFlag {
    /// The person.
    pub(super) user: Option<User>,
    /// The skill's key.
    pub(super) skill_key: String,
    /// The person's submitted self-rating in the cycle, 0 to 5.
    pub(super) self_level: i32,
    /// The manager's submitted rating in the cycle, 0 to 5.
    pub(super) manager_level: i32,
    /// Blind spot (the person rates themselves higher) or hidden strength (the manager does).
    pub(super) kind: DivergenceKind,
}

/// One person's agreed level in one skill against what their level requires.
#[derive(SimpleObject)]
#[graphql(name = "TeamMatrixCell")]
pub struct TeamMatrixCellNode {
    /// The skill's key.
    pub(super) skill_key: String,
    /// The manager's submitted rating in the cycle, 0 to 5; null when not rated.
    pub(super) agreed: Option<i32>,
    /// What the person's level in the cycle requires, 1 to 5; 0 when it does not ask for the skill.
    pub(super) required: i32,
    /// Required minus agreed (no rating counts as 0); 0 when met.
    pub(super) gap: i32,
}

/// One person's row of a team matrix.
#[derive(SimpleObject)]
pub struct TeamMatrixRow {
    /// The person.
    pub(super) user: Option<User>,
    /// One cell per skill, in the order of the matrix's `skills`.
    pub(super) cells: Vec<TeamMatrixCellNode>,
}

/// `SkillHolderConnection`: `UserConnection` is the people directory's.
pub struct SkillHolders;

impl PageNames for SkillHolders {
    type Connection = SkillHolderConnectionName;
    type Edge = SkillHolderConnectionName;
}

pub struct SkillHolderConnectionName;

impl async_graphql::connection::ConnectionNameType for SkillHolderConnectionName {
    fn type_name<T: async_graphql::OutputType>() -> String {
        "SkillHolderConnection".into()
    }
}

impl async_graphql::connection::EdgeNameType for SkillHolderConnectionName {
    fn type_name<T: async_graphql::OutputType>() -> String {
        "SkillHolderEdge".into()
    }
}

/// How well a team covers one skill: who needs it, who meets it, who holds it.
#[derive(SimpleObject)]
#[graphql(name = "SkillCoverage", complex)]
pub struct SkillCoverageNode {
    /// The skill.
    pub(super) skill: Option<SkillNode>,
    /// The skill's key.
    pub(super) skill_key: String,
    /// How many people of the matrix have a level that requires the skill.
    pub(super) needed_by: i32,
    /// Of those, how many the manager rated at or above the requirement.
    pub(super) met_by: i32,
    /// Exactly one person holds it: a risk if they leave.
    pub(super) single_holder: bool,
    #[graphql(skip)]
    pub(super) holder_ids: Vec<i64>,
    #[graphql(skip)]
    pub(super) people: Arc<HashMap<i64, Person>>,
}

#[ComplexObject]
impl SkillCoverageNode {
    /// Everyone holding the skill (agreed level 3 or more). A Relay
    /// connection (`first`/`after` or `last`/`before`, 100 by default).
    #[graphql(complexity = "PageArgs::cost(first, last, 100, child_complexity)")]
    async fn holders(
        &self,
        #[graphql(desc = "Items from the start or after `after`, 1 to 500.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items after it.")] after: Option<String>,
        #[graphql(desc = "Items from the end or before `before`, 1 to 500.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items before it.")] before: Option<String>,
    ) -> ApiResult<Page<User, SkillHolders>> {
        let total = self.holder_ids.len();
        let range = window(&PageArgs::new(first, after, last, before), total, 100)?;
        let nodes: Vec<User> = self.holder_ids[range.clone()]
            .iter()
            .filter_map(|id| self.people.get(id).cloned().map(User))
            .collect();
        Ok(connection_named::<User, SkillHolders>(range, total, nodes))
    }
}

/// People × skills of a team in a cycle, with coverage per skill.
#[derive(SimpleObject)]
#[graphql(name = "TeamSkillMatrix", complex)]
pub struct TeamSkillMatrixNode {
    /// The cycle the matrix is from.
    pub(super) cycle: AssessmentCycle,
    /// The matrix's columns.
    pub(super) skills: Vec<SkillNode>,
    /// Per skill: who needs it, who meets it, who holds it.
    pub(super) coverage: Vec<SkillCoverageNode>,
    #[graphql(skip)]
    pub(super) rows: Vec<(i64, Vec<MatrixCell>)>,
    #[graphql(skip)]
    pub(super) people: Arc<HashMap<i64, Person>>,
}

#[ComplexObject]
impl TeamSkillMatrixNode {
    /// One row per person: their agreed, required and gap per skill. A Relay
    /// connection (`first`/`after` or `last`/`before`, 100 by default).
    #[graphql(complexity = "PageArgs::cost(first, last, 100, child_complexity)")]
    async fn rows(
        &self,
        #[graphql(desc = "Items from the start or after `after`, 1 to 500.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items after it.")] after: Option<String>,
        #[graphql(desc = "Items from the end or before `before`, 1 to 500.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items before it.")] before: Option<String>,
    ) -> ApiResult<Page<TeamMatrixRow>> {
        let total = self.rows.len();
        let range = window(&PageArgs::new(first, after, last, before), total, 100)?;
        let nodes: Vec<TeamMatrixRow> = self.rows[range.clone()]
            .iter()
            .map(|(id, cells)| TeamMatrixRow {
                user: self.people.get(id).cloned().map(User),
                cells: cells
                    .iter()
                    .map(|c| TeamMatrixCellNode {
                        skill_key: c.skill.clone(),
                        agreed: c.agreed.map(i32::from),
                        required: c.required as i32,
                        gap: c.gap as i32,
                    })
                    .collect(),
            })
            .collect();
        Ok(connection(range, total, nodes))
    }
}

/// A person's agreed level in one skill in one cycle.
#[derive(SimpleObject)]
pub struct SkillTrendPoint {
    /// The assessment cycle's global id.
    pub(super) cycle_id: ID,
    /// The skill's key.
    pub(super) skill_key: String,
    /// The manager's submitted rating in that cycle, 0 to 5.
    pub(super) level: i32,
}

/// The cycle just opened and how many people take part.
#[derive(SimpleObject)]
pub struct OpenCyclePayload {
    /// The cycle just opened.
    pub(super) cycle: AssessmentCycle,
    /// How many people take part in it.
    pub(super) participant_count: i32,
}
