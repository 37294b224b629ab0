//! Logging in, refreshing and logging out.
//!
//! Refresh tokens rotate: each is good for one use, and using it yields a new
//! one in the same family. Presenting a spent token means it was copied, so
//! the whole family is revoked and both holders must log in again.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, Set,
};

use super::Actor;
use super::password::PasswordHasher;
use super::throttle;
use super::tokens::{self, TokenError, TokenKeys};
use crate::audit::{self, Change};
use crate::db::{self, entities::refresh_token, entities::user};
use crate::error::{Error, Result};
use crate::people::{self, Email, Person};

// Sessions and tokens expire in wall time, never by the domain's clock
// (`clock`): a lifetime is a security bound on real elapsed time.
const BAD_CREDENTIALS: &str = "invalid email or password";
const BAD_REFRESH: &str = "the refresh token is not valid; please log in again";

#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub person: Person,
}

/// Everything authentication needs, built once at start-up.
#[derive(Clone)]
pub struct Auth {
    pub hasher: PasswordHasher,
    pub keys: TokenKeys,
    pub refresh_ttl: Duration,
    /// Counts refused logins (wrong email or password) for `/metrics`.
    pub login_failures: prometheus::IntCounter,
    /// Each manager's reach, reused while the organisation is unchanged.
    pub reach: std::sync::Arc<people::ReachCache>,
}

impl Auth {
    /// The same answer, and about the same time, for an unknown email, a wrong
    /// password and an inactive account.
    pub async fn login(
        &self,
        db: &DatabaseConnection,
        email: &str,
        password: &str,
        client_addr: Option<&str>,
    ) -> Result<Session> {
        let email = Email::parse(email).map_err(|_| Error::Unauthenticated(BAD_CREDENTIALS))?;
        let attempt = throttle::begin(db, email.as_str(), client_addr.unwrap_or("unknown")).await?;
        let row = user::Entity::find()
            .filter(user::Column::Email.eq(email.as_str()))
            .one(db)
            .await?;
        let stored = row
            .as_ref()
            .filter(|u| u.active)
            .and_then(|u| u.password_hash.as_deref());
        let matched = self.hasher.verify(password, stored).await?;
        let account = row.as_ref().map(|u| u.id);
        let Some(row) = row.filter(|_| matched) else {
            attempt.failed(db).await?;
            // The address typed is not kept; the account, when there is one,
            // is the entry's subject.
            audit::record_alone(
                db,
                Change::new("auth.login_failed", "user", account)
                    .about(account)
                    .security(),
            )
            .await?;
            self.login_failures.inc();
            tracing::info!(reason = "bad credentials", "login refused");
            return Err(Error::Unauthenticated(BAD_CREDENTIALS));
        };
        attempt.succeeded(db).await?;
        let person = Person::try_from(row)?;
        let family = uuid::Uuid::new_v4().to_string();
        let user_id = person.id;
        let txn = db::begin_write(db).await?;
        let session = self.issue(&txn, person, &family, Utc::now()).await?;
        let login = Change::new("auth.login", "user", user_id)
            .about(user_id)
            .by(user_id)
            .security();
        audit::commit(txn, [login]).await?;
        tracing::info!(user_id, "login");
        Ok(session)
    }

