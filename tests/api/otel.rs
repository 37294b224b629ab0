//! Trace export: the real binary, told where a collector is by the standard
//! OpenTelemetry variables, sends its request spans there; a collector that
//! never answers costs requests nothing and is reported once.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Data;
use poem::{EndpointExt, Request, Response, Route, handler, post};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

use crate::helpers::PASSWORD;

/// What a test collector was sent: one entry per POST to `/v1/traces`.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<Export>>>);

#[derive(Clone)]
struct Export {
    content_type: String,
    body: Vec<u8>,
}

impl Received {
    fn push(&self, export: Export) {
        self.0.lock().unwrap().push(export);
    }

    fn all(&self) -> Vec<Export> {
        self.0.lock().unwrap().clone()
    }
}

/// Answers as an OTLP/HTTP collector does: 200 with an empty
/// `ExportTraceServiceResponse` in the request's encoding.
#[handler]
fn accept_traces(req: &Request, body: Vec<u8>, received: Data<&Received>) -> Response {
    let content_type = req.content_type().unwrap_or_default().to_owned();
    let json = content_type.starts_with("application/json");
    received.push(Export { content_type, body });
    if json {
        Response::builder()
            .content_type("application/json")
            .body("{}")
    } else {
        Response::builder()
            .content_type("application/x-protobuf")
            .body(Vec::new())
    }
}

/// A collector on 127.0.0.1; returns its base URL (what
/// `OTEL_EXPORTER_OTLP_ENDPOINT` takes) and what it receives.
async fn collector() -> (String, Received) {
    let received = Received::default();
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let addr = *acceptor.local_addr()[0].as_socket_addr().unwrap();
    let app = Route::new()
        .at("/v1/traces", post(accept_traces))
        .data(received.clone());
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
    (format!("http://{addr}"), received)
}

/// A collector that accepts connections and never answers.
async fn silent_collector() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("http://{addr}")
}

struct Server {
    child: tokio::process::Child,
    base: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Server {
    /// `skillpath serve` with a fresh database, a bootstrap admin, and no
    /// OpenTelemetry variable from the test's own environment.
    async fn start(envs: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_skillpath"));
        for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("OTEL_")) {
            command.env_remove(name);
        }
        let child = command
            .arg("serve")
            .current_dir(dir.path())
            .env(
                "DATABASE_URL",
                format!("sqlite://{}?mode=rwc", dir.path().join("sp.db").display()),
            )
            .env("SKILLPATH_LISTEN", format!("127.0.0.1:{port}"))
            .env("SKILLPATH_ADMIN_EMAIL", "root@example.com")
            .env("SKILLPATH_ADMIN_PASSWORD", PASSWORD)
            .env("SKILLPATH_PASSWORD_HASHING__MEMORY_KIB", "64")
            .env("SKILLPATH_PASSWORD_HASHING__ITERATIONS", "1")
            .env("SKILLPATH_BACKGROUND_JOBS", "false")
            .env("RUST_LOG", "info")
            .env_remove("TEST_DATABASE_URL")
            .env_remove("SKILLPATH_CONFIG")
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start skillpath");
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
            _dir: dir,
        };
        for _ in 0..200 {
            if server
                .http
                .get(format!("{}/livez", server.base))
                .send()
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("server did not start");
    }

