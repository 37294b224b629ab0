//! `POST` and `GET /graphql`, as the GraphQL-over-HTTP specification says:
//! `application/graphql-response+json` when the client accepts it (with 400
//! and no `data` for a request that never ran: a syntax, validation or
//! variable error), `application/json` otherwise; every refusal a JSON error
//! with a code.

use std::time::Instant;

use async_graphql::parser::types::OperationType;
use async_graphql_poem::{GraphQLRequest, GraphQLResponse};
use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::web::{Data, RemoteAddr};
use poem::{IntoResponse, Request, Response, handler};

use crate::auth::Locale;
use crate::error::Error;
use crate::graphql::context::{Caller, RequestContext};
use crate::graphql::error::{Code, http_error};
use crate::graphql::loaders::Loaders;
use crate::graphql::{self, AppSchema};
use crate::state::AppState;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

#[handler]
pub async fn endpoint(
    req: &Request,
    remote: &RemoteAddr,
    schema: Data<&AppSchema>,
    state: Data<&AppState>,
    gql: poem::Result<GraphQLRequest>,
) -> poem::Result<Response> {
    let started = Instant::now();
    if req.method() == Method::POST && !is_graphql_body(req) {
        return Ok(http_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::BadUserInput,
            "send the request as application/json (or multipart/form-data for uploads)",
        ));
    }
    let watershed = accepts_graphql_response(req);
    // A body that is not a GraphQL request (bad JSON, wrong content type)
    // gets a GraphQL-shaped error with a code, like every other error.
    let mut gql = match gql {
        Ok(gql) => gql.0,
        Err(err) => {
            let message = format!("not a GraphQL request: {err}");
            return Ok(http_error(
                StatusCode::BAD_REQUEST,
                Code::BadUserInput,
                &message,
            ));
        }
    };
    // Before anything parses the query (`operation_of` below does): the
    // parser recurses once per nesting level and would overflow the stack.
    if let Err(refused) = graphql::limits::check_nesting(&gql.query, &gql.variables) {
        return Ok(http_error(
            StatusCode::BAD_REQUEST,
            Code::BadUserInput,
            refused.message(),
        ));
    }
    let operation = operation_of(&gql);
    let operation_name = operation.as_ref().and_then(|(_, name)| name.clone());
    tracing::Span::current().record("operation", operation_name.as_deref().unwrap_or("-"));
    // GraphQL over HTTP: GET may only read.
    if req.method() == Method::GET
        && operation
            .as_ref()
            .is_some_and(|(ty, _)| *ty != OperationType::Query)
    {
        let mut refused = http_error(
            StatusCode::METHOD_NOT_ALLOWED,
            Code::BadUserInput,
            "mutations must be sent with POST",
        );
        refused
            .headers_mut()
            .insert("allow", HeaderValue::from_static("POST"));
        return Ok(refused);
    }
    let caller = caller(req, &state).await;
    if let Caller::Authenticated(actor) = &caller {
        tracing::Span::current().record("caller", actor.user_id);
    }
    let accept_language = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::from_accept_language);
    // Errors speak the caller's language: their own setting, else the
    // browser's (codes stay the same).
    let error_locale = match &caller {
        Caller::Authenticated(actor) => actor.locale,
        _ => None,
    }
    .or(accept_language)
    .unwrap_or_default();
    let client_addr = remote.as_socket_addr().map(|a| a.ip().to_string());
    // The circumstances every change this request makes is recorded with.
    let audit_scope = crate::audit::AuditScope::request(
        state.audit_key.clone(),
        match &caller {
            Caller::Authenticated(actor) => Some(actor.user_id),
            _ => None,
        },
        client_addr.clone(),
    );
    gql = gql
        .data(RequestContext {
            caller,
            accept_language,
            client_addr,
            framework: Default::default(),
            signed_in: Default::default(),
        })
        .data(Loaders::new(&state.db));
    let mut response = match state.preparation.prepare(gql).await {
        Ok(gql) => crate::audit::within(audit_scope, schema.execute(gql)).await,
        Err(refused) => async_graphql::Response::from_errors(vec![refused]),
    };
    response.errors = std::mem::take(&mut response.errors)
        .into_iter()
        .map(graphql::limits::explain_limit)
        .collect();
    // Errors raised before any resolver ran (syntax, unknown fields, wrong
    // argument types, depth or complexity limits) come without a code: they
    // are all the client's input.
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if !has_code {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", Code::BadUserInput.as_str());
        }
    }
    graphql::i18n::translate_errors(&mut response.errors, error_locale);
    let outcome = response
        .errors
        .first()
        .and_then(|e| e.extensions.as_ref()?.get("code").cloned())
        .map_or_else(|| "ok".to_owned(), |code| code.to_string().replace('"', ""));
    state
        .metrics
        .graphql_request(operation_name.as_deref(), &outcome, started.elapsed());
    // An outage is the server's condition, not the request's: 503 with
    // Retry-After tells clients and proxies to come back, whatever the body.
    let unavailable = outcome == Code::ServiceUnavailable.as_str();
    // A request that never ran has errors, no data, and no error at a path.
    let never_ran = !response.errors.is_empty()
        && response.data == async_graphql::Value::Null
        && response.errors.iter().all(|e| e.path.is_empty());
    let mut http = if watershed && never_ran {
        let body = serde_json::json!({ "errors": response.errors });
        Response::builder()
            .status(StatusCode::BAD_REQUEST)
            .body(body.to_string())
    } else {
        GraphQLResponse::from(response).into_response()
    };
    if watershed {
        http.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/graphql-response+json; charset=utf-8"),
        );
    }
    if unavailable {
        http.set_status(StatusCode::SERVICE_UNAVAILABLE);
        http.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(crate::graphql::error::RETRY_AFTER_OUTAGE_SECONDS),
        );
    }
    Ok(http)
}

