//! Sessions over GraphQL: log in, rotate the refresh token, log out.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::session::Session;
use crate::graphql::context::{request, state};
use crate::graphql::error::ApiResult;
use crate::people::graphql::User;

/// Send `accessToken` as `Authorization: Bearer …`; when it expires, trade
/// `refreshToken` for a new pair with `refreshToken(token:)`. Each refresh
/// token works once.
#[derive(SimpleObject)]
pub struct AuthPayload {
    pub access_token: String,
    pub access_token_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_token_expires_at: DateTime<Utc>,
    pub user: User,
}

impl From<Session> for AuthPayload {
    fn from(s: Session) -> Self {
        Self {
            access_token: s.access_token,
            access_token_expires_at: s.access_expires_at,
            refresh_token: s.refresh_token,
            refresh_token_expires_at: s.refresh_expires_at,
            user: User(s.person),
        }
    }
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// The same error for an unknown email and a wrong password; repeated
    /// failures for an account or an address are answered more and more slowly.
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        #[graphql(secret)] password: String,
    ) -> ApiResult<AuthPayload> {
        let state = state(ctx)?;
        let addr = request(ctx)?.client_addr.as_deref();
        let session = state.auth.login(&state.db, &email, &password, addr).await?;
        Ok(session.into())
    }

    /// Trades a refresh token for a new access and refresh token. Using a
    /// refresh token twice ends the session it belongs to.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] token: String,
    ) -> ApiResult<AuthPayload> {
        let state = state(ctx)?;
        Ok(state.auth.refresh(&state.db, &token).await?.into())
    }

    /// Ends the session of this refresh token (every token rotated from it).
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] refresh_token: String,
    ) -> ApiResult<bool> {
        let state = state(ctx)?;
        state.auth.logout(&state.db, &refresh_token).await?;
        Ok(true)
    }
}
