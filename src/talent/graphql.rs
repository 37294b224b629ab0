//! `ratingCalibration`: the statistics of `talent::calibration`, per manager.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};

use super::calibration::{self, Tendency};
use super::nine_box::{self, Band};
use crate::auth::Locale;
use crate::auth::policy;
use crate::graphql::context::{actor, state};
use crate::graphql::error::{ApiResult, parse_id};
use crate::graphql::global_id::NodeType;
use crate::graphql::loaders::Loaders;
use crate::people::graphql::{TeamNode, User};

/// How a manager rates compared with other managers of the same roles and
/// levels.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum RatingTendency {
    /// At least half a level above the others, on average.
    Lenient,
    /// At least half a level below the others, on average.
    Severe,
    /// Within half a level of the others.
    Consistent,
    /// Too few ratings to say.
    Unknown,
}

impl From<Tendency> for RatingTendency {
    fn from(t: Tendency) -> Self {
        match t {
            Tendency::Lenient => RatingTendency::Lenient,
            Tendency::Severe => RatingTendency::Severe,
            Tendency::Consistent => RatingTendency::Consistent,
            Tendency::Unknown => RatingTendency::Unknown,
        }
    }
}

/// A mean difference in levels, with the ratings behind it.
#[derive(SimpleObject)]
pub struct CalibrationFigure {
    /// The manager's rating minus the other rating, averaged, in levels;
    /// null when fewer than 8 pairs or 2 people stand behind it.
    value: Option<f64>,
    /// How many pairs of ratings were compared.
    pairs: i32,
    /// How many people those ratings are about.
    people: i32,
}

impl From<calibration::Figure> for CalibrationFigure {
    fn from(f: calibration::Figure) -> Self {
        Self {
            value: f.value,
            pairs: i32::try_from(f.pairs).unwrap_or(i32::MAX),
            people: i32::try_from(f.people).unwrap_or(i32::MAX),
        }
    }
}

pub struct ManagerCalibration(calibration::ManagerCalibration);

/// One manager's ratings in a cycle compared with the person's own, the
/// peers' and other managers' ratings of the same role, level and skill.
#[Object]
impl ManagerCalibration {
    /// The manager.
    async fn manager(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let loaders = ctx.data::<Loaders>()?;
        Ok(loaders.person.load_one(self.0.manager).await?.map(User))
    }
    /// Ratings the manager submitted in the cycle.
    async fn ratings(&self) -> i32 {
        i32::try_from(self.0.ratings).unwrap_or(i32::MAX)
    }
    /// People the manager rated.
    async fn people(&self) -> i32 {
        i32::try_from(self.0.people).unwrap_or(i32::MAX)
    }
    /// The manager's mean rating, 0 to 5.
    async fn mean_rating(&self) -> f64 {
        self.0.mean_rating
    }
    /// Standard deviation of the manager's ratings, in levels; null with
    /// fewer than 8 ratings. Near 0: everyone rated alike.
    async fn spread(&self) -> Option<f64> {
        self.0.spread
    }
    /// Manager's rating minus the person's own, averaged.
    async fn versus_self(&self) -> CalibrationFigure {
        self.0.versus_self.clone().into()
    }
    /// Manager's rating minus the peers' mean, averaged.
    async fn versus_peers(&self) -> CalibrationFigure {
        self.0.versus_peers.clone().into()
    }
    /// Manager's rating minus other managers' mean for the same role, level
    /// and skill, averaged: the leniency figure.
    async fn versus_managers(&self) -> CalibrationFigure {
        self.0.versus_managers.clone().into()
    }
    /// Share (0 to 1) of the manager's ratings within one level of the
    /// person's own; null with too few pairs.
    async fn agreement_with_self(&self) -> Option<f64> {
        self.0.agreement_with_self
    }
    /// Lenient, severe or consistent against other managers.
    async fn tendency(&self) -> RatingTendency {
        self.0.tendency.into()
    }
}

#[derive(Default)]
pub struct TalentQuery;

#[Object]
impl TalentQuery {
    /// How each manager of a cycle rates compared with self, peer and other
    /// managers' ratings of the same people, roles and levels: for HR
    /// reviewing outliers while the cycle is in calibration. HR sees every
    /// manager, a manager themselves and the managers below them.
    #[graphql(complexity = "crate::graphql::limits::cost::ROLLUP + child_complexity")]
    async fn rating_calibration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The assessment cycle.")] cycle_id: ID,
    ) -> ApiResult<Vec<ManagerCalibration>> {
        let cycle = parse_id(&cycle_id, "cycleId", NodeType::AssessmentCycle)?;
        let view = policy::team_views(actor(ctx)?)?;
        let found = super::rating_calibration(&state(ctx)?.db, &view, cycle).await?;
        Ok(found.into_iter().map(ManagerCalibration).collect())
    }
}

/// A third of a talent review axis.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TalentBand {
    /// Below the first cut point.
    Low,
    /// From the first cut point, below the second.
    Medium,
    /// From the second cut point.
    High,
}