async fn caller(req: &Request, state: &AppState) -> Caller {
    let Some(token) = bearer(req) else {
        return Caller::Anonymous;
    };
    match state.auth.authenticate(&state.db, token).await {
        Ok(actor) => Caller::Authenticated(actor),
        Err(Error::Unauthenticated(reason)) => Caller::Refused(reason),
        Err(other) => {
            // The token may be fine: the database did not answer. Logged with
            // its cause; resolvers that need the caller answer
            // SERVICE_UNAVAILABLE.
            tracing::error!(error = ?other, "could not load the caller");
            Caller::Unchecked
        }
    }
}

/// A POST body is JSON, or multipart for uploads; anything else (no content
/// type, `text/plain` from a bare `fetch`) is refused before it is read.
fn is_graphql_body(req: &Request) -> bool {
    let media = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    matches!(
        media.as_deref(),
        Some("application/json" | "application/graphql-response+json" | "multipart/form-data")
    )
}

/// Does the client ask for `application/graphql-response+json`? Clients that
/// name only `application/json` (or nothing) keep the legacy behaviour.
fn accepts_graphql_response(req: &Request) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|media| {
            let mut parts = media.split(';').map(str::trim);
            let accepted = parts.next() == Some(GRAPHQL_RESPONSE);
            // `q=0` means "not this one".
            accepted && !parts.any(|p| p.replace(' ', "") == "q=0")
        })
}

fn bearer(req: &Request) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// The operation the request runs (its type and name), if the document parses.
fn operation_of(req: &async_graphql::Request) -> Option<(OperationType, Option<String>)> {
    let doc = async_graphql::parser::parse_query(&req.query).ok()?;
    let selected = req.operation_name.as_deref();
    doc.operations
        .iter()
        .find(|(name, _)| selected.is_none() || name.map(|n| n.as_str()) == selected)
        .map(|(name, op)| (op.node.ty, name.map(|n| n.to_string())))
}
