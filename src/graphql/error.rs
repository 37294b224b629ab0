//! The one mapping from domain errors to GraphQL errors. Every resolver
//! returns `ApiResult`, so no error reaches a client without a code, and an
//! internal error's text never does.

use async_graphql::{ErrorExtensions, ID};

use super::global_id::{self, NodeType};
use crate::error::{Error, Problem};
use crate::telemetry::current_request_id;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Unauthenticated,
    Forbidden,
    BadUserInput,
    NotFound,
    Conflict,
    /// Too many attempts; `extensions.retryAfter` says in how many seconds.
    RateLimited,
    /// The database is out of reach: retry later (HTTP 503). Never used for a
    /// bad token, so clients can tell an outage from being signed out.
    ServiceUnavailable,
    Internal,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::BadUserInput => "BAD_USER_INPUT",
            Code::NotFound => "NOT_FOUND",
            Code::Conflict => "CONFLICT",
            Code::RateLimited => "RATE_LIMITED",
            Code::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Code::Internal => "INTERNAL",
        }
    }
}

/// Deliberately not `Display`: async-graphql converts any `Display` error into
/// a bare message, and this type must only become a GraphQL error through
/// the `From` below, which adds the code.
#[derive(Debug, Clone)]
pub struct ApiError {
    code: Code,
    message: String,
    problems: Vec<Problem>,
    retry_after_seconds: Option<i64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            problems: Vec::new(),
            retry_after_seconds: None,
        }
    }

    pub fn bad_input(field: &str, message: impl Into<String>) -> Self {
        Error::invalid(field, message).into()
    }

    pub fn code(&self) -> Code {
        self.code
    }

    /// The message as the client is shown it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        match err {
            Error::Unauthenticated(m) => Self::new(Code::Unauthenticated, m),
            Error::Forbidden(m) => Self::new(Code::Forbidden, m),
            Error::NotFound(what) => Self::new(Code::NotFound, format!("{what} not found")),
            Error::Conflict(m) => Self::new(Code::Conflict, m),
            Error::Invalid(problems) => {
                let summary = problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                Self {
                    code: Code::BadUserInput,
                    message: format!("invalid input: {summary}"),
                    problems,
                    retry_after_seconds: None,
                }
            }
            Error::TooManyAttempts {
                retry_after_seconds,
            } => Self {
                retry_after_seconds: Some(retry_after_seconds),
                ..Self::new(
                    Code::RateLimited,
                    format!("too many attempts: try again in {retry_after_seconds} seconds"),
                )
            },
            Error::Unavailable(cause) => {
                tracing::warn!(error = ?cause, "database unavailable");
                Self {
                    retry_after_seconds: Some(RETRY_AFTER_OUTAGE_SECONDS),
                    ..Self::new(
                        Code::ServiceUnavailable,
                        "the service is temporarily unavailable: please try again shortly",
                    )
                }
            }
            Error::Internal(cause) => internal(&cause),
        }
    }
}

/// What clients are told to wait after an outage answer.
pub const RETRY_AFTER_OUTAGE_SECONDS: i64 = 5;

/// Failures of the GraphQL machinery itself (missing context data): bugs.
impl From<async_graphql::Error> for ApiError {
    fn from(err: async_graphql::Error) -> Self {
        internal(&anyhow::anyhow!("graphql: {}", err.message))
    }
}

fn internal(cause: &anyhow::Error) -> ApiError {
    let request_id = current_request_id().unwrap_or_else(|| "-".into());
    tracing::error!(request_id = %request_id, error = ?cause, "internal error");
    ApiError::new(
        Code::Internal,
        format!("something went wrong on our side (request id {request_id})"),
    )
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        async_graphql::Error::new(err.message).extend_with(|_, ext| {
            ext.set("code", err.code.as_str());
            if let Some(seconds) = err.retry_after_seconds {
                ext.set("retryAfter", seconds);
            }
            if !err.problems.is_empty() {
                let problems: Vec<async_graphql::Value> = err
                    .problems
                    .iter()
                    .map(|p| {
                        let mut map = async_graphql::indexmap::IndexMap::new();
                        map.insert(async_graphql::Name::new("field"), p.field.clone().into());
                        map.insert(
                            async_graphql::Name::new("message"),
                            p.message.clone().into(),
                        );
                        async_graphql::Value::Object(map)
                    })
                    .collect();
                ext.set("problems", problems);
            }
            if err.code == Code::Internal
                && let Some(id) = current_request_id()
            {
                ext.set("requestId", id);
            }
        })
    }
}

/// Reads the database id of a `kind` from an `ID` argument: see
/// `global_id::read` (the global id, or the bare number for one release).
pub fn parse_id(id: &ID, field: &str, kind: NodeType) -> ApiResult<i64> {
    global_id::read(id, kind).map_err(|problem| ApiError::bad_input(field, problem))
}

/// Reads an `ID` argument that may name any kind of record.
pub fn parse_any_id(id: &ID, field: &str) -> ApiResult<(Option<NodeType>, i64)> {
    global_id::read_any(id).map_err(|problem| ApiError::bad_input(field, problem))
}

/// An error answered before GraphQL runs (body too large, unreadable or
/// too deeply nested request), in the shape GraphQL errors have, so clients
/// read every error the same way.
pub fn http_error(status: poem::http::StatusCode, code: Code, message: &str) -> poem::Response {
    let body = serde_json::json!({
        "errors": [{"message": message, "extensions": {"code": code.as_str()}}]
    });
    poem::Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body.to_string())
}
