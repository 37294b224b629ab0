//! The domain's one error type. Services return it; the GraphQL layer maps
//! each variant to one `extensions.code` (see `graphql::error`).

use std::fmt;

/// One thing wrong with the input, aimed at the field that carries it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Every problem found, not only the first, so a form can show them all.
    #[error("invalid input: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Problem>),
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts (logins): try again after the given time.
    #[error("too many attempts: try again in {retry_after_seconds} s")]
    TooManyAttempts { retry_after_seconds: i64 },
    /// The database cannot be reached: a passing condition, worth retrying.
    /// Distinct from `Unauthenticated`, so front ends do not sign people out
    /// during an outage.
    #[error("the service is unavailable: {0}")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![Problem::new(field, message)])
    }

    pub fn forbidden() -> Self {
        Self::Forbidden("you are not allowed to do this")
    }
}

impl From<sea_orm::DbErr> for Error {
    fn from(err: sea_orm::DbErr) -> Self {
        if crate::db::is_unavailable(&err) {
            Self::Unavailable(anyhow::Error::new(err).context("database unreachable"))
        } else {
            Self::Internal(anyhow::Error::new(err).context("database"))
        }
    }
}

impl From<sea_orm::TransactionError<Error>> for Error {
    fn from(err: sea_orm::TransactionError<Error>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(inner) => inner,
        }
    }
}

/// Collects problems while validating, then fails once with all of them.
#[derive(Debug, Default)]
pub struct Problems(Vec<Problem>);

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem::new(field, message));
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Keeps what a parse found wrong among the problems, so one answer
    /// names every bad field; the value when it parsed.
    pub fn check<T>(&mut self, parsed: Result<T>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(Error::Invalid(found)) => {
                self.0.extend(found);
                None
            }
            Err(other) => {
                self.0.push(Problem::new("input", other.to_string()));
                None
            }
        }
    }
    pub fn into_result(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
    pub fn into_vec(self) -> Vec<Problem> {
        self.0
    }
}