impl From<Band> for TalentBand {
    fn from(b: Band) -> Self {
        match b {
            Band::Low => TalentBand::Low,
            Band::Medium => TalentBand::Medium,
            Band::High => TalentBand::High,
        }
    }
}

/// One of the nine boxes and how many people sit in it.
#[derive(SimpleObject)]
pub struct TalentBox {
    /// The performance third.
    performance: TalentBand,
    /// The potential third.
    potential: TalentBand,
    /// People in this box.
    count: i32,
}

fn boxes(placed: impl IntoIterator<Item = (Band, Band)>) -> Vec<TalentBox> {
    let grid = nine_box::counts(placed);
    let mut out = Vec::with_capacity(9);
    for performance in Band::ALL {
        for potential in Band::ALL {
            out.push(TalentBox {
                performance: performance.into(),
                potential: potential.into(),
                count: i32::try_from(grid[performance as usize][potential as usize])
                    .unwrap_or(i32::MAX),
            });
        }
    }
    out
}

/// One person's place in the talent review.
pub struct TalentPlacement(nine_box::Placement, Option<super::Move>);

/// A move made in the review's calibration session.
pub struct TalentMove(super::Move);

/// HR's placement of a person in a calibration session, with the reason;
/// the computed placement stays beside it.
#[Object]
impl TalentMove {
    /// The period the review is for.
    async fn period(&self) -> &str {
        &self.0.period
    }
    /// The person moved.
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        person(ctx, Some(self.0.user_id)).await
    }
    /// The performance third HR placed them in.
    async fn performance(&self) -> TalentBand {
        self.0.to.0.into()
    }
    /// The potential third HR placed them in.
    async fn potential(&self) -> TalentBand {
        self.0.to.1.into()
    }
    /// Why, as HR wrote it.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// Who moved them.
    async fn moved_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        person(ctx, self.0.moved_by).await
    }
    /// When.
    async fn moved_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.moved_at
    }
}

async fn person(ctx: &Context<'_>, id: Option<i64>) -> ApiResult<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    let loaders = ctx.data::<Loaders>()?;
    Ok(loaders.person.load_one(id).await?.map(User))
}

/// One person in the talent review: their KPI score and readiness, and the
/// thirds these put them in.
#[Object]
impl TalentPlacement {
    /// The person.
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let loaders = ctx.data::<Loaders>()?;
        Ok(loaders.person.load_one(self.0.user_id).await?.map(User))
    }
    /// The KPI score of the period (weighted attainment, 100 = every target
    /// met); null when the weights do not total 100.
    async fn performance_score(&self) -> Option<f64> {
        self.0.score
    }
    /// Readiness for the best next move, 0 to 100; null without enough
    /// evidence.
    async fn readiness(&self) -> Option<f64> {
        self.0.readiness
    }
    /// The performance third; null without a score.
    async fn performance(&self) -> Option<TalentBand> {
        self.0.performance.map(Into::into)
    }
    /// The potential third; null without a readiness.
    async fn potential(&self) -> Option<TalentBand> {
        self.0.potential.map(Into::into)
    }
    /// HR's move in the calibration session, if any: where the person sits
    /// after calibration.
    async fn calibration(&self) -> Option<TalentMove> {
        self.1.clone().map(TalentMove)
    }
}

/// A team's counts in the nine boxes.
pub struct TeamTalent {
    team_id: Option<i64>,
    boxes: Vec<TalentBox>,
    calibrated_boxes: Vec<TalentBox>,
}

/// The nine boxes of one team (people without a team together).
#[Object]
impl TeamTalent {
    /// The team; null for people without one.
    async fn team(&self, ctx: &Context<'_>) -> ApiResult<Option<TeamNode>> {
        let Some(id) = self.team_id else {
            return Ok(None);
        };
        let loaders = ctx.data::<Loaders>()?;
        Ok(loaders.team.load_one(id).await?.map(TeamNode))
    }
    /// The nine boxes as computed, performance low to high, then potential
    /// low to high.
    async fn boxes(&self) -> &[TalentBox] {
        &self.boxes
    }
    /// The nine boxes after the calibration session's moves.
    async fn calibrated_boxes(&self) -> &[TalentBox] {
        &self.calibrated_boxes
    }
}

pub struct TalentReview(super::TalentReview);

