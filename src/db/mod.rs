//! The database: connecting (SQLite tuned for concurrent use, or PostgreSQL),
//! migrating, transactions and the few raw-SQL helpers set-based queries need.

pub mod entities;
pub mod stored;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, DbErr, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait, Value,
};

use crate::config::Settings;

/// Opens the pool. SQLite gets WAL (readers never wait for the writer), a
/// busy timeout (writers queue instead of failing with "database is locked")
/// and enforced foreign keys.
pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbErr> {
    connect_counted(settings, StatementCounter::default()).await
}

/// Counts the SQL statements a connection runs: benches and tests use it to
/// show that a query's statement count does not grow with the data.
#[derive(Clone, Default, Debug)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

pub async fn connect_counted(
    settings: &Settings,
    counter: StatementCounter,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(settings.database_url.clone());
    options
        .max_connections(settings.db_max_connections)
        .min_connections(1)
        // Short on purpose: an unreachable database fails start-up in seconds
        // (naming the host), and during an outage requests answer
        // SERVICE_UNAVAILABLE quickly instead of hanging for half a minute.
        .connect_timeout(CONNECT_TIMEOUT)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // sqlx pings every connection it hands out by default: a second
        // round trip for every statement, and as many extra wake-ups of the
        // database. Only a connection idle long enough to have been dropped
        // by the server or a proxy is checked, and, once a statement found
        // the database gone, every connection that was idle since then: a
        // restarted database costs one SERVICE_UNAVAILABLE, not one per
        // pooled connection.
        .test_before_acquire_if_idle_for(IDLE_BEFORE_PING)
        .map_sqlx_postgres_before_acquire(|conn, meta| {
            Box::pin(async move {
                if idle_since_outage(meta.idle_for) {
                    use sea_orm::sqlx::Connection as _;
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
        });
    let mut db = connect_retrying_locked(options).await.map_err(|e| {
        DbErr::Custom(format!(
            "cannot reach the database at {}: {e}",
            describe_url(&settings.database_url)
        ))
    })?;
    db.set_metric_callback(move |_| {
        counter.0.fetch_add(1, Ordering::Relaxed);
    });
    Ok(db)
}

/// Connects; on SQLite, tries again while another process holds the file
/// locked. Switching a new file to WAL needs a lock that SQLite does not
/// wait for (the busy timeout does not apply), so replicas starting at the
/// same moment on a fresh file would otherwise fail at random.
async fn connect_retrying_locked(options: ConnectOptions) -> Result<DatabaseConnection, DbErr> {
    let mut attempt = 0;
    loop {
        match Database::connect(options.clone()).await {
            Err(e) if attempt < 50 && e.to_string().contains("database is locked") => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            result => return result,
        }
    }
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
const IDLE_BEFORE_PING: Duration = Duration::from_secs(10);

/// When a statement last found the database out of reach, in milliseconds
/// since `EPOCH` (0: never). One per process: a ping too many is harmless.
static LAST_OUTAGE_MS: AtomicU64 = AtomicU64::new(0);
static EPOCH: std::sync::LazyLock<std::time::Instant> =
    std::sync::LazyLock::new(std::time::Instant::now);

/// Records that a statement found the database out of reach: the pooled
/// connections idle since are checked before their next use.
pub fn note_unavailable() {
    let ms = EPOCH.elapsed().as_millis().max(1) as u64;
    LAST_OUTAGE_MS.store(ms, Ordering::Relaxed);
}

/// Was a connection idle for `idle_for` put back before the last outage?
fn idle_since_outage(idle_for: Duration) -> bool {
    let last = LAST_OUTAGE_MS.load(Ordering::Relaxed);
    last != 0
        && EPOCH
            .elapsed()
            .checked_sub(idle_for)
            .is_none_or(|returned| returned.as_millis() as u64 <= last)
}

/// Where a database URL points, without credentials: for messages and logs.
pub fn describe_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "an unparsable DATABASE_URL".into();
    };
    let rest = rest.split('?').next().unwrap_or_default();
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{rest}")
}

/// Applies pending migrations. When none is pending nothing is written, so
/// a server may run as a role that cannot change the schema (see the
/// README's PostgreSQL roles): the owner migrates, the application serves.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if up_to_date(db).await {
        return Ok(());
    }
    Migrator::up(db, None).await
}

/// Whether every migration is recorded as applied (false when the record
/// cannot be read, e.g. on a new database).
async fn up_to_date(db: &DatabaseConnection) -> bool {
    #[derive(sea_orm::FromQueryResult)]
    struct Applied {
        version: String,
    }
    let applied = <Applied as sea_orm::FromQueryResult>::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT version FROM seaql_migrations",
    ))
    .all(db)
    .await;
    let Ok(applied) = applied else {
        return false;
    };
    Migrator::migrations().iter().all(|m| {
        applied
            .iter()
            .any(|a| a.version == migrations::MigrationName::name(m.as_ref()))
    })
}

/// Start-up work that must happen once however many processes start at the
/// same moment on one database (migrations, the bootstrap admin, the default
/// framework) runs under this lock; concurrent starters wait for it, then find
/// the work done.
///
/// On PostgreSQL it is a session advisory lock, taken on a one-connection
/// pool so that the lock and the work share a session. On a SQLite file it is
/// an exclusive lock on a file beside the database (migrations there are not
/// one transaction, so two processes could both create a table).
pub struct StartupLock {
    conn: DatabaseConnection,
    held: Held,
}

