//! Logging set-up, and the optional trace export (`otlp`). Request ids travel
//! in a task-local so an internal error's message can name the id an
//! operator will find in the log.

mod otlp;

use std::io::IsTerminal;

use tracing_subscriber::{EnvFilter, Layer as _, fmt, prelude::*};

use crate::config::{LogFormat, TraceExport};

tokio::task_local! {
    pub static REQUEST_ID: String;
}

/// The id of the request being served, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("trace export needs the Tokio runtime to be running")]
    NoRuntime,
    #[error("cannot build the trace export's HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
    #[error("cannot build the trace exporter: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
}

/// What `init` installed that must be stopped: the trace exporter, when on.
#[must_use = "call `shutdown` so the last spans are sent"]
pub struct Telemetry {
    traces: Option<otlp::Traces>,
}

impl Telemetry {
    /// Sends the spans still queued, within the export timeout. Call it
    /// after the server stopped, so the last requests' spans go too.
    pub async fn shutdown(self) {
        if let Some(traces) = self.traces {
            traces.shutdown().await;
        }
    }
}

/// Installs the global subscriber. `RUST_LOG` overrides the default filter;
/// it applies to exported spans too, so a span that is not logged is not
/// exported either. SQL statement logging stays at `warn` by default:
/// statements are safe (values are bound, never inlined) but noisy.
///
/// With `traces`, spans (the `request` span with its request id, operation
/// and caller, and its events) are also sent to an OTLP collector; without,
/// no exporter, thread or HTTP client exists.
pub fn init(format: LogFormat, traces: Option<&TraceExport>) -> Result<Telemetry, TelemetryError> {
    let (traces, otel_layer) = match traces {
        Some(export) => {
            let (traces, tracer) = otlp::Traces::start(export)?;
            let layer = tracing_opentelemetry::layer()
                .with_tracer(tracer)
                .with_filter(otlp::not_the_exporter_itself());
            (Some(traces), Some(layer))
        }
        None => (None, None),
    };
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    let registry = tracing_subscriber::registry().with(filter).with(otel_layer);
    let result = match format {
        // Colours only for a person at a terminal: a file, a pipe or a log
        // collector gets plain text.
        LogFormat::Text => registry
            .with(
                fmt::layer()
                    .with_target(false)
                    .with_ansi(std::io::stdout().is_terminal()),
            )
            .try_init(),
        LogFormat::Json => registry
            .with(fmt::layer().json().flatten_event(true))
            .try_init(),
    };
    // A second init (tests, embedding) keeps the first subscriber.
    let _ = result;
    if let Some(traces) = &traces {
        tracing::info!(
            endpoint = %traces.endpoint_for_logs(),
            protocol = ?traces.protocol(),
            "exporting traces over OTLP/HTTP"
        );
    }
    Ok(Telemetry { traces })
}
