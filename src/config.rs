//! Typed settings, layered: built-in defaults, then an optional `skillpath.toml`,
//! then the environment (`DATABASE_URL` and `SKILLPATH_*`, nested with `__`).
//! Trace export (`TraceExport`) reads the standard `OTEL_*` variables instead.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// A value that must never reach a log line: `Debug` prints a mask.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// The embedded default: conveniences such as a generated token secret.
    #[default]
    Development,
    /// Refuses weak settings: a token secret is required, hashing cost is fixed.
    Production,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Argon2id cost. The defaults are OWASP's recommendation (m = 19 MiB, t = 2, p = 1).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PasswordHashing {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl PasswordHashing {
    pub const OWASP: Self = Self {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };
    /// Cheap parameters for test suites only; refused in production.
    pub const FAST_FOR_TESTS: Self = Self {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };
}

impl Default for PasswordHashing {
    fn default() -> Self {
        Self::OWASP
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain SMTP: only for a relay on localhost or a test server.
    None,
    #[default]
    Starttls,
    /// Implicit TLS (SMTPS, usually port 465).
    Tls,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    /// When unset, mail is written as `.eml` files into `mail_dir`.
    pub host: Option<String>,
    pub port: Option<u16>,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub from: String,
}

/// Unknown keys are refused (in the file and as `SKILLPATH_*` variables): a
/// misspelt setting silently keeping its default is how production ends up
/// with development behaviour.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub database_url: String,
    pub listen: String,
    pub env: Environment,
    pub log_format: LogFormat,
    /// HS256 key for access tokens; at least 32 bytes.
    pub token_secret: Option<Secret>,
    pub access_token_minutes: i64,
    pub refresh_token_days: i64,
    pub password_hashing: PasswordHashing,
    pub admin_email: Option<String>,
    pub admin_password: Option<Secret>,
    pub admin_name: String,
    /// Base URL people reach the product at; links in emails start with it.
    pub public_url: String,
    pub smtp: SmtpSettings,
    /// Where `.eml` files go without SMTP; defaults to `mail/` beside the database.
    pub mail_dir: Option<PathBuf>,
    /// Load the shipped operations framework on first start.
    pub load_default_framework: bool,
    pub db_max_connections: u32,
    /// Days before expiry at which a certification reminder is queued; the
    /// smallest stage also tells the person's manager.
    pub certification_reminder_days: Vec<u32>,
    /// How often background jobs (reminders) run, in minutes.
    pub jobs_interval_minutes: u64,
    /// Days between check-ins on an agreed development plan: a reminder goes
    /// out when this many days passed since the last one (or the agreement).
    pub development_check_in_days: u32,
    /// How often the mail worker looks for due messages, in seconds.
    pub mail_poll_seconds: u64,
    /// First retry delay after a failed send, in seconds; doubles each time.
    pub mail_retry_seconds: u64,
    /// Run the background work (mail worker, reminder and clean-up jobs) in
    /// this process. Off for a process that should only serve requests, and
    /// in tests that drive the workers themselves.
    pub background_jobs: bool,
    /// Days before a cycle's self-assessment or review due date at which the
    /// people who still owe one are reminded.
    pub assessment_reminder_days: Vec<u32>,
    /// Origins a browser front end may call the API from (CORS). Empty (the
    /// default): no cross-origin access.
    pub cors_allowed_origins: Vec<String>,
    /// Where the links in emails point when a separate front end serves the
    /// invitation and reset pages; unset, they point at this server's own
    /// pages under `public_url`.
    pub frontend_url: Option<String>,
    /// Largest request body `/graphql` reads, in bytes; bigger ones get 413.
    /// Framework and CSV imports travel inside it.
    pub max_body_bytes: usize,
    /// Introspection (`__schema`, `__type`). Unset: on in development, off in production.
    pub introspection: Option<bool>,
    /// "Did you mean …?" in validation errors. Unset: on in development, off in production.
    pub field_suggestions: Option<bool>,
    /// GraphiQL at `/graphiql`. Unset: on in development, off in production.
    pub graphiql: Option<bool>,
    /// The largest import file accepted (upload or text), in bytes. A
    /// multipart request to `/graphql` (an upload) may be this large; every
    /// other body stays under `max_body_bytes`, so raising this never raises
    /// the limit for ordinary requests.
    pub import_max_bytes: usize,
    /// The most rows an import file may have.
    pub import_max_rows: usize,
    /// The key the audit trail's chain is computed with; at least 32 bytes.
    /// Unset: derived from the token secret (set it so the token secret can
    /// be rotated without re-keying the trail).
    pub audit_key: Option<Secret>,
    /// Days audit entries are kept; older ones are pruned by a job (itself
    /// audited). Unset: kept for ever.
    pub audit_retention_days: Option<u32>,
    /// The talent review's performance axis: KPI scores from the first
    /// number are medium, from the second high.
    pub talent_performance_cuts: [f64; 2],
    /// The talent review's potential axis: readiness from the first number
    /// is medium, from the second high.
    pub talent_potential_cuts: [f64; 2],
}

