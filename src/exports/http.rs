//! Authenticated downloads over HTTP: a bearer token, or a signed link from
//! the `downloadLink` mutation so a browser can open the URL itself. These
//! handlers only translate: find the caller, parse the query, call the
//! export (which asks the policy), write the file.

use chrono::Utc;
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::{Data, Path, Query};
use poem::{Body, IntoResponse, Request, Response, Route, get, handler};
use serde::Deserialize;

use async_graphql::resolver_utils::EnumType;

use super::{Format, Table, tabular};
use crate::advancement::ReadinessFilter;
use crate::auth::{Actor, Locale, links, policy};
use crate::certification::{CertificationFilter, CertificationStatus};
use crate::error::Error;
use crate::graphql::global_id::{self, NodeType};
use crate::state::AppState;

pub fn routes() -> Route {
    Route::new()
        .at("/cycle-results/:cycle", get(cycle_results))
        .at("/team-matrix/:team", get(team_matrix))
        .at("/team-performance/:team", get(team_performance))
        .at("/people", get(people_file))
        .at("/certification-progress", get(certification_progress))
        .at("/readiness", get(readiness_ranking))
        .at("/audit-log", get(audit_log))
}

/// The caller of a download or chart request: bearer token, else a signed link.
pub async fn caller(req: &Request, state: &AppState) -> Result<Actor, Error> {
    let bearer = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    if let Some(token) = bearer {
        return state.auth.authenticate(&state.db, token).await;
    }
    let uri = req.original_uri();
    let query = uri.query().unwrap_or_default();
    if !links::is_signed(query) {
        return Err(Error::Unauthenticated(
            "sign in first: send `Authorization: Bearer <accessToken>` or use a link from downloadLink",
        ));
    }
    // Signed links expire in wall time, like tokens (see `auth::session`).
    let user = links::verify(&state.auth.keys, uri.path(), query, Utc::now())?;
    state.auth.actor(&state.db, user).await
}