    pub async fn refresh(&self, db: &DatabaseConnection, token: &str) -> Result<Session> {
        let hash = tokens::token_hash(token);
        let now = Utc::now();
        let txn = db::begin_write(db).await?;
        let Some(found) = find_refresh_token(&txn, &hash).await? else {
            return Err(Error::Unauthenticated(BAD_REFRESH));
        };
        // Rotation and revocation (logout, password reset, deactivation) are
        // decided under the person's row lock: whichever comes second sees
        // what the first did, so a rotated token cannot outlive a logout.
        db::lock_person(&txn, found.user_id).await?;
        let Some(current) = find_refresh_token(&txn, &hash).await? else {
            return Err(Error::Unauthenticated(BAD_REFRESH));
        };
        if current.revoked_at.is_some() || current.expires_at <= now {
            return Err(Error::Unauthenticated(BAD_REFRESH));
        }
        // Mark it spent only if nobody else did first: of two concurrent uses,
        // exactly one wins and the other is treated as reuse.
        let spent = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
            .filter(refresh_token::Column::Id.eq(current.id))
            .filter(refresh_token::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        if spent.rows_affected != 1 {
            revoke_family(&txn, &current.family_id, now).await?;
            let reuse = Change::new("auth.token_reuse", "user", current.user_id)
                .about(current.user_id)
                .security()
                .fact("sessions_revoked", "the token's family");
            audit::commit(txn, [reuse]).await?;
            tracing::warn!(
                user_id = current.user_id,
                "refresh token reused: family revoked"
            );
            return Err(Error::Unauthenticated(BAD_REFRESH));
        }
        let person = match user::Entity::find_by_id(current.user_id).one(&txn).await? {
            Some(row) if row.active => Person::try_from(row)?,
            _ => return Err(Error::Unauthenticated(BAD_REFRESH)),
        };
        let user_id = person.id;
        let session = self.issue(&txn, person, &current.family_id, now).await?;
        let refreshed = Change::new("auth.refresh", "user", user_id)
            .about(user_id)
            .by(user_id)
            .security();
        audit::commit(txn, [refreshed]).await?;
        Ok(session)
    }

    /// Ends the session the refresh token belongs to. Unknown tokens are
    /// accepted silently: logging out twice is not an error.
    pub async fn logout(&self, db: &DatabaseConnection, token: &str) -> Result<()> {
        let hash = tokens::token_hash(token);
        let txn = db::begin_write(db).await?;
        let mut trail = Vec::new();
        if let Some(row) = find_refresh_token(&txn, &hash).await? {
            // Under the same lock as rotation (see `refresh`).
            db::lock_person(&txn, row.user_id).await?;
            revoke_family(&txn, &row.family_id, Utc::now()).await?;
            trail.push(
                Change::new("auth.logout", "user", row.user_id)
                    .about(row.user_id)
                    .by(row.user_id)
                    .security(),
            );
        } else {
            trail.push(Change::new("auth.logout", "user", None).security());
        }
        audit::commit(txn, trail).await?;
        Ok(())
    }

    /// The caller behind a bearer token.
    pub async fn authenticate(&self, db: &DatabaseConnection, bearer: &str) -> Result<Actor> {
        let user_id = self.keys.verify_access(bearer).map_err(|e| match e {
            TokenError::Expired => Error::Unauthenticated("the access token has expired"),
            TokenError::Invalid => Error::Unauthenticated("the access token is not valid"),
        })?;
        self.actor(db, user_id).await
    }

    /// The caller with this id (from a verified token or signed link), if the
    /// account exists and is active.
    pub async fn actor(&self, db: &DatabaseConnection, user_id: i64) -> Result<Actor> {
        people::load_actor(db, &self.reach, user_id)
            .await?
            .ok_or(Error::Unauthenticated("this account is not active"))
    }

    /// A new session for a person who just proved who they are (login, or
    /// setting a password from an invitation).
    pub async fn start_session(
        &self,
        db: &DatabaseConnection,
        person: Person,
        family: &str,
    ) -> Result<Session> {
        self.issue(db, person, family, Utc::now()).await
    }

    async fn issue(
        &self,
        db: &impl ConnectionTrait,
        person: Person,
        family: &str,
        now: DateTime<Utc>,
    ) -> Result<Session> {
        let refresh = tokens::random_token();
        let refresh_expires_at = now + self.refresh_ttl;
        refresh_token::ActiveModel {
            user_id: Set(person.id),
            family_id: Set(family.to_owned()),
            token_hash: Set(tokens::token_hash(&refresh)),
            expires_at: Set(refresh_expires_at),
            used_at: Set(None),
            revoked_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let (access, access_expires_at) = self.keys.issue_access(person.id, now)?;
        Ok(Session {
            access_token: access,
            access_expires_at,
            refresh_token: refresh,
            refresh_expires_at,
            person,
        })
    }
}

async fn revoke_family(db: &impl ConnectionTrait, family: &str, now: DateTime<Utc>) -> Result<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

async fn find_refresh_token(
    txn: &DatabaseTransaction,
    hash: &str,
) -> Result<Option<refresh_token::Model>> {
    Ok(refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(txn)
        .await?)
}
