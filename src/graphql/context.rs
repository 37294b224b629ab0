//! What a resolver knows about the request: who is calling and in which
//! language they want answers.

use std::sync::Arc;

use async_graphql::Context;

use super::error::{ApiError, ApiResult, Code};
use crate::auth::{Actor, Locale};
use crate::framework::Framework;
use crate::state::AppState;

/// The caller, as the HTTP layer found them.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    Authenticated(Actor),
    /// A token was sent but refused; the message says why.
    Refused(&'static str),
    /// A token was sent but could not be checked: the database is out of
    /// reach. Answered SERVICE_UNAVAILABLE, never UNAUTHENTICATED, so that
    /// front ends keep the person signed in through an outage.
    Unchecked,
}

#[derive(Debug, Clone)]
pub struct RequestContext {
    pub caller: Caller,
    pub accept_language: Option<Locale>,
    pub client_addr: Option<String>,
    /// The current framework, looked up once per request however many
    /// fields ask for it.
    pub framework: tokio::sync::OnceCell<Arc<Framework>>,
    /// Set when this request signed someone in (login, refresh, accepting
    /// an invitation): the answer may show that person their own account.
    pub signed_in: std::sync::OnceLock<i64>,
}

/// The current framework version, from the request's cache.
pub async fn current_framework(ctx: &Context<'_>) -> ApiResult<Arc<Framework>> {
    let state = state(ctx)?;
    let cached = request(ctx)?
        .framework
        .get_or_try_init(|| async {
            state
                .frameworks
                .current(&state.db)
                .await
                .map_err(ApiError::from)
        })
        .await?;
    Ok(cached.clone())
}

pub fn state<'a>(ctx: &Context<'a>) -> ApiResult<&'a AppState> {
    Ok(ctx.data::<AppState>()?)
}

pub fn request<'a>(ctx: &Context<'a>) -> ApiResult<&'a RequestContext> {
    Ok(ctx.data::<RequestContext>()?)
}

/// The authenticated caller, or UNAUTHENTICATED.
pub fn actor<'a>(ctx: &Context<'a>) -> ApiResult<&'a Actor> {
    match &request(ctx)?.caller {
        Caller::Authenticated(actor) => Ok(actor),
        Caller::Refused(reason) => Err(ApiError::new(Code::Unauthenticated, *reason)),
        Caller::Unchecked => Err(crate::error::Error::Unavailable(anyhow::anyhow!(
            "the caller's account could not be loaded"
        ))
        .into()),
        Caller::Anonymous => Err(ApiError::new(
            Code::Unauthenticated,
            "sign in first: send `Authorization: Bearer <accessToken>`",
        )),
    }
}

/// The language to answer in: an explicit `locale` argument, then the
/// caller's own setting, then `Accept-Language`, then English.
pub fn locale(ctx: &Context<'_>, explicit: Option<Locale>) -> Locale {
    if let Some(locale) = explicit {
        return locale;
    }
    let Ok(request) = request(ctx) else {
        return Locale::default();
    };
    let own = match &request.caller {
        Caller::Authenticated(actor) => actor.locale,
        _ => None,
    };
    own.or(request.accept_language).unwrap_or_default()
}
