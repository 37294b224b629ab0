//! Charts as GraphQL fields: `svg` holds the picture, `url` the path to
//! sign with `downloadLink` for an `<img>`.

use async_graphql::{Context, ID, Object, SimpleObject};

use crate::auth::Locale;
use crate::graphql::context::{actor, locale, state};
use crate::graphql::error::{ApiResult, parse_id};
use crate::graphql::global_id::NodeType;

/// A picture drawn by the server: the SVG itself, and the path to open it as an image.
#[derive(SimpleObject)]
pub struct Chart {
    /// The picture as an SVG document.
    pub svg: String,
    /// The same chart over HTTP (sign it with `downloadLink` for an `<img>`).
    pub path: String,
}

#[derive(Default)]
pub struct ChartQuery;

#[Object]
impl ChartQuery {
    /// A person's five areas as a radar: agreed vs required now vs required
    /// at the next level. Same reach as `skillProfile`.
    async fn profile_radar(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(desc = "The assessment cycle's id.")] cycle_id: Option<ID>,
        #[graphql(desc = "Language of texts (default: the caller's).")] locale: Option<Locale>,
    ) -> ApiResult<Chart> {
        let state = state(ctx)?;
        let user = parse_id(&user_id, "userId", NodeType::User)?;
        let cycle = cycle_id
            .as_ref()
            .map(|c| parse_id(c, "cycleId", NodeType::AssessmentCycle))
            .transpose()?;
        let lang = self::locale(ctx, locale);
        let svg = super::views::profile_radar(
            &state.db,
            &state.frameworks,
            actor(ctx)?,
            user,
            cycle,
            lang,
        )
        .await?;
        let mut path = format!("/charts/profile-radar/{user}?lang={}", lang.tag());
        if let Some(c) = cycle {
            path.push_str(&format!("&cycle={c}"));
        }
        Ok(Chart { svg, path })
    }

    /// A team's people × skills, gaps coloured and single holders marked.
    /// Same reach as `teamSkillMatrix`.
    async fn team_heatmap(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The team's id.")] team_id: ID,
        #[graphql(desc = "The assessment cycle's id.")] cycle_id: ID,
        #[graphql(desc = "Language of texts (default: the caller's).")] locale: Option<Locale>,
    ) -> ApiResult<Chart> {
        let state = state(ctx)?;
        let team = parse_id(&team_id, "teamId", NodeType::Team)?;
        let cycle = parse_id(&cycle_id, "cycleId", NodeType::AssessmentCycle)?;
        let lang = self::locale(ctx, locale);
        let svg = super::views::team_heatmap(
            &state.db,
            &state.frameworks,
            actor(ctx)?,
            team,
            cycle,
            lang,
        )
        .await?;
        Ok(Chart {
            svg,
            path: format!(
                "/charts/team-heatmap/{team}?cycle={cycle}&lang={}",
                lang.tag()
            ),
        })
    }

    /// A person's KPI attainment in a period, one bar per target.
    async fn kpi_attainment_chart(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(desc = "`2026`, `2026-Q4` or `2026-11`.")] period: String,
        #[graphql(desc = "Language of texts (default: the caller's).")] locale: Option<Locale>,
    ) -> ApiResult<Chart> {
        let state = state(ctx)?;
        let user = parse_id(&user_id, "userId", NodeType::User)?;
        let lang = self::locale(ctx, locale);
        let svg = super::views::kpi_attainment(
            &state.db,
            &state.frameworks,
            actor(ctx)?,
            user,
            &period,
            lang,
        )
        .await?;
        Ok(Chart {
            svg,
            path: format!(
                "/charts/kpi-attainment/{user}?period={period}&lang={}",
                lang.tag()
            ),
        })
    }

    /// Per level that requires certificates, the share of its people who hold
    /// every one of them, valid today: of a team and its sub-teams, or of
    /// everyone in reach. Same reach as `certificationSummary`.
    async fn certification_coverage_chart(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The team's id.")] team_id: Option<ID>,
        #[graphql(desc = "Language of texts (default: the caller's).")] locale: Option<Locale>,
    ) -> ApiResult<Chart> {
        let state = state(ctx)?;
        let team = team_id
            .as_ref()
            .map(|t| parse_id(t, "teamId", NodeType::Team))
            .transpose()?;
        let lang = self::locale(ctx, locale);
        let svg = super::views::certification_coverage(
            &state.db,
            &state.frameworks,
            actor(ctx)?,
            team,
            lang,
        )
        .await?;
        Ok(Chart {
            svg,
            path: with_team("/charts/certification-coverage", team, lang),
        })
    }

    /// How many people of a team (or everyone in reach) are ready for their
    /// best next move, and how close the others are, in bands. Same reach as
    /// `promotionReadiness`.
    async fn readiness_distribution_chart(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The team's id.")] team_id: Option<ID>,
        #[graphql(desc = "Language of texts (default: the caller's).")] locale: Option<Locale>,
    ) -> ApiResult<Chart> {
        let state = state(ctx)?;
        let team = team_id
            .as_ref()
            .map(|t| parse_id(t, "teamId", NodeType::Team))
            .transpose()?;
        let lang = self::locale(ctx, locale);
        let svg = super::views::readiness_distribution(
            &state.db,
            &state.frameworks,
            actor(ctx)?,
            team,
            lang,
        )
        .await?;
        Ok(Chart {
            svg,
            path: with_team("/charts/readiness-distribution", team, lang),
        })
    }
}

/// A chart path over a team or everyone, in a language.
fn with_team(base: &str, team: Option<i64>, lang: Locale) -> String {
    match team {
        Some(team) => format!("{base}?team={team}&lang={}", lang.tag()),
        None => format!("{base}?lang={}", lang.tag()),
    }
}
