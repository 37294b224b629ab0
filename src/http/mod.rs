//! The HTTP surface: routes, the per-request span and log line, CORS,
//! compression, and the operator endpoints (`/metrics`, `/livez`,
//! `/readyz`). The GraphQL endpoint itself is in `graphql.rs`.

mod graphql;

use std::time::Instant;

use poem::http::{HeaderValue, Method, StatusCode};
use poem::middleware::{Compression, Cors};
use poem::web::{Data, Json, Redirect};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get, handler};
use tracing::Instrument;

use crate::db;
use crate::graphql::AppSchema;
use crate::state::AppState;
use crate::telemetry::REQUEST_ID;

pub fn routes(schema: AppSchema, state: AppState) -> impl Endpoint {
    let max_body = state.settings.max_body_bytes;
    let max_upload = state.settings.import_max_bytes.max(max_body);
    let cors = cors(&state.settings.cors_allowed_origins);
    Route::new()
        .at(
            "/graphql",
            get(graphql::endpoint)
                .post(graphql::endpoint)
                .around(move |ep, mut req| async move {
                    // Uploads (multipart) may be as large as an import file;
                    // everything else stays small.
                    let limit = if is_multipart(&req) {
                        max_upload
                    } else {
                        max_body
                    };
                    if let Err(refused) = crate::graphql::limits::limit_body(&mut req, limit).await
                    {
                        return Ok(refused);
                    }
                    ep.call(req).await.map(IntoResponse::into_response)
                }),
        )
        .at("/graphiql", get(crate::graphiql::page))
        .at("/graphiql/", get(crate::graphiql::page))
        .at("/graphiql/assets/:name", get(crate::graphiql::asset))
        .at("/accept-invitation", get(crate::pages::accept_invitation))
        .at("/reset-password", get(crate::pages::reset_password))
        .nest("/exports", crate::exports::http::routes())
        .nest("/charts", crate::charts::http::routes())
        .at("/metrics", get(metrics))
        .at("/livez", get(livez))
        .at("/readyz", get(readyz))
        .at("/health", get(readyz))
        .at("/", get(root))
        .data(schema)
        .data(state.clone())
        // No origins configured, no CORS at all (poem's Cors with an empty
        // list would allow every origin).
        .with_if(!state.settings.cors_allowed_origins.is_empty(), cors)
        // Only bodies worth it; GraphQL answers and exports compress well.
        .with(Compression::new())
        .around(move |ep, req| {
            let recorder = state.metrics.clone();
            let clock = state.clock.clone();
            async move {
                let request_id = request_id(&req);
                // Every log line of the request carries these; the GraphQL
                // endpoint fills in the operation and the caller.
                let span = tracing::info_span!(
                    "request",
                    request_id = %request_id,
                    operation = tracing::field::Empty,
                    caller = tracing::field::Empty,
                );
                let method = req.method().clone();
                // The path only: a GET query string can carry GraphQL variables.
                let path = req.uri().path().to_owned();
                let started = Instant::now();
                // The application's time for everything the request asks of
                // the domain (see `clock`).
                let result = clock
                    .scope(REQUEST_ID.scope(request_id.clone(), ep.call(req)))
                    .instrument(span.clone())
                    .await;
                let mut response = match result {
                    Ok(response) => response.into_response(),
                    Err(err) => err.into_response(),
                };
                if let Ok(value) = HeaderValue::from_str(&request_id) {
                    response.headers_mut().insert("x-request-id", value);
                }
                let status = response.status().as_u16();
                recorder.http_response(&path, status);
                span.in_scope(|| {
                    tracing::info!(
                        method = %method,
                        path = %path,
                        status,
                        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
                        "request"
                    )
                });
                Ok(response)
            }
        })
}

/// Cross-origin access for the configured origins only (none by default):
/// a browser front end on another origin may call the API with a token.
fn cors(origins: &[String]) -> Cors {
    Cors::new()
        .allow_origins(origins.iter().map(String::as_str))
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([
            "authorization",
            "content-type",
            "accept",
            "accept-language",
            "x-request-id",
        ])
        .expose_headers(["x-request-id", "retry-after"])
        .max_age(600)
}

fn is_multipart(req: &Request) -> bool {
    req.headers()
        .get(poem::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// A caller-supplied id is kept when it is short and plain, so logs join up
/// across a proxy; anything else gets a fresh one.
fn request_id(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64)
        .filter(|v| {
            v.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

#[handler]
fn root(state: Data<&AppState>) -> Response {
    if !state.settings.graphiql_enabled() {
        return StatusCode::NOT_FOUND.into_response();
    }
    Redirect::see_other("/graphiql").into_response()
}

/// Liveness: the process answers. Restarting it would not fix the
/// database, so this never looks at it.
#[handler]
fn livez() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

/// Readiness: the process can serve requests, its database answering.
/// Load balancers stop sending traffic while this is 503.
#[handler]
async fn readyz(state: Data<&AppState>) -> Response {
    match db::ping(&state.db).await {
        Ok(()) => Json(serde_json::json!({"status": "ok", "database": "ok"})).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "readiness: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable", "database": "unreachable"})),
            )
                .into_response()
        }
    }
}

/// Prometheus text exposition. Expose it only where the scraper can reach
/// it (it shows operation names and volumes, never people's data).
#[handler]
async fn metrics(state: Data<&AppState>) -> Response {
    let body = state.metrics.render(&state.db).await;
    Response::builder()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body)
}