/// 2 MiB: the shipped framework as YAML is 150 KB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The `public_url` default: links in emails pointing at it reach nobody.
const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: "sqlite://skillpath.db?mode=rwc".into(),
            listen: "127.0.0.1:8080".into(),
            env: Environment::Development,
            log_format: LogFormat::Text,
            token_secret: None,
            access_token_minutes: 15,
            refresh_token_days: 30,
            password_hashing: PasswordHashing::OWASP,
            admin_email: None,
            admin_password: None,
            admin_name: "Administrator".into(),
            public_url: DEFAULT_PUBLIC_URL.into(),
            smtp: SmtpSettings {
                from: "Skillpath <no-reply@skillpath.local>".into(),
                ..SmtpSettings::default()
            },
            mail_dir: None,
            load_default_framework: true,
            db_max_connections: 10,
            certification_reminder_days: vec![60, 30, 7],
            jobs_interval_minutes: 60,
            development_check_in_days: 30,
            mail_poll_seconds: 5,
            mail_retry_seconds: 30,
            background_jobs: true,
            assessment_reminder_days: vec![3, 1],
            cors_allowed_origins: Vec::new(),
            frontend_url: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            introspection: None,
            field_suggestions: None,
            graphiql: None,
            import_max_bytes: 20 * 1024 * 1024,
            import_max_rows: 50_000,
            audit_key: None,
            // Five years: long enough for promotion and pay disputes, short
            // enough that the trail does not become a second HR archive.
            audit_retention_days: Some(5 * 365),
            // 100 is every target met; 80 most of the way there.
            talent_performance_cuts: [80.0, 100.0],
            talent_potential_cuts: [50.0, 80.0],
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid configuration: {0}")]
    Invalid(String),
    #[error(transparent)]
    Figment(#[from] Box<figment::Error>),
}

impl Settings {
    /// Defaults, then `skillpath.toml` in the working directory (optional) or
    /// the file `SKILLPATH_CONFIG` names (required to exist), then the
    /// environment. Unknown keys in either are refused, naming them.
    pub fn load() -> Result<Self, ConfigError> {
        let file = match std::env::var("SKILLPATH_CONFIG") {
            Ok(named) => {
                if !Path::new(&named).is_file() {
                    return Err(ConfigError::Invalid(format!(
                        "SKILLPATH_CONFIG names {named:?}, which is not a readable file"
                    )));
                }
                Some(named)
            }
            Err(_) => Some("skillpath.toml".to_owned()).filter(|f| Path::new(f).is_file()),
        };
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        let settings: Settings = figment
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .merge(Env::prefixed("SKILLPATH_").ignore(&["CONFIG"]).split("__"))
            .extract()
            .map_err(Box::new)?;
        settings.validate()?;
        Ok(settings)
    }

    fn in_production(&self) -> bool {
        self.env == Environment::Production
    }

    pub fn introspection_enabled(&self) -> bool {
        self.introspection.unwrap_or(!self.in_production())
    }

    pub fn field_suggestions_enabled(&self) -> bool {
        self.field_suggestions.unwrap_or(!self.in_production())
    }

    pub fn graphiql_enabled(&self) -> bool {
        self.graphiql.unwrap_or(!self.in_production())
    }

    /// Settings that work but are probably a mistake in production; logged
    /// as warnings at start-up.
    /// The base of the links in emails: the front end when one is
    /// configured, else this server (which serves the pages itself).
    pub fn links_base(&self) -> &str {
        self.frontend_url
            .as_deref()
            .unwrap_or(&self.public_url)
            .trim_end_matches('/')
    }

    /// In development, a public URL left at its default follows the address
    /// actually served on (a newcomer on another port still gets links that
    /// open); in production it is what the operator set.
    pub fn with_public_url_for(mut self, served_on: std::net::SocketAddr) -> Self {
        if self.env == Environment::Development
            && self.public_url.trim_end_matches('/') == DEFAULT_PUBLIC_URL
        {
            self.public_url = format!("http://{served_on}");
        }
        self
    }

