//! Trace export over OTLP/HTTP: the SDK's batch processor collects ended
//! spans on a thread of its own and POSTs them to the collector; a request
//! only ever pushes its span onto a bounded queue (full: the span is dropped),
//! so a slow or unreachable collector costs requests nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{WithExportConfig as _, WithHttpConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider, SpanData, SpanExporter};
use tracing_subscriber::filter::{LevelFilter, Targets};

use super::TelemetryError;
use crate::config::{OtlpProtocol, TraceExport};

/// The service name when neither `OTEL_SERVICE_NAME` nor a `service.name`
/// in `OTEL_RESOURCE_ATTRIBUTES` gives one.
const SERVICE_NAME: &str = "skillpath";

/// A collector's answer is a few bytes; anything this large is not one.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

pub(super) struct Traces {
    provider: SdkTracerProvider,
    export: TraceExport,
}

impl Traces {
    pub(super) fn start(export: &TraceExport) -> Result<(Self, SdkTracer), TelemetryError> {
        let runtime =
            tokio::runtime::Handle::try_current().map_err(|_| TelemetryError::NoRuntime)?;
        let http = reqwest::Client::builder()
            .timeout(export.timeout)
            .build()
            .map_err(TelemetryError::HttpClient)?;
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(export.endpoint())
            .with_protocol(match export.protocol {
                OtlpProtocol::Protobuf => opentelemetry_otlp::Protocol::HttpBinary,
                OtlpProtocol::Json => opentelemetry_otlp::Protocol::HttpJson,
            })
            .with_timeout(export.timeout)
            .with_http_client(RuntimeClient { http, runtime })
            .build()?;
        // Batch delay, queue and batch sizes come from `OTEL_BSP_*`.
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(ReportingExporter::new(exporter))
            .with_resource(resource())
            .build();
        let tracer = provider.tracer("skillpath");
        Ok((
            Self {
                provider,
                export: export.clone(),
            },
            tracer,
        ))
    }

    pub(super) fn endpoint_for_logs(&self) -> String {
        self.export.endpoint_for_logs()
    }

    pub(super) fn protocol(&self) -> OtlpProtocol {
        self.export.protocol
    }

    /// Exports what is queued and stops the batch thread, giving up after
    /// the export timeout and a second: a dead collector must not hold up a
    /// shutdown. The SDK
    /// blocks while it waits, so it waits off the async threads (which the
    /// export's own HTTP request needs).
    pub(super) async fn shutdown(self) {
        let provider = self.provider;
        let within = self.export.timeout + Duration::from_secs(1);
        match tokio::task::spawn_blocking(move || provider.shutdown_with_timeout(within)).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "could not send the last spans before stopping")
            }
            Err(err) => tracing::warn!(error = %err, "trace export shutdown failed"),
        }
    }
}

/// `skillpath` (or the operator's name for it), its version, and whatever
/// `OTEL_RESOURCE_ATTRIBUTES` adds.
fn resource() -> Resource {
    let detected = Resource::builder().build();
    let named_by_operator = detected
        .get(&opentelemetry::Key::new("service.name"))
        .is_some_and(|name| !name.as_str().starts_with("unknown_service"));
    let builder = if named_by_operator {
        Resource::builder()
    } else {
        Resource::builder().with_service_name(SERVICE_NAME)
    };
    builder
        .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Spans of the exporter's own HTTP stack (visible with `RUST_LOG=trace`)
/// would be exported by the very requests that export them, without end.
pub(super) fn not_the_exporter_itself() -> Targets {
    Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_targets(
            ["hyper", "h2", "reqwest", "rustls", "tower", "opentelemetry"]
                .map(|target| (target, LevelFilter::OFF)),
        )
}

/// Logs a failing export once, and once more when it works again: with a
/// collector down, every batch fails, and a line per batch would bury the
/// log. The SDK's error text carries no endpoint, header or body.
#[derive(Debug)]
struct ReportingExporter<E> {
    inner: E,
    failing: AtomicBool,
}

impl<E> ReportingExporter<E> {
    fn new(inner: E) -> Self {
        Self {
            inner,
            failing: AtomicBool::new(false),
        }
    }
}

impl<E: SpanExporter> SpanExporter for ReportingExporter<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let spans = batch.len();
        let result = self.inner.export(batch).await;
        match &result {
            Err(err) if !self.failing.swap(true, Ordering::Relaxed) => tracing::warn!(
                error = %err,
                spans,
                "trace export failed: these spans are lost; further failures are not \
                 logged until an export succeeds"
            ),
            Ok(()) if self.failing.swap(false, Ordering::Relaxed) => {
                tracing::info!("trace export works again")
            }
            _ => {}
        }
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn shutdown(&self) -> OTelSdkResult {
        self.inner.shutdown()
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// reqwest on the server's Tokio runtime. The batch processor runs exports
/// on its own thread under a plain executor, where reqwest (which needs
/// Tokio's reactor) cannot run: each request is spawned onto the runtime and
/// awaited from there.
#[derive(Debug)]
struct RuntimeClient {
    http: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait::async_trait]
impl HttpClient for RuntimeClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let request = reqwest::Request::try_from(request).map_err(reqwest::Error::without_url)?;
        let http = self.http.clone();
        let sent = self.runtime.spawn(async move {
            let mut response = http.execute(request).await?;
            let status = response.status();
            let headers = std::mem::take(response.headers_mut());
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await? {
                if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                    return Ok(Err("the collector's answer is too large"));
                }
                body.extend_from_slice(&chunk);
            }
            Ok::<_, reqwest::Error>(Ok((status, headers, body)))
        });
        // Errors without the URL: it may carry credentials.
        let (status, headers, body) = sent.await?.map_err(reqwest::Error::without_url)??;
        let mut response = Response::builder().status(status).body(Bytes::from(body))?;
        *response.headers_mut() = headers;
        Ok(response)
    }
}
