//! Invitations and password resets: single-use tokens, stored only as their
//! SHA-256, that expire; each mail is queued in the transaction that creates
//! its token.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::password::Password;
use super::policy::AccountAdmin;
use super::session::{Auth, Session};
use super::sign_out::revoke_all_for_user;
use super::tokens::{random_token, token_hash};
use crate::audit::{self, Change};
use crate::db::entities::{account_token, user};
use crate::db::{self};
use crate::error::{Error, Result};
use crate::framework::{Framework, check_position};
use crate::mail::{self, MessageKind, Recipient};
use crate::people::{self, Email, NewPerson, Person};

pub const INVITATION_DAYS: i64 = 7;
pub const RESET_MINUTES: i64 = 60;
/// At most one reset mail per account in this many minutes: requests in
/// between answer the same but send nothing, so the form cannot be used to
/// flood someone's inbox.
pub const RESET_COOLDOWN_MINUTES: i64 = 2;
const INVITATION: &str = "INVITATION";
const RESET: &str = "PASSWORD_RESET";
const BAD_TOKEN: &str = "this link is not valid any more: ask for a new one";

async fn issue_token(
    db: &impl sea_orm::ConnectionTrait,
    user_id: i64,
    purpose: &str,
    ttl: Duration,
) -> Result<String> {
    let token = random_token();
    // Invitation and reset links expire in wall time, like sessions (see
    // `session`), not by the domain's clock.
    let now = Utc::now();
    account_token::ActiveModel {
        user_id: Set(user_id),
        purpose: Set(purpose.into()),
        token_hash: Set(token_hash(&token)),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Creates an account without a password and mails the person a link to set one.
pub async fn invite_user(
    db: &DatabaseConnection,
    admin: &AccountAdmin,
    framework: &Framework,
    new: NewPerson,
) -> Result<Person> {
    admin.may_touch(None, new.role.unwrap_or(super::Role::Employee))?;
    let actor = admin.by();
    check_position(
        framework,
        new.job_role.as_deref(),
        new.career_level.as_deref(),
    )?;
    let new = NewPerson {
        password: None,
        ..new
    };
    let inviter = people::people_by_ids(db, &[actor.user_id])
        .await?
        .remove(&actor.user_id)
        .map(|p| p.name)
        .unwrap_or_default();
    let txn = db::begin_write(db).await?;
    let row = people::insert_person_unhashed(&txn, new).await?;
    let created = people::created(&row);
    let person = Person::try_from(row)?;
    queue_invitation(
        &txn,
        person.id,
        &person.email,
        &person.name,
        person.locale.unwrap_or_default(),
        &inviter,
    )
    .await?;
    let invited = Change::new("user.invite", "user", person.id).about(person.id);
    audit::commit(txn, [created, invited]).await?;
    tracing::info!(user_id = person.id, "invitation queued");
    Ok(person)
}

/// Issues an invitation token for an account without a password and queues
/// its mail, in the caller's transaction (a single invitation, an import).
pub(crate) async fn queue_invitation(
    txn: &impl sea_orm::ConnectionTrait,
    user_id: i64,
    email: &str,
    name: &str,
    locale: crate::auth::Locale,
    inviter: &str,
) -> Result<()> {
    let token = issue_token(txn, user_id, INVITATION, Duration::days(INVITATION_DAYS)).await?;
    let to = Recipient {
        email: email.to_owned(),
        user_id: Some(user_id),
        name: name.to_owned(),
        locale,
    };
    mail::enqueue(
        txn,
        &to,
        MessageKind::Invitation,
        &format!("/accept-invitation?token={token}&lang={}", locale.tag()),
        json!({"inviter_name": inviter, "expires_in_days": INVITATION_DAYS}),
    )
    .await?;
    Ok(())
}

/// The live token of `purpose`: it must exist, be unused and unexpired.
async fn live_token(
    db: &impl sea_orm::ConnectionTrait,
    token: &str,
    purpose: &str,
) -> Result<account_token::Model> {
    let now = Utc::now();
    account_token::Entity::find()
        .filter(account_token::Column::TokenHash.eq(token_hash(token)))
        .filter(account_token::Column::Purpose.eq(purpose))
        .one(db)
        .await?
        .filter(|t| t.used_at.is_none() && t.expires_at > now)
        .ok_or(Error::invalid("token", BAD_TOKEN))
}

/// Checks a link, then hashes the new password. The token is checked first
/// so that a stranger with no valid link cannot make the server hash (about
/// 20 ms of CPU and 19 MiB each at production cost) at will.
async fn checked_link_then_hash(
    db: &DatabaseConnection,
    auth: &Auth,
    token: &str,
    purpose: &str,
    password: &str,
) -> Result<String> {
    let password = Password::parse(password)?;
    live_token(db, token, purpose).await?;
    auth.hasher.hash(&password).await
}

/// Spends a token of `purpose`: it must still be live. Marking it used is
/// conditional, so of two concurrent uses one wins.
async fn spend(txn: &impl sea_orm::ConnectionTrait, token: &str, purpose: &str) -> Result<i64> {
    let now = Utc::now();
    let row = live_token(txn, token, purpose).await?;
    let spent = account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(now))
        .filter(account_token::Column::Id.eq(row.id))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(txn)
        .await?;
    if spent.rows_affected != 1 {
        return Err(Error::invalid("token", BAD_TOKEN));
    }
    Ok(row.user_id)
}

async fn set_password(
    txn: &impl sea_orm::ConnectionTrait,
    user_id: i64,
    hash: String,
) -> Result<user::Model> {
    let updated = people::set_password_hash(txn, user_id, hash)
        .await?
        .ok_or(Error::invalid("token", BAD_TOKEN))?;
    // Every other link for this account dies with the password change.
    account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(account_token::Column::UserId.eq(user_id))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(txn)
        .await?;
    Ok(updated)
}

/// Sets the invited person's password and signs them in.
pub async fn accept_invitation(
    db: &DatabaseConnection,
    auth: &Auth,
    token: &str,
    password: &str,
) -> Result<Session> {
    let hash = checked_link_then_hash(db, auth, token, INVITATION, password).await?;
    let txn = db::begin_write(db).await?;
    let user_id = spend(&txn, token, INVITATION).await?;
    let row = set_password(&txn, user_id, hash).await?;
    let accepted = Change::new("auth.invitation_accepted", "user", user_id)
        .about(user_id)
        .by(user_id)
        .security()
        .fact("password_hash", "(set)");
    audit::commit(txn, [accepted]).await?;
    let person = Person::try_from(row)?;
    auth.start_session(db, person, &uuid::Uuid::new_v4().to_string())
        .await
}

/// Mails a reset link if an active account has this address. The answer is
/// the same either way, so it never tells whether an address is registered.
pub async fn request_password_reset(db: &DatabaseConnection, email: &str) -> Result<()> {
    // The address typed is not kept: it may belong to nobody, or be a
    // person's mistyped address.
    let requested = Change::new("auth.password_reset_requested", "user", None).security();
    let Ok(email) = Email::parse(email) else {
        audit::record_alone(db, requested.fact("account_found", false)).await?;
        return Ok(());
    };
    let txn = db::begin_write(db).await?;
    let Some(row) = people::active_account_by_email(&txn, &email).await? else {
        audit::commit(txn, [requested.fact("account_found", false)]).await?;
        return Ok(());
    };
    let requested = Change {
        entity_id: Some(row.id),
        ..requested.about(row.id).fact("account_found", true)
    };
    let recent = account_token::Entity::find()
        .filter(account_token::Column::UserId.eq(row.id))
        .filter(account_token::Column::Purpose.eq(RESET))
        .filter(
            account_token::Column::CreatedAt
                .gt(Utc::now() - Duration::minutes(RESET_COOLDOWN_MINUTES)),
        )
        .one(&txn)
        .await?;
    if recent.is_some() {
        audit::commit(txn, [requested.fact("mailed", false)]).await?;
        return Ok(());
    }
    let token = issue_token(&txn, row.id, RESET, Duration::minutes(RESET_MINUTES)).await?;
    let to = Recipient::from_user(&row);
    mail::enqueue(
        &txn,
        &to,
        MessageKind::PasswordReset,
        &format!("/reset-password?token={token}&lang={}", to.locale.tag()),
        json!({"expires_in_minutes": RESET_MINUTES}),
    )
    .await?;
    audit::commit(txn, [requested.fact("mailed", true)]).await?;
    Ok(())
}

/// Sets a new password from a reset link and signs the person out everywhere.
pub async fn reset_password(
    db: &DatabaseConnection,
    auth: &Auth,
    token: &str,
    password: &str,
) -> Result<()> {
    let hash = checked_link_then_hash(db, auth, token, RESET, password).await?;
    let txn = db::begin_write(db).await?;
    let user_id = spend(&txn, token, RESET).await?;
    set_password(&txn, user_id, hash).await?;
    revoke_all_for_user(&txn, user_id).await?;
    let reset = Change::new("auth.password_reset", "user", user_id)
        .about(user_id)
        .by(user_id)
        .security()
        .fact("password_hash", "(changed)");
    audit::commit(txn, [reset]).await?;
    tracing::info!(user_id, "password reset");
    Ok(())
}