    pub fn production_warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if !self.in_production() {
            return warnings;
        }
        if self.public_url.trim_end_matches('/') == DEFAULT_PUBLIC_URL {
            warnings.push(format!(
                "SKILLPATH_PUBLIC_URL is the default {DEFAULT_PUBLIC_URL}: links in emails will not reach anyone"
            ));
        }
        if self.smtp.host.is_none() {
            warnings.push(format!(
                "no SMTP host (SKILLPATH_SMTP__HOST) in production: mail is only written to {}",
                self.mail_dir().display()
            ));
        }
        warnings
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(secret) = &self.token_secret
            && secret.expose().len() < 32
        {
            return Err(ConfigError::Invalid(
                "SKILLPATH_TOKEN_SECRET must be at least 32 bytes".into(),
            ));
        }
        if let Some(key) = &self.audit_key
            && key.expose().len() < 32
        {
            return Err(ConfigError::Invalid(
                "SKILLPATH_AUDIT_KEY must be at least 32 bytes".into(),
            ));
        }
        for (name, [medium, high]) in [
            (
                "SKILLPATH_TALENT_PERFORMANCE_CUTS",
                self.talent_performance_cuts,
            ),
            (
                "SKILLPATH_TALENT_POTENTIAL_CUTS",
                self.talent_potential_cuts,
            ),
        ] {
            if !(medium.is_finite() && high.is_finite() && medium < high) {
                return Err(ConfigError::Invalid(format!(
                    "{name} must be two increasing numbers, e.g. [80, 100]"
                )));
            }
        }
        if self.audit_retention_days == Some(0) {
            return Err(ConfigError::Invalid(
                "SKILLPATH_AUDIT_RETENTION_DAYS must be at least 1 (unset keeps entries for ever)"
                    .into(),
            ));
        }
        if self.env == Environment::Production {
            if self.token_secret.is_none() {
                return Err(ConfigError::Invalid(
                    "SKILLPATH_TOKEN_SECRET is required in production".into(),
                ));
            }
            if self.password_hashing != PasswordHashing::OWASP {
                return Err(ConfigError::Invalid(
                    "password hashing cost can only be changed outside production".into(),
                ));
            }
        }
        if !(1..=24 * 60).contains(&self.access_token_minutes) {
            return Err(ConfigError::Invalid(
                "access_token_minutes must be between 1 and 1440".into(),
            ));
        }
        if self.jobs_interval_minutes == 0 {
            return Err(ConfigError::Invalid(
                "jobs_interval_minutes must be at least 1".into(),
            ));
        }
        if !(1..=366).contains(&self.development_check_in_days) {
            return Err(ConfigError::Invalid(
                "development_check_in_days must be between 1 and 366".into(),
            ));
        }
        if self.max_body_bytes < 1024 {
            return Err(ConfigError::Invalid(
                "max_body_bytes must be at least 1024".into(),
            ));
        }
        if self.admin_email.is_some() != self.admin_password.is_some() {
            return Err(ConfigError::Invalid(
                "SKILLPATH_ADMIN_EMAIL and SKILLPATH_ADMIN_PASSWORD go together".into(),
            ));
        }
        Ok(())
    }

    /// The folder the embedded mode keeps its files in: the SQLite file's folder,
    /// or the working directory for a server database.
    pub fn data_dir(&self) -> PathBuf {
        sqlite_file(&self.database_url)
            .and_then(|file| file.parent().map(Path::to_path_buf))
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."))
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.mail_dir
            .clone()
            .unwrap_or_else(|| self.data_dir().join("mail"))
    }
}

/// Trace export over OTLP/HTTP, off unless an endpoint is set.
///
/// Read from the standard OpenTelemetry variables, not from `SKILLPATH_*`
/// settings: they are what collector guides, the Kubernetes operator and the
/// SDKs of the services beside this one already set, and a second name for
/// the same endpoint would let two values disagree. Headers
/// (`OTEL_EXPORTER_OTLP_HEADERS`, often an API key), `OTEL_SERVICE_NAME`,
/// `OTEL_RESOURCE_ATTRIBUTES` and the batch variables (`OTEL_BSP_*`) are read
/// by the OpenTelemetry SDK itself and never pass through here.
#[derive(Clone, PartialEq, Eq)]
pub struct TraceExport {
    /// Where batches are POSTed: the traces variable as given, or the general
    /// endpoint with `/v1/traces` appended (the OTLP rule for the two).
    endpoint: String,
    pub protocol: OtlpProtocol,
    /// How long one export may take, retries included; also the bound on
    /// the last flush at shutdown.
    pub timeout: Duration,
}

