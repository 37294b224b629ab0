//! Charts over HTTP as `image/svg+xml`, for an `<img>` with a signed link.

use poem::http::header;
use poem::web::{Data, Path, Query};
use poem::{Request, Response, Route, get, handler};
use serde::Deserialize;

use crate::app::AppState;
use crate::error::Error;
use crate::exports::http::{caller, error_response, locale};

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
    cycle: Option<i64>,
    period: Option<String>,
    team: Option<i64>,
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
    Path(user): Path<i64>,
    Query(q): Query<ChartQuery>,
) -> Response {
    svg(async {
        let actor = caller(req, &state).await?;
        let lang = locale(req, q.lang.as_deref(), &actor);
        super::views::profile_radar(&state.db, &state.frameworks, &actor, user, q.cycle, lang).await
    }
    .await)
}

#[handler]
async fn team_heatmap(
    req: &Request,
    state: Data<&AppState>,
    Path(team): Path<i64>,
    Query(q): Query<ChartQuery>,
) -> Response {
    svg(async {
        let actor = caller(req, &state).await?;
        let lang = locale(req, q.lang.as_deref(), &actor);
        let cycle = q
            .cycle
            .ok_or_else(|| Error::invalid("cycle", "is required"))?;
        super::views::team_heatmap(&state.db, &state.frameworks, &actor, team, cycle, lang).await
    }
    .await)
}

#[handler]
async fn kpi_attainment(
    req: &Request,
    state: Data<&AppState>,
    Path(user): Path<i64>,
    Query(q): Query<ChartQuery>,
) -> Response {
    svg(async {
        let actor = caller(req, &state).await?;
        let lang = locale(req, q.lang.as_deref(), &actor);
        let period = q
            .period
            .as_deref()
            .ok_or_else(|| Error::invalid("period", "is required"))?;
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
        super::views::certification_coverage(&state.db, &state.frameworks, &actor, q.team, lang)
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
        super::views::readiness_distribution(&state.db, &state.frameworks, &actor, q.team, lang)
            .await
    }
    .await)
}
