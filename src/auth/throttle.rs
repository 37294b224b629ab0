//! Limits on login attempts, counted in the database so that every server
//! process of a deployment shares them.
//!
//! Three counts, each over a fixed window:
//! - **per account and address** (`pair`): an address gets a few tries at
//!   one account, then is refused until the window ends;
//! - **per address** (`addr`): one address trying many accounts is refused.
//!   A successful login gives its attempt back, so an office behind one
//!   address is not locked out by its own people signing in;
//! - **per account** (`account`): failures from all addresses. Past the
//!   limit, only addresses that have already failed against the account are
//!   refused: a stranger guessing from elsewhere cannot lock the owner out of
//!   an address that has not failed.
//!
//! An attempt is counted when it *starts* (an atomic upsert), so parallel
//! guesses are counted too and cannot all slip in before the first failure
//! is recorded. A refused attempt never reaches the password hash.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, Value};

use crate::db;
use crate::error::{Error, Result};

/// Tries one address gets at one account per window.
pub const PAIR_LIMIT: i32 = 5;
/// Failed or in-flight attempts from one address per window.
pub const ADDRESS_LIMIT: i32 = 30;
/// Failures against one account, from anywhere, per window.
pub const ACCOUNT_LIMIT: i32 = 50;
pub const WINDOW_MINUTES: i64 = 15;

/// An attempt admitted by the limits; report how it ended.
pub struct Attempt {
    pair: String,
    addr: String,
    account: String,
}

#[derive(Debug, FromQueryResult)]
struct Count {
    attempts: i32,
    window_started_at: DateTime<Utc>,
}

fn window() -> Duration {
    Duration::minutes(WINDOW_MINUTES)
}

/// Counts the attempt, or refuses it when a limit is reached.
pub async fn begin(db: &DatabaseConnection, email: &str, client_addr: &str) -> Result<Attempt> {
    let attempt = Attempt {
        pair: format!("pair:{email}|{client_addr}"),
        addr: format!("addr:{client_addr}"),
        account: format!("account:{email}"),
    };
    // Throttling windows are real time: a moved domain clock (`clock`)
    // must not open or close them.
    let now = Utc::now();
    let pair = bump(db, &attempt.pair, now).await?;
    let addr = bump(db, &attempt.addr, now).await?;
    if pair.attempts > PAIR_LIMIT {
        return Err(refused(&pair, now));
    }
    if addr.attempts > ADDRESS_LIMIT {
        return Err(refused(&addr, now));
    }
    // This address has tried this account before in the window (the count
    // includes the attempt just made), so the account-wide limit applies.
    if pair.attempts > 1
        && let Some(account) = current(db, &attempt.account, now).await?
        && account.attempts >= ACCOUNT_LIMIT
    {
        return Err(refused(&account, now));
    }
    Ok(attempt)
}

impl Attempt {
    /// The right password: this address's tries at the account start again,
    /// and the attempt is given back to the address.
    pub async fn succeeded(self, db: &DatabaseConnection) -> Result<()> {
        let backend = db.get_database_backend();
        db.execute_raw(db::statement(
            backend,
            "DELETE FROM login_throttle WHERE key = $1",
            [self.pair.into()],
        ))
        .await?;
        db.execute_raw(db::statement(
            backend,
            "UPDATE login_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
            [self.addr.into()],
        ))
        .await?;
        Ok(())
    }

    /// A wrong password (or an unknown or inactive account: the same to an
    /// outsider) counts against the account from every address.
    pub async fn failed(self, db: &DatabaseConnection) -> Result<()> {
        bump(db, &self.account, Utc::now()).await?;
        Ok(())
    }
}

/// Forgets windows that ended long ago (a periodic job).
pub async fn prune(db: &DatabaseConnection) -> Result<u64> {
    let cutoff = Utc::now() - Duration::days(1);
    let done = db
        .execute_raw(db::statement(
            db.get_database_backend(),
            "DELETE FROM login_throttle WHERE window_started_at < $1",
            [cutoff.into()],
        ))
        .await?;
    Ok(done.rows_affected())
}

/// Adds one to `key`'s count, starting a new window when the last one ended.
/// One upsert, so concurrent attempts on any number of processes each get
/// their own count (the same statement on SQLite ≥ 3.35 and PostgreSQL).
async fn bump(db: &DatabaseConnection, key: &str, now: DateTime<Utc>) -> Result<Count> {
    let expired = now - window();
    let sql = "INSERT INTO login_throttle (key, attempts, window_started_at) VALUES ($1, 1, $2) \
        ON CONFLICT (key) DO UPDATE SET \
          attempts = CASE WHEN login_throttle.window_started_at < $3 THEN 1 \
                          ELSE login_throttle.attempts + 1 END, \
          window_started_at = CASE WHEN login_throttle.window_started_at < $3 THEN $2 \
                                   ELSE login_throttle.window_started_at END \
        RETURNING attempts, window_started_at";
    let values: [Value; 3] = [key.into(), now.into(), expired.into()];
    Count::find_by_statement(db::statement(db.get_database_backend(), sql, values))
        .one(db)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("login_throttle upsert returned no row")))
}

async fn current(db: &DatabaseConnection, key: &str, now: DateTime<Utc>) -> Result<Option<Count>> {
    let sql = "SELECT attempts, window_started_at FROM login_throttle WHERE key = $1";
    let row = Count::find_by_statement(db::statement(db.get_database_backend(), sql, [key.into()]))
        .one(db)
        .await?;
    Ok(row.filter(|c| c.window_started_at >= now - window()))
}

fn refused(count: &Count, now: DateTime<Utc>) -> Error {
    let retry_after = (count.window_started_at + window() - now)
        .num_seconds()
        .max(1);
    Error::TooManyAttempts {
        retry_after_seconds: retry_after,
    }
}
