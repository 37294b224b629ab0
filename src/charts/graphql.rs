//! Charts as GraphQL fields: `svg` holds the picture, `url` the path to
//! sign with `downloadLink` for an `<img>`.

use async_graphql::{Context, ID, Object, SimpleObject};

use crate::auth::Locale;
use crate::graphql::context::{actor, locale, state};
use crate::graphql::error::{ApiResult, parse_id};

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
        user_id: ID,
        cycle_id: Option<ID>,
        locale: Option<Locale>,
    ) -> ApiResult<Chart> {
        let state = state(ctx)?;
        let user = parse_id(&user_id, "userId")?;
        let cycle = cycle_id
            .as_ref()
            .map(|c| parse_id(c, "cycleId"))
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
        team_id: ID,
        cycle_id: ID,
        locale: Option<Locale>,
    ) -> ApiResult<Chart> {
        let state = state(ctx)?;
        let team = parse_id(&team_id, "teamId")?;
        let cycle = parse_id(&cycle_id, "cycleId")?;
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
        user_id: ID,
        period: String,
        locale: Option<Locale>,
    ) -> ApiResult<Chart> {
        let state = state(ctx)?;
        let user = parse_id(&user_id, "userId")?;
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
}
