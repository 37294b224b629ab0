//! Sessions over GraphQL: log in, rotate the refresh token, log out.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::session::Session;
use crate::graphql::context::{request, state};
use crate::graphql::date::Date;
use crate::graphql::error::{ApiResult, parse_id};
use crate::graphql::global_id::NodeType;
use crate::people::graphql::User;

/// Send `accessToken` as `Authorization: Bearer …`; when it expires, trade
/// `refreshToken` for a new pair with `refreshToken(token:)`. Each refresh
/// token works once.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Send it as `Authorization: Bearer …` with every request.
    pub access_token: String,
    /// When the access token stops working (`SKILLPATH_ACCESS_TOKEN_MINUTES`
    /// after it was issued, 15 by default).
    pub access_token_expires_at: DateTime<Utc>,
    /// Trade it once for a new pair with `refreshToken(token:)`; keep it secret.
    pub refresh_token: String,
    /// When the refresh token expires unused (`SKILLPATH_REFRESH_TOKEN_DAYS`
    /// after it was issued, 30 by default).
    pub refresh_token_expires_at: DateTime<Utc>,
    /// The person signed in, shown in full.
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

/// The answer to a request that just signed someone in: from here on the
/// request speaks for that person (their own account is shown in full).
fn signed_in(ctx: &Context<'_>, session: Session) -> ApiResult<AuthPayload> {
    let _ = request(ctx)?.signed_in.set(session.person.id);
    Ok(session.into())
}

/// A new account without a password: the person gets an invitation mail to set one.
#[derive(async_graphql::InputObject)]
pub struct InviteUserInput {
    /// Where the invitation goes; they sign in with it.
    pub email: String,
    /// Their name.
    pub name: String,
    /// What the account may do.
    #[graphql(default_with = "super::Role::Employee")]
    pub role: super::Role,
    /// Their manager.
    pub manager_id: Option<async_graphql::ID>,
    /// Their team.
    pub team_id: Option<async_graphql::ID>,
    /// The language of the invitation and of the account.
    pub locale: Option<super::Locale>,
    /// A job role key of the framework.
    pub job_role: Option<String>,
    /// A level key of the job role, e.g. `p2`.
    pub career_level: Option<String>,
    /// Since when the person is at this level.
    pub level_since: Option<Date>,
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// The same error for an unknown email and a wrong password. Attempts are
    /// limited per account and address (RATE_LIMITED with
    /// `extensions.retryAfter` past the limit; see the README).
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account's email address.")] email: String,
        #[graphql(desc = "The account's password.", secret)] password: String,
    ) -> ApiResult<AuthPayload> {
        let state = state(ctx)?;
        let addr = request(ctx)?.client_addr.as_deref();
        let session = state.auth.login(&state.db, &email, &password, addr).await?;
        signed_in(ctx, session)
    }

    /// Trades a refresh token for a new access and refresh token. Using a
    /// refresh token twice ends the session it belongs to.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The refresh token from login or the last refresh.", secret)]
        token: String,
    ) -> ApiResult<AuthPayload> {
        let state = state(ctx)?;
        signed_in(ctx, state.auth.refresh(&state.db, &token).await?)
    }

    /// Creates an account without a password and emails the person a
    /// single-use link to set one (HR and admins).
    async fn invite_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new account.")] input: InviteUserInput,
    ) -> ApiResult<User> {
        let actor = crate::graphql::context::actor(ctx)?;
        let state = state(ctx)?;
        let framework = state.frameworks.current(&state.db).await?;
        let new = crate::people::NewPerson {
            email: input.email,
            name: input.name,
            role: Some(input.role),
            manager_id: input
                .manager_id
                .as_ref()
                .map(|i| parse_id(i, "managerId", NodeType::User))
                .transpose()?,
            team_id: input
                .team_id
                .as_ref()
                .map(|i| parse_id(i, "teamId", NodeType::Team))
                .transpose()?,
            locale: input.locale,
            password: None,
            job_role: input.job_role,
            career_level: input.career_level,
            level_since: input.level_since.map(chrono::NaiveDate::from),
            employee_id: None,
        };
        let admin = super::policy::manage_accounts(actor)?;
        Ok(User(
            super::recovery::invite_user(&state.db, &admin, &framework, new).await?,
        ))
    }

    /// Sets the password of an invited account from the link's token, and signs in.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The single-use token from the mail's link.", secret)] token: String,
        #[graphql(desc = "The new password (10 to 256 characters).", secret)] password: String,
    ) -> ApiResult<AuthPayload> {
        let state = state(ctx)?;
        let session =
            super::recovery::accept_invitation(&state.db, &state.auth, &token, &password).await?;
        signed_in(ctx, session)
    }

    /// Emails a password reset link. Always answers true, whether or not the
    /// address has an account.
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account's email address.")] email: String,
    ) -> ApiResult<bool> {
        super::recovery::request_password_reset(&state(ctx)?.db, &email).await?;
        Ok(true)
    }

    /// Sets a new password from a reset link's token (single use) and ends every session.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The single-use token from the mail's link.", secret)] token: String,
        #[graphql(desc = "The new password (10 to 256 characters).", secret)] password: String,
    ) -> ApiResult<bool> {
        let state = state(ctx)?;
        super::recovery::reset_password(&state.db, &state.auth, &token, &password).await?;
        Ok(true)
    }

    /// Ends the session of this refresh token (every token rotated from it).
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "From login or the last refresh.", secret)] refresh_token: String,
    ) -> ApiResult<bool> {
        let state = state(ctx)?;
        state.auth.logout(&state.db, &refresh_token).await?;
        Ok(true)
    }
}