/// A talent review (nine boxes) for a period: performance (the KPI score)
/// against potential (readiness for the best next move).
#[Object]
impl TalentReview {
    /// The period the scores are for, e.g. `2026-Q4`.
    async fn period(&self) -> &str {
        &self.0.period
    }
    /// Scores from the first number are medium performance, from the second
    /// high (`SKILLPATH_TALENT_PERFORMANCE_CUTS`).
    async fn performance_cuts(&self) -> [f64; 2] {
        [
            self.0.performance_cuts.medium_from,
            self.0.performance_cuts.high_from,
        ]
    }
    /// Readiness from the first number is medium potential, from the second
    /// high (`SKILLPATH_TALENT_POTENTIAL_CUTS`).
    async fn potential_cuts(&self) -> [f64; 2] {
        [
            self.0.potential_cuts.medium_from,
            self.0.potential_cuts.high_from,
        ]
    }
    /// The nine boxes as computed, over everyone placed on both axes.
    async fn boxes(&self) -> Vec<TalentBox> {
        boxes(
            self.0
                .placements
                .iter()
                .filter_map(nine_box::Placement::boxed),
        )
    }
    /// The nine boxes after the calibration session's moves (a moved
    /// person counts where HR placed them).
    async fn calibrated_boxes(&self) -> Vec<TalentBox> {
        boxes(
            self.0
                .placements
                .iter()
                .filter_map(|p| self.0.calibrated(p)),
        )
    }
    /// The nine boxes as an SVG picture (potential upwards, performance to
    /// the right), after calibration unless `calibrated` is false, with
    /// labels in `locale` (default: the caller's language).
    async fn svg(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Count people where HR placed them (true) or where the numbers did.",
            default = true
        )]
        calibrated: bool,
        #[graphql(desc = "The labels' language; default the caller's.")] locale: Option<Locale>,
    ) -> String {
        let placed: Vec<(Band, Band)> = if calibrated {
            self.0
                .placements
                .iter()
                .filter_map(|p| self.0.calibrated(p))
                .collect()
        } else {
            self.0
                .placements
                .iter()
                .filter_map(nine_box::Placement::boxed)
                .collect()
        };
        let chart = crate::charts::data::nine_box(
            nine_box::counts(placed),
            &self.0.period,
            calibrated,
            crate::graphql::context::locale(ctx, locale),
        );
        crate::charts::nine_box::render(&chart)
    }
    /// Every person reviewed, placed or not, most ready first.
    async fn placements(&self) -> Vec<TalentPlacement> {
        self.0
            .placements
            .iter()
            .map(|p| TalentPlacement(p.clone(), self.0.moves.get(&p.user_id).cloned()))
            .collect()
    }
    /// People missing a score or a readiness, and so in no box.
    async fn unplaced(&self) -> i32 {
        let unplaced = self
            .0
            .placements
            .iter()
            .filter(|p| p.boxed().is_none())
            .count();
        i32::try_from(unplaced).unwrap_or(i32::MAX)
    }
    /// The nine boxes per team.
    async fn teams(&self) -> Vec<TeamTalent> {
        let mut teams: Vec<Option<i64>> = self.0.placements.iter().map(|p| p.team_id).collect();
        teams.sort_unstable();
        teams.dedup();
        teams
            .into_iter()
            .map(|team_id| {
                let members = || {
                    self.0
                        .placements
                        .iter()
                        .filter(move |p| p.team_id == team_id)
                };
                TeamTalent {
                    team_id,
                    boxes: boxes(members().filter_map(nine_box::Placement::boxed)),
                    calibrated_boxes: boxes(members().filter_map(|p| self.0.calibrated(p))),
                }
            })
            .collect()
    }
}

#[derive(Default)]
pub struct TalentReviewQuery;

#[Object]
impl TalentReviewQuery {
    /// The talent review (nine boxes) for a period: everyone on a path in
    /// the caller's reach (a manager's reports, anyone for HR), placed by
    /// their KPI score for the period and their readiness for their best
    /// next move, with counts per box and per team.
    #[graphql(complexity = "crate::graphql::limits::cost::ORGANISATION + child_complexity")]
    async fn talent_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The KPI period, e.g. `2026-Q4`.")] period: String,
        #[graphql(desc = "Only this team and its sub-teams.")] team_id: Option<ID>,
    ) -> ApiResult<TalentReview> {
        let team = team_id
            .map(|t| parse_id(&t, "teamId", NodeType::Team))
            .transpose()?;
        let state = state(ctx)?;
        let review = super::talent_review(
            &state.db,
            &state.frameworks,
            &state.settings,
            actor(ctx)?,
            &period,
            team,
            crate::certification::today(),
        )
        .await?;
        Ok(TalentReview(review))
    }
}

impl From<TalentBand> for Band {
    fn from(b: TalentBand) -> Self {
        match b {
            TalentBand::Low => Band::Low,
            TalentBand::Medium => Band::Medium,
            TalentBand::High => Band::High,
        }
    }
}

#[derive(Default)]
pub struct TalentMutation;

#[Object]
impl TalentMutation {
    /// HR places a person in another box of a period's talent review, in its
    /// calibration session, with the reason. The computed placement stays
    /// beside the move; the newest move counts, earlier ones are kept.
    async fn move_in_talent_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The KPI period of the review, e.g. `2026-Q4`.")] period: String,
        #[graphql(desc = "The person to move.")] user_id: ID,
        #[graphql(desc = "The performance third to place them in.")] performance: TalentBand,
        #[graphql(desc = "The potential third to place them in.")] potential: TalentBand,
        #[graphql(desc = "Why (required; up to 1000 characters).")] reason: String,
    ) -> ApiResult<TalentMove> {
        let person = parse_id(&user_id, "userId", NodeType::User)?;
        let moved = super::move_in_review(
            &state(ctx)?.db,
            &policy::hr(actor(ctx)?)?,
            crate::kpi::Period::parse(&period)?,
            person,
            (performance.into(), potential.into()),
            &reason,
        )
        .await?;
        Ok(TalentMove(moved))
    }
}