    async fn login(&self) -> String {
        let body: Value = self
            .http
            .post(format!("{}/graphql", self.base))
            .json(&json!({
                "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
                "variables": {"e": "root@example.com", "p": PASSWORD},
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["data"]["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("no token: {body}"))
            .to_owned()
    }

    /// `query Probe`, under a request id of the test's choosing; returns
    /// how long the answer took.
    async fn probe(&self, request_id: &str, token: Option<&str>) -> Duration {
        let started = Instant::now();
        let mut req = self
            .http
            .post(format!("{}/graphql", self.base))
            .header("content-type", "application/json")
            .header("x-request-id", request_id)
            .body(r#"{"query": "query Probe { __typename }"}"#);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["x-request-id"], request_id);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["data"]["__typename"], "Query", "{body}");
        started.elapsed()
    }

    /// SIGTERM, a graceful exit within `within`, and everything logged.
    async fn stop(mut self, within: Duration) -> String {
        let pid = self.child.id().unwrap();
        std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        let status = tokio::time::timeout(within, self.child.wait())
            .await
            .expect("graceful shutdown in time")
            .unwrap();
        let mut logs = String::new();
        for mut pipe in [
            Box::new(self.child.stdout.take().unwrap()) as Box<dyn tokio::io::AsyncRead + Unpin>,
            Box::new(self.child.stderr.take().unwrap()),
        ] {
            pipe.read_to_string(&mut logs).await.unwrap();
        }
        assert!(status.success(), "exit status {status}:\n{logs}");
        logs
    }
}

/// The spans in an OTLP/JSON export, each with its resource's attributes.
fn json_spans(export: &Export) -> Vec<(Value, Value)> {
    let body: Value = serde_json::from_slice(&export.body).expect("OTLP/JSON body");
    let mut spans = Vec::new();
    for resource_spans in body["resourceSpans"].as_array().into_iter().flatten() {
        let resource = resource_spans["resource"]["attributes"].clone();
        for scope in resource_spans["scopeSpans"]
            .as_array()
            .into_iter()
            .flatten()
        {
            for span in scope["spans"].as_array().into_iter().flatten() {
                spans.push((resource.clone(), span.clone()));
            }
        }
    }
    spans
}

/// An attribute's value as text, whatever its OTLP/JSON type.
fn attribute(attributes: &Value, key: &str) -> Option<String> {
    let value = &attributes.as_array()?.iter().find(|a| a["key"] == key)?["value"];
    let (_, inner) = value.as_object()?.iter().next()?;
    Some(match inner {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

#[tokio::test]
async fn request_spans_reach_the_collector_when_the_server_stops() {
    let (endpoint, received) = collector().await;
    // A batch delay far beyond the test: whatever arrives was sent by the
    // flush at shutdown.
    let server = Server::start(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
        ("OTEL_BSP_SCHEDULE_DELAY", "600000"),
    ])
    .await;
    let token = server.login().await;
    server.probe("otel-probe-1", Some(&token)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(received.all().is_empty(), "exported before the batch delay");

    let logs = server.stop(Duration::from_secs(20)).await;
    let exports = received.all();
    assert!(
        !exports.is_empty(),
        "nothing reached the collector:\n{logs}"
    );
    assert!(
        exports
            .iter()
            .all(|e| e.content_type.starts_with("application/json"))
    );
    let spans: Vec<_> = exports.iter().flat_map(json_spans).collect();
    let (resource, probe) = spans
        .iter()
        .find(|(_, span)| {
            span["name"] == "request"
                && attribute(&span["attributes"], "operation").as_deref() == Some("Probe")
        })
        .unwrap_or_else(|| panic!("no span of operation Probe in {spans:#?}"));
    assert_eq!(
        attribute(&probe["attributes"], "request_id").as_deref(),
        Some("otel-probe-1")
    );
    // The bootstrap admin is the first user.
    assert_eq!(
        attribute(&probe["attributes"], "caller")
            .as_deref()
            .map(|c| c.trim_matches('"')),
        Some("1")
    );
    assert!(!probe["traceId"].as_str().unwrap_or_default().is_empty());
    // The request's log line travels as an event of its span.
    assert!(
        probe["events"]
            .as_array()
            .is_some_and(|events| events.iter().any(|e| e["name"] == "request")),
        "{probe:#}"
    );
    assert_eq!(
        attribute(resource, "service.name").as_deref(),
        Some("skillpath")
    );
    // Neither the password nor the token is exported.
    for export in &exports {
        let text = String::from_utf8_lossy(&export.body);
        assert!(!text.contains(PASSWORD) && !text.contains(&token));
    }
    assert!(logs.contains("exporting traces over OTLP/HTTP"), "{logs}");
}

#[tokio::test]
async fn spans_are_sent_in_batches_while_serving_as_protobuf_by_default() {
    let (endpoint, received) = collector().await;
    let server = Server::start(&[
        // The traces variable is the full URL, used as given.
        (
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            &format!("{endpoint}/v1/traces"),
        ),
        ("OTEL_SERVICE_NAME", "skillpath-eu"),
        ("OTEL_BSP_SCHEDULE_DELAY", "200"),
    ])
    .await;
    server.probe("otel-probe-2", None).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let export = loop {
        let found = received.all().into_iter().find(|e| {
            let body = String::from_utf8_lossy(&e.body);
            body.contains("Probe") && body.contains("otel-probe-2")
        });
        if let Some(export) = found {
            break export;
        }
        assert!(Instant::now() < deadline, "no batch while serving");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Protobuf stores strings as they are: the operation, the request id
    // and the service name appear in the bytes.
    assert_eq!(export.content_type, "application/x-protobuf");
    assert!(String::from_utf8_lossy(&export.body).contains("skillpath-eu"));
    server.stop(Duration::from_secs(20)).await;
}

#[tokio::test]
async fn a_collector_that_never_answers_costs_requests_nothing_and_is_reported_once() {
    let endpoint = silent_collector()
        .await
        .replace("http://", "http://exporter:s3cret-in-url@");
    let server = Server::start(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
        (
            "OTEL_EXPORTER_OTLP_HEADERS",
            "authorization=Bearer s3cret-header",
        ),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "3000"),
        ("OTEL_BSP_SCHEDULE_DELAY", "100"),
    ])
    .await;
    // Each export hangs for the 3 s timeout, so over these 7 s two batches
    // fail (and a third at shutdown); requests meanwhile answer at their
    // usual speed.
    for i in 0..12 {
        let took = server.probe(&format!("otel-silent-{i}"), None).await;
        assert!(took < Duration::from_secs(2), "request {i} took {took:?}");
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    // The last flush is bounded too: the process still stops promptly.
    let logs = server.stop(Duration::from_secs(15)).await;
    let failures = logs
        .lines()
        .filter(|l| l.contains("trace export failed"))
        .count();
    assert_eq!(failures, 1, "{logs}");
    assert!(
        !logs.contains("s3cret"),
        "a secret reached the log:\n{logs}"
    );
}
