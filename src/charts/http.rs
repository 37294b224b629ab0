//! Charts over HTTP as `image/svg+xml`, for an `<img>` with a signed link.

use poem::http::header;
use poem::web::{Data, Path, Query};
use poem::{Request, Response, Route, get, handler};
use serde::Deserialize;

use crate::app::AppState;
use crate::error::Error;
use crate::exports::http::{caller, error_response, id_param, locale};
use crate::graphql::global_id::NodeType;

pub fn routes() -> Route {
    Route::new()
        .at("/profile-radar/:user", get(profile_radar))
        .at("/team-heatmap/:team", get(team_heatmap))
        .at("/kpi-attainment/:user", get(kpi_attainment))
        .at("/certification-coverage", get(certification_coverage))
        .at("/readiness-distribution", get(readiness_distribution))
}

#[derive(Debug, Deserialize)]
struct ChartQuery {
    lang: Option<String>,
    cycle: Option<String>,
    period: Option<String>,
    team: Option<String>,
}

impl ChartQuery {
    fn cycle_id(&self) -> Result<Option<i64>, Error> {
        let cycle = self.cycle.as_deref();
        cycle
            .map(|c| id_param(c, "cycle", NodeType::AssessmentCycle))
            .transpose()
    }

    fn team_id(&self) -> Result<Option<i64>, Error> {
        let team = self.team.as_deref();
        team.map(|t| id_param(t, "team", NodeType::Team))
            .transpose()
    }
}

fn svg(result: Result<String, Error>) -> Response {
    match result {
        Ok(svg) => Response::builder()
            .header(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")
            .header(header::CACHE_CONTROL, "private, no-store")
            // The SVG is drawn here, but never let it run script if opened directly.
            .header(
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            )
            .body(svg),
        Err(e) => error_response(e),
    }
}

#[handler]
async fn profile_radar(
    req: &Request,
    state: Data<&AppState>,
    Path(user): Path<String>,
    Query(q): Query<ChartQuery>,
) -> Response {
    svg(async {
        let actor = caller(req, &state).await?;
        let lang = locale(req, q.lang.as_deref(), &actor);
        let user = id_param(&user, "user", NodeType::User)?;
        let cycle = q.cycle_id()?;
        super::views::profile_radar(&state.db, &state.frameworks, &actor, user, cycle, lang).await
    }
    .await)
}

#[handler]
async fn team_heatmap(
    req: &Request,
    state: Data<&AppState>,
    Path(team): Path<String>,
    Query(q): Query<ChartQuery>,
) -> Response {
    svg(async {
        let actor = caller(req, &state).await?;
        let lang = locale(req, q.lang.as_deref(), &actor);
        let team = id_param(&team, "team", NodeType::Team)?;
        let cycle = q
            .cycle_id()?
            .ok_or_else(|| Error::invalid("cycle", "is required"))?;
        super::views::team_heatmap(&state.db, &state.frameworks, &actor, team, cycle, lang).await
    }
    .await)
}

#[handler]
async fn kpi_attainment(
    req: &Request,
    state: Data<&AppState>,
    Path(user): Path<String>,
    Query(q): Query<ChartQuery>,
) -> Response {
    svg(async {
        let actor = caller(req, &state).await?;
        let lang = locale(req, q.lang.as_deref(), &actor);
        let period = q
            .period
            .as_deref()
            .ok_or_else(|| Error::invalid("period", "is required"))?;
        let user = id_param(&user, "user", NodeType::User)?;
        super::views::kpi_attainment(&state.db, &state.frameworks, &actor, user, period, lang).await
    }
    .await)
}

#[handler]
async fn certification_coverage(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<ChartQuery>,
) -> Response {
    svg(async {
        let actor = caller(req, &state).await?;
        let lang = locale(req, q.lang.as_deref(), &actor);
        super::views::certification_coverage(
            &state.db,
            &state.frameworks,
            &actor,
            q.team_id()?,
            lang,
        )
        .await
    }
    .await)
}

#[handler]
async fn readiness_distribution(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<ChartQuery>,
) -> Response {
    svg(async {
        let actor = caller(req, &state).await?;
        let lang = locale(req, q.lang.as_deref(), &actor);
        super::views::readiness_distribution(
            &state.db,
            &state.frameworks,
            &actor,
            q.team_id()?,
            lang,
        )
        .await
    }
    .await)
}