/// OTLP over HTTP only: gRPC would bring tonic and a second HTTP/2 stack
/// for one feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtlpProtocol {
    /// `http/protobuf`, the OTLP default.
    Protobuf,
    /// `http/json`.
    Json,
}

/// The OTLP default export timeout.
const OTLP_TIMEOUT_DEFAULT: Duration = Duration::from_secs(10);

impl TraceExport {
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// `var` looks a variable up (the environment, or a table in tests).
    /// Error messages name the variable, never its value: an endpoint may
    /// carry credentials.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, ConfigError> {
        let var = |name: &str| {
            var(name)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        // The two switches every OpenTelemetry SDK honours.
        if var("OTEL_SDK_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return Ok(None);
        }
        match var("OTEL_TRACES_EXPORTER").as_deref() {
            None | Some("otlp") => {}
            Some("none") => return Ok(None),
            Some(_) => {
                return Err(ConfigError::Invalid(
                    "OTEL_TRACES_EXPORTER: Skillpath exports traces with `otlp` (or `none`) only"
                        .into(),
                ));
            }
        }
        let endpoint = if let Some(url) = var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            checked_endpoint(url, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")?
        } else if let Some(base) = var("OTEL_EXPORTER_OTLP_ENDPOINT") {
            let url = format!("{}/v1/traces", base.trim_end_matches('/'));
            checked_endpoint(url, "OTEL_EXPORTER_OTLP_ENDPOINT")?
        } else {
            return Ok(None);
        };
        let protocol_var = [
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            "OTEL_EXPORTER_OTLP_PROTOCOL",
        ]
        .into_iter()
        .find_map(|name| var(name).map(|value| (name, value)));
        let protocol = match protocol_var {
            None => OtlpProtocol::Protobuf,
            Some((_, value)) if value == "http/protobuf" => OtlpProtocol::Protobuf,
            Some((_, value)) if value == "http/json" => OtlpProtocol::Json,
            Some((name, value)) if value == "grpc" => {
                return Err(ConfigError::Invalid(format!(
                    "{name}=grpc: Skillpath speaks OTLP over HTTP only; use `http/protobuf` or \
                     `http/json` and the collector's HTTP port (usually 4318)"
                )));
            }
            Some((name, _)) => {
                return Err(ConfigError::Invalid(format!(
                    "{name} must be `http/protobuf` or `http/json`"
                )));
            }
        };
        let timeout_var = [
            "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
            "OTEL_EXPORTER_OTLP_TIMEOUT",
        ]
        .into_iter()
        .find_map(|name| var(name).map(|value| (name, value)));
        let timeout = match timeout_var {
            None => OTLP_TIMEOUT_DEFAULT,
            Some((name, value)) => match value.parse::<u64>() {
                Ok(ms) if ms > 0 => Duration::from_millis(ms),
                _ => {
                    return Err(ConfigError::Invalid(format!(
                        "{name} must be a number of milliseconds above 0"
                    )));
                }
            },
        };
        Ok(Some(Self {
            endpoint,
            protocol,
            timeout,
        }))
    }

    /// The URL spans are POSTed to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The endpoint without user info or query string, for log lines.
    pub fn endpoint_for_logs(&self) -> String {
        match self.endpoint.parse::<http::Uri>() {
            Ok(uri) => format!(
                "{}://{}{}{}",
                uri.scheme_str().unwrap_or("http"),
                uri.host().unwrap_or_default(),
                uri.port_u16().map(|p| format!(":{p}")).unwrap_or_default(),
                uri.path()
            ),
            Err(_) => "(unparsable endpoint)".into(),
        }
    }
}

impl fmt::Debug for TraceExport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TraceExport")
            .field("endpoint", &self.endpoint_for_logs())
            .field("protocol", &self.protocol)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// An absolute `http` or `https` URL with a host.
fn checked_endpoint(url: String, name: &str) -> Result<String, ConfigError> {
    let invalid = || ConfigError::Invalid(format!("{name} must be an http:// or https:// URL"));
    let uri = url.parse::<http::Uri>().map_err(|_| invalid())?;
    let http_scheme = matches!(uri.scheme_str(), Some("http" | "https"));
    if !http_scheme || uri.host().is_none_or(str::is_empty) {
        return Err(invalid());
    }
    Ok(url)
}

