//! `ratingCalibration`: the statistics of `talent::calibration`, per manager.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};

use super::calibration::{self, Tendency};
use crate::graphql::context::{actor, state};
use crate::graphql::error::{ApiResult, parse_id};
use crate::graphql::loaders::Loaders;
use crate::people::graphql::User;

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
        let cycle = parse_id(&cycle_id, "cycleId")?;
        let found = super::rating_calibration(&state(ctx)?.db, actor(ctx)?, cycle).await?;
        Ok(found.into_iter().map(ManagerCalibration).collect())
    }
}