/// `lang`, then the caller's own language, then `Accept-Language`, then English.
pub fn locale(req: &Request, lang: Option<&str>, actor: &Actor) -> Locale {
    lang.and_then(Locale::from_tag)
        .or(actor.locale)
        .or_else(|| {
            req.headers()
                .get("accept-language")
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
        .unwrap_or_default()
}

/// An error as an HTTP answer with the same codes the GraphQL API uses.
pub fn error_response(err: Error) -> Response {
    let api = crate::graphql::error::ApiError::from(err);
    let status = match api.code() {
        crate::graphql::error::Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        crate::graphql::error::Code::Forbidden => StatusCode::FORBIDDEN,
        crate::graphql::error::Code::NotFound => StatusCode::NOT_FOUND,
        crate::graphql::error::Code::BadUserInput => StatusCode::BAD_REQUEST,
        crate::graphql::error::Code::Conflict => StatusCode::CONFLICT,
        crate::graphql::error::Code::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        crate::graphql::error::Code::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        crate::graphql::error::Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let body =
        serde_json::json!({"error": {"code": api.code().as_str(), "message": api.message()}});
    (status, poem::web::Json(body)).into_response()
}

async fn file_response(table: Table, format: Format) -> Result<Response, Error> {
    let disposition = format!(
        "attachment; filename=\"{}.{}\"",
        table.name,
        format.extension()
    );
    let body = match format {
        Format::Csv => Body::from_bytes_stream(tabular::csv_stream(table)),
        Format::Xlsx => Body::from(tabular::xlsx_bytes(table).await?),
    };
    let mut response = Response::builder()
        .header(header::CONTENT_TYPE, format.content_type())
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(body);
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct FileQuery {
    format: Option<String>,
    lang: Option<String>,
    cycle: Option<String>,
    period: Option<String>,
    // Filters, as in the GraphQL queries of the same data.
    team: Option<String>,
    role: Option<String>,
    level: Option<String>,
    certification: Option<String>,
    status: Option<String>,
    expiring_within_days: Option<u32>,
    min_readiness: Option<f64>,
    only_ready: Option<bool>,
    // The audit trail's filters (`auditLog`).
    person: Option<String>,
    actor: Option<String>,
    entity: Option<String>,
    entity_id: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// An id from a download's path or query, as GraphQL arguments take it:
/// the global id, or the bare number for one release (`global_id::read`).
pub fn id_param(text: &str, field: &str, kind: NodeType) -> Result<i64, Error> {
    global_id::read(text, kind).map_err(|problem| Error::invalid(field, problem))
}

fn optional_id(text: Option<&str>, field: &str, kind: NodeType) -> Result<Option<i64>, Error> {
    text.map(|t| id_param(t, field, kind)).transpose()
}

/// An RFC 3339 moment from a query parameter.
fn moment(raw: Option<&str>, field: &str) -> Result<Option<chrono::DateTime<Utc>>, Error> {
    raw.map(|r| {
        chrono::DateTime::parse_from_rfc3339(r)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                Error::invalid(field, "must be an RFC 3339 time, e.g. 2026-11-01T00:00:00Z")
            })
    })
    .transpose()
}

#[handler]
async fn audit_log(req: &Request, state: Data<&AppState>, Query(q): Query<FileQuery>) -> Response {
    respond(
        async {
            let (actor, format, locale) = who_and_how(req, &state, &q).await?;
            let query = crate::audit::read::AuditQuery {
                person: optional_id(q.person.as_deref(), "person", NodeType::User)?,
                actor: optional_id(q.actor.as_deref(), "actor", NodeType::User)?,
                entity: q.entity.clone(),
                entity_id: q
                    .entity_id
                    .as_deref()
                    .map(|t| global_id::read_any(t).map(|(_, n)| n))
                    .transpose()
                    .map_err(|problem| Error::invalid("entity_id", problem))?,
                action: q.action.clone(),
                from: moment(q.from.as_deref(), "from")?,
                to: moment(q.to.as_deref(), "to")?,
            };
            let table = super::audit_log::audit_log(&state.db, &actor, query, locale).await?;
            file_response(table, format).await
        }
        .await,
    )
}

/// A certification status by its API name (`EARNED`, `IN_PROGRESS`, …).
fn certification_status(raw: &str) -> Result<CertificationStatus, Error> {
    <CertificationStatus as EnumType>::items()
        .iter()
        .find(|item| item.name.eq_ignore_ascii_case(raw))
        .map(|item| item.value)
        .ok_or_else(|| Error::invalid("status", format!("unknown certification status {raw:?}")))
}

/// What every download starts with: the caller (token or signed link), the
/// file format and the language of the headers.
async fn who_and_how(
    req: &Request,
    state: &AppState,
    q: &FileQuery,
) -> Result<(Actor, Format, Locale), Error> {
    let actor = caller(req, state).await?;
    let format = Format::parse(q.format.as_deref())?;
    let locale = locale(req, q.lang.as_deref(), &actor);
    Ok((actor, format, locale))
}

fn respond(result: Result<Response, Error>) -> Response {
    result.unwrap_or_else(error_response)
}

#[handler]
async fn cycle_results(
    req: &Request,
    state: Data<&AppState>,
    Path(cycle): Path<String>,
    Query(q): Query<FileQuery>,
) -> Response {
    respond(
        async {
            let (actor, format, locale) = who_and_how(req, &state, &q).await?;
            let cycle = id_param(&cycle, "cycle", NodeType::AssessmentCycle)?;
            let table = super::cycle_results::cycle_results(
                &state.db,
                &state.frameworks,
                &actor,
                cycle,
                locale,
            )
            .await?;
            file_response(table, format).await
        }
        .await,
    )
}

#[handler]
async fn team_matrix(
    req: &Request,
    state: Data<&AppState>,
    Path(team): Path<String>,
    Query(q): Query<FileQuery>,
) -> Response {
    respond(
        async {
            let (actor, format, locale) = who_and_how(req, &state, &q).await?;
            let team = id_param(&team, "team", NodeType::Team)?;
            let cycle = optional_id(q.cycle.as_deref(), "cycle", NodeType::AssessmentCycle)?
                .ok_or_else(|| Error::invalid("cycle", "is required"))?;
            let table = super::team_matrix::team_matrix(
                &state.db,
                &state.frameworks,
                &actor,
                team,
                cycle,
                locale,
            )
            .await?;
            file_response(table, format).await
        }
        .await,
    )
}

#[handler]
async fn team_performance(
    req: &Request,
    state: Data<&AppState>,
    Path(team): Path<String>,
    Query(q): Query<FileQuery>,
) -> Response {
    respond(
        async {
            let (actor, format, locale) = who_and_how(req, &state, &q).await?;
            let team = id_param(&team, "team", NodeType::Team)?;
            let period = q
                .period
                .as_deref()
                .ok_or_else(|| Error::invalid("period", "is required"))?;
            let table = super::performance::team_performance(
                &state.db,
                &state.frameworks,
                &policy::team_views(&actor)?,
                team,
                period,
                locale,
            )
            .await?;
            file_response(table, format).await
        }
        .await,
    )
}

#[handler]
async fn people_file(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<FileQuery>,
) -> Response {
    respond(
        async {
            let (actor, format, locale) = who_and_how(req, &state, &q).await?;
            let admin = policy::manage_accounts(&actor)?;
            let table = super::people::people(&state.db, &admin, locale).await?;
            file_response(table, format).await
        }
        .await,
    )
}

#[handler]
async fn certification_progress(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<FileQuery>,
) -> Response {
    respond(
        async {
            let (actor, format, locale) = who_and_how(req, &state, &q).await?;
            let filter = CertificationFilter {
                user_id: None,
                team_id: optional_id(q.team.as_deref(), "team", NodeType::Team)?,
                job_role: q.role.clone(),
                career_level: q.level.clone(),
                certification: q.certification.clone(),
                status: q.status.as_deref().map(certification_status).transpose()?,
                expiring_within_days: q.expiring_within_days,
            };
            let table = super::certifications::certification_progress(
                &state.db,
                &state.frameworks,
                &actor,
                filter,
                crate::clock::today(),
                locale,
            )
            .await?;
            file_response(table, format).await
        }
        .await,
    )
}

#[handler]
async fn readiness_ranking(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<FileQuery>,
) -> Response {
    respond(
        async {
            let (actor, format, locale) = who_and_how(req, &state, &q).await?;
            let filter = ReadinessFilter {
                team_id: optional_id(q.team.as_deref(), "team", NodeType::Team)?,
                job_role: q.role.clone(),
                career_level: q.level.clone(),
                min_readiness: q.min_readiness,
                only_ready: q.only_ready.unwrap_or(false),
            };
            let table = super::readiness::readiness_ranking(
                &state.db,
                &state.frameworks,
                &actor,
                &filter,
                crate::clock::today(),
                locale,
            )
            .await?;
            file_response(table, format).await
        }
        .await,
    )
}