/// The file behind a `sqlite://` URL, if it names one.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    Some(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file("sqlite://skillpath.db?mode=rwc"),
            Some(PathBuf::from("skillpath.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:///var/lib/sp/x.db"),
            Some(PathBuf::from("/var/lib/sp/x.db"))
        );
        assert_eq!(sqlite_file("postgres://localhost/x"), None);
    }

    #[test]
    fn production_needs_a_secret_and_full_hashing_cost() {
        let mut settings = Settings {
            env: Environment::Production,
            ..Settings::default()
        };
        assert!(settings.validate().is_err());
        settings.token_secret = Some(Secret::new("x".repeat(32)));
        assert!(settings.validate().is_ok());
        settings.password_hashing = PasswordHashing::FAST_FOR_TESTS;
        assert!(settings.validate().is_err());
    }

    #[test]
    fn production_hides_introspection_suggestions_and_graphiql_unless_asked() {
        let development = Settings::default();
        assert!(development.introspection_enabled());
        assert!(development.field_suggestions_enabled());
        assert!(development.graphiql_enabled());
        assert!(development.production_warnings().is_empty());
        let mut production = Settings {
            env: Environment::Production,
            ..Settings::default()
        };
        assert!(!production.introspection_enabled());
        assert!(!production.field_suggestions_enabled());
        assert!(!production.graphiql_enabled());
        production.introspection = Some(true);
        assert!(production.introspection_enabled());
        let warnings = production.production_warnings();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("SKILLPATH_PUBLIC_URL"));
        assert!(warnings[1].contains("SMTP"));
        production.public_url = "https://skillpath.example.com".into();
        production.smtp.host = Some("smtp.example.com".into());
        assert!(production.production_warnings().is_empty());
    }

    #[test]
    fn secrets_do_not_print() {
        let settings = Settings {
            admin_password: Some(Secret::new("hunter2-hunter2")),
            admin_email: Some("a@b.c".into()),
            ..Settings::default()
        };
        assert!(!format!("{settings:?}").contains("hunter2"));
    }

    fn trace_export(vars: &[(&str, &str)]) -> Result<Option<TraceExport>, ConfigError> {
        TraceExport::from_vars(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn trace_export_is_off_without_an_endpoint_or_when_switched_off() {
        assert_eq!(trace_export(&[]).unwrap(), None);
        assert_eq!(
            trace_export(&[("OTEL_EXPORTER_OTLP_ENDPOINT", " ")]).unwrap(),
            None
        );
        let endpoint = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318");
        assert_eq!(
            trace_export(&[endpoint, ("OTEL_SDK_DISABLED", "true")]).unwrap(),
            None
        );
        assert_eq!(
            trace_export(&[endpoint, ("OTEL_TRACES_EXPORTER", "none")]).unwrap(),
            None
        );
        assert!(trace_export(&[endpoint, ("OTEL_TRACES_EXPORTER", "zipkin")]).is_err());
    }

    #[test]
    fn trace_endpoints_follow_the_otlp_rules() {
        let general = trace_export(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")])
            .unwrap()
            .unwrap();
        assert_eq!(general.endpoint(), "http://collector:4318/v1/traces");
        assert_eq!(general.protocol, OtlpProtocol::Protobuf);
        assert_eq!(general.timeout, Duration::from_secs(10));
        // The traces variable is used as given and wins over the general one.
        let specific = trace_export(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "https://otlp.example.com/traces",
            ),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(specific.endpoint(), "https://otlp.example.com/traces");
        assert_eq!(specific.protocol, OtlpProtocol::Json);
        assert_eq!(specific.timeout, Duration::from_millis(2500));
    }

    #[test]
    fn trace_export_refuses_what_it_cannot_do_without_echoing_values() {
        let endpoint = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318");
        let grpc = trace_export(&[endpoint, ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")])
            .unwrap_err()
            .to_string();
        assert!(
            grpc.contains("OTEL_EXPORTER_OTLP_PROTOCOL") && grpc.contains("4318"),
            "{grpc}"
        );
        assert!(trace_export(&[endpoint, ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon")]).is_err());
        for bad in ["collector:4318", "ftp://collector", "http://"] {
            let err = trace_export(&[("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", bad)])
                .unwrap_err()
                .to_string();
            assert!(err.contains("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), "{err}");
        }
        let leaky = "https://user:s3cret@collector?token=s3cret";
        let err = trace_export(&[("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ht tp://s3cret")])
            .unwrap_err()
            .to_string();
        assert!(!err.contains("s3cret"), "{err}");
        let export = trace_export(&[("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", leaky)])
            .unwrap()
            .unwrap();
        assert_eq!(export.endpoint_for_logs(), "https://collector/");
        assert!(!format!("{export:?}").contains("s3cret"));
    }
}
