//! `spawn_app()`: a live server on 127.0.0.1:0 with a fresh database (a SQLite
//! file, or a new PostgreSQL database when `TEST_DATABASE_URL` is set), and a
//! small GraphQL client to talk to it over real HTTP.

#![allow(dead_code)]

use std::sync::OnceLock;

use serde_json::{Value, json};
use skillpath::Application;
use skillpath::audit::{self, AuditScope};
use skillpath::auth::Role;
use skillpath::clock::Clock;
use skillpath::config::{PasswordHashing, Secret, Settings};
use skillpath::graphql::global_id::{self, NodeType};
use skillpath::people::{self, NewPerson, Person};
use skillpath::state::AppState;
use tokio::sync::oneshot;

pub const PASSWORD: &str = "correct horse battery staple";
pub const TOKEN_SECRET: &str = "test-secret-test-secret-test-secret-0123";

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub state: AppState,
    pub settings: Settings,
    /// The server's time: a test moves it (`clock.advance`, `clock.set_today`)
    /// instead of writing past dates into the database.
    pub clock: Clock,
    shutdown: Option<oneshot::Sender<()>>,
    postgres_db: Option<String>,
    _dir: tempfile::TempDir,
}

fn postgres_admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Replaces the database name at the end of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let prefix = base.rsplit_once('/').map(|(p, _)| p).unwrap_or(base);
    format!("{prefix}/{name}{query}")
}

pub fn test_settings(dir: &std::path::Path) -> Settings {
    Settings {
        database_url: format!("sqlite://{}?mode=rwc", dir.join("skillpath.db").display()),
        listen: "127.0.0.1:0".into(),
        token_secret: Some(Secret::new(TOKEN_SECRET)),
        password_hashing: PasswordHashing::FAST_FOR_TESTS,
        mail_dir: Some(dir.join("mail")),
        // Jobs (mail worker, reminders, housekeeping) would add statements to
        // the counters and send mail at times of their own choosing: a test
        // that wants them turns them on, or calls `deliver_pending_mail`.
        background_jobs: false,
        ..Settings::default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    init_test_logging();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = test_settings(dir.path());
    let mut postgres_db = None;
    if let Some(admin_url) = postgres_admin_url() {
        let name = format!("skillpath_test_{}", uuid::Uuid::new_v4().simple());
        let admin = sea_orm::Database::connect(admin_url.as_str())
            .await
            .expect("connect to TEST_DATABASE_URL");
        use sea_orm::ConnectionTrait;
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create test database");
        settings.database_url = with_database(&admin_url, &name);
        settings.db_max_connections = 5;
        postgres_db = Some(name);
    }
    configure(&mut settings);
    let clock = Clock::adjustable();
    let app = Application::build_with_clock(settings.clone(), clock.clone())
        .await
        .expect("build app");
    let base = format!("http://{}", app.addr());
    let state = app.state().clone();
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    TestApp {
        base,
        http: reqwest::Client::new(),
        state,
        settings,
        clock,
        shutdown: Some(tx),
        postgres_db,
        _dir: dir,
    }
}

impl TestApp {
    /// A second server process on the same database (its own listener and workers).
    pub async fn sibling(&self) -> TestApp {
        // One time for both: they serve the same organisation.
        let app = Application::build_with_clock(self.settings.clone(), self.clock.clone())
            .await
            .expect("build sibling");
        let base = format!("http://{}", app.addr());
        let state = app.state().clone();
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        TestApp {
            base,
            http: reqwest::Client::new(),
            state,
            settings: self.settings.clone(),
            clock: self.clock.clone(),
            shutdown: Some(tx),
            // The first app owns (and drops) the database.
            postgres_db: None,
            _dir: tempfile::tempdir().expect("temp dir"),
        }
    }
}

impl TestApp {
    /// Sends every message the outbox holds now, as the mail worker would,
    /// and returns how many were handled. With background jobs off (the
    /// default here), a test knows that no mail goes out except through this.
    pub async fn deliver_pending_mail(&self) -> usize {
        // The running app's settings: its public URL is the address it bound.
        let worker =
            skillpath::mail::MailWorker::from_settings(self.state.db.clone(), &self.state.settings)
                .expect("mail worker from the test settings");
        let mut handled = 0;
        loop {
            match self
                .clock
                .clone()
                .scope(worker.drain_once())
                .await
                .expect("drain the outbox")
            {
                0 => return handled,
                n => handled += n,
            }
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let (Some(name), Some(admin_url)) = (self.postgres_db.take(), postgres_admin_url()) {
            // Drop runs outside async context: clean up on a thread of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    use sea_orm::ConnectionTrait;
                    if let Ok(admin) = sea_orm::Database::connect(admin_url.as_str()).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

fn init_test_logging() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        if std::env::var("TEST_LOG").is_ok() {
            // Logs only: the export is tested against the real binary (otel.rs).
            let _ = skillpath::telemetry::init(skillpath::config::LogFormat::Text, None);
        }
    });
}

/// A GraphQL answer: `data` and `errors` as sent.
#[derive(Debug)]
pub struct Gql {
    pub status: u16,
    pub body: Value,
}

impl Gql {
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "expected no errors, got {:#}",
            self.body
        );
        &self.body["data"]
    }
    /// The first error's `extensions.code`.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error with a code, got {:#}", self.body))
    }
    pub fn message(&self) -> &str {
        self.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
    }
}