enum Held {
    Nothing,
    Advisory,
    File(#[allow(dead_code)] std::fs::File),
}

/// Any fixed number: the key of Skillpath's start-up advisory lock.
const STARTUP_LOCK_KEY: i64 = 0x54b1_11a7;

impl StartupLock {
    pub async fn acquire(settings: &Settings, db: &DatabaseConnection) -> Result<Self, DbErr> {
        if db.get_database_backend() != DatabaseBackend::Postgres {
            let held = match sqlite_file(&settings.database_url) {
                Some(path) => Held::File(lock_file_beside(path).await?),
                None => Held::Nothing,
            };
            return Ok(Self {
                conn: db.clone(),
                held,
            });
        }
        let single = Settings {
            db_max_connections: 1,
            ..settings.clone()
        };
        let conn = connect(&single).await?;
        conn.execute_raw(statement(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_lock($1)",
            [STARTUP_LOCK_KEY.into()],
        ))
        .await?;
        Ok(Self {
            conn,
            held: Held::Advisory,
        })
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Releases the lock (closing the session or the file would too, should
    /// this not run).
    pub async fn release(self) -> Result<(), DbErr> {
        if let Held::Advisory = self.held {
            self.conn
                .execute_raw(statement(
                    DatabaseBackend::Postgres,
                    "SELECT pg_advisory_unlock($1)",
                    [STARTUP_LOCK_KEY.into()],
                ))
                .await?;
            self.conn.close().await?;
        }
        Ok(())
    }
}

/// The file a `sqlite://` URL names, if it names one.
fn sqlite_file(url: &str) -> Option<&str> {
    let path = url
        .strip_prefix("sqlite://")
        .or(url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then_some(path)
}

async fn lock_file_beside(database: &str) -> Result<std::fs::File, DbErr> {
    let path = format!("{database}.startup-lock");
    tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        file.lock()?;
        Ok::<_, std::io::Error>(file)
    })
    .await
    .map_err(|e| DbErr::Custom(format!("start-up lock: {e}")))?
    .map_err(|e| DbErr::Custom(format!("start-up lock beside the database: {e}")))
}

/// Starts a transaction that will write. On SQLite it takes the write lock at
/// `BEGIN` (IMMEDIATE): a deferred transaction that reads and then writes
/// cannot wait for the lock and would fail with "database is locked".
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Serialises writers that check an invariant over several rows of one
/// person (target weights totalling 100): on PostgreSQL it locks the
/// person's row for the transaction; SQLite transactions from `begin_write`
/// already hold the database's single write lock.
pub async fn lock_person(txn: &DatabaseTransaction, user_id: i64) -> Result<(), DbErr> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_raw(statement(
            DatabaseBackend::Postgres,
            "SELECT id FROM users WHERE id = $1 FOR UPDATE",
            [user_id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// A raw statement written with PostgreSQL's `$1, $2` placeholders, rewritten
/// to SQLite's equivalent `?1, ?2` when needed, so each query is written once.
/// Only for what sea-query's builders cannot say (recursive CTEs, window
/// functions, `FOR UPDATE SKIP LOCKED`, advisory locks); everything else is
/// built with sea-orm / sea-query, which place parameters per database.
pub fn statement(
    backend: DatabaseBackend,
    sql: &str,
    values: impl IntoIterator<Item = Value>,
) -> Statement {
    let sql = match backend {
        DatabaseBackend::Sqlite => sql.replace('$', "?"),
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Is this error a unique-constraint violation (same meaning on both databases)?
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// Is this error the database being out of reach (down, restarting, pool
/// exhausted) rather than a fault in the statement? Such errors are worth a
/// retry and answer SERVICE_UNAVAILABLE, not INTERNAL.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as Sqlx;
    let sqlx = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(RuntimeErr::SqlxError(_)) => return true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        _ => return false,
    };
    match sqlx.as_ref() {
        Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
        // PostgreSQL shutting down or starting up (class 57: operator intervention).
        Sqlx::Database(db) => db.code().is_some_and(|c| c.starts_with("57P")),
        _ => false,
    }
}

/// Checks the database answers: for `/health`.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT 1",
    ))
    .await
    .map(|_| ())
}

/// Builds a `WHERE` clause from optional filters, numbering placeholders as
/// it goes so each fragment is written once for both databases.
///
/// Left only for `advancement::data` (and `people::select_people`, which
/// feeds it) while that module is rewritten (issue #13); new queries use
/// sea-query `Condition`s (`people::people_condition`). Remove it with them.
#[derive(Debug, Default, Clone)]
pub struct Conditions {
    clauses: Vec<String>,
    values: Vec<Value>,
}

impl Conditions {
    /// Adds `fragment`, in which every `?` stands for the next of `values`.
    pub fn push(&mut self, fragment: &str, values: impl IntoIterator<Item = Value>) {
        let mut values = values.into_iter();
        let mut clause = String::with_capacity(fragment.len() + 8);
        for c in fragment.chars() {
            if c == '?' {
                let value = values.next().expect("one value per placeholder");
                self.values.push(value);
                clause.push_str(&format!("${}", self.values.len()));
            } else {
                clause.push(c);
            }
        }
        self.clauses.push(clause);
    }

    /// `col IN (…)` over `ids`; an empty list matches nothing.
    pub fn push_in(&mut self, column: &str, ids: &[i64]) {
        if ids.is_empty() {
            self.clauses.push("1 = 0".into());
            return;
        }
        let marks = vec!["?"; ids.len()].join(", ");
        self.push(
            &format!("{column} IN ({marks})"),
            ids.iter().map(|i| Value::from(*i)),
        );
    }

    pub fn sql(&self) -> String {
        if self.clauses.is_empty() {
            "1 = 1".into()
        } else {
            self.clauses.join(" AND ")
        }
    }

    pub fn statement(
        &self,
        backend: DatabaseBackend,
        before_where: &str,
        after_where: &str,
    ) -> Statement {
        statement(
            backend,
            &format!("{before_where} WHERE {} {after_where}", self.sql()),
            self.values.clone(),
        )
    }
}