impl TestApp {
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Gql {
        let mut req = self
            .http
            .post(format!("{}/graphql", self.base))
            .json(&json!({"query": query, "variables": variables}));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let body = res.json().await.expect("json body");
        Gql { status, body }
    }

    /// Runs arrangement code that writes through the services directly, in
    /// an audit scope of its own (requests have theirs).
    pub async fn arrange<F: std::future::Future>(&self, work: F) -> F::Output {
        let scope = AuditScope::system(self.state.audit_key.clone(), "test:arrangement");
        self.clock.clone().scope(audit::within(scope, work)).await
    }

    /// Runs the housekeeping job once (due-date reminders, pruning), as the
    /// background jobs would at their interval.
    pub async fn run_housekeeping(&self) -> skillpath::app::Housekeeping {
        skillpath::app::housekeeping(&self.state).await
    }

    /// Creates an account straight in the database (arrangement, not the behaviour under test).
    pub async fn person(&self, email: &str, role: Role, manager: Option<i64>) -> Person {
        self.arrange(people::insert_person(
            &self.state.db,
            &self.state.auth.hasher,
            NewPerson {
                email: email.into(),
                name: email.split('@').next().unwrap().replace('.', " "),
                role: Some(role),
                manager_id: manager,
                password: Some(PASSWORD.into()),
                ..NewPerson::default()
            },
        ))
        .await
        .expect("create person")
    }

    pub async fn login(&self, email: &str) -> Value {
        self.login_with(email, PASSWORD).await.data()["login"].clone()
    }

    pub async fn login_with(&self, email: &str, password: &str) -> Gql {
        self.gql(
            None,
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken accessTokenExpiresAt user { id email role } } }",
            json!({"e": email, "p": password}),
        )
        .await
    }

    pub async fn token(&self, email: &str) -> String {
        self.login(email).await["accessToken"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// A small organisation: admin, HR, a manager with two reports (one of whom
/// manages a third person), and an outsider in another line.
pub struct Org {
    pub admin: Person,
    pub hr: Person,
    pub manager: Person,
    pub lead: Person,
    pub report: Person,
    pub indirect: Person,
    pub outsider: Person,
}

pub async fn org(app: &TestApp) -> Org {
    let admin = app.person("admin@example.com", Role::Admin, None).await;
    let hr = app.person("hr@example.com", Role::Hr, None).await;
    let manager = app.person("manager@example.com", Role::Manager, None).await;
    let lead = app
        .person("lead@example.com", Role::Manager, Some(manager.id))
        .await;
    let report = app
        .person("report@example.com", Role::Employee, Some(manager.id))
        .await;
    let indirect = app
        .person("indirect@example.com", Role::Employee, Some(lead.id))
        .await;
    let outsider = app
        .person("outsider@example.com", Role::Employee, None)
        .await;
    Org {
        admin,
        hr,
        manager,
        lead,
        report,
        indirect,
        outsider,
    }
}

/// The global id the API gives row `id` of GraphQL type `type_name`
/// (`gid("User", 42)`), to compare with an `id` an answer holds.
pub fn gid(type_name: &str, id: i64) -> String {
    let kind =
        NodeType::from_name(type_name).unwrap_or_else(|| panic!("{type_name} is not a Node type"));
    global_id::encode(kind, id).0
}

/// The database id inside an `ID` the API answered: a global id, or a bare
/// number for types that are not nodes. For arranging through the services
/// and for SQL checks.
pub trait DbId {
    fn db_id(&self) -> i64;
}

impl DbId for Value {
    fn db_id(&self) -> i64 {
        let text = self
            .as_str()
            .unwrap_or_else(|| panic!("expected an ID string, got {self}"));
        text.parse::<i64>()
            .ok()
            .or_else(|| global_id::decode(text).map(|(_, n)| n))
            .unwrap_or_else(|| panic!("{text} is neither a number nor a global id"))
    }
}
