//! The outbox worker: claims due messages with a lease (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL; SQLite's single writer serialises claims), renders
//! and sends them, and records the outcome. Two server processes draining one
//! outbox never claim the same row while its lease runs, so each message goes
//! out once. A failure is retried with exponential backoff, up to a limit.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, FromQueryResult, Value};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::templates::{MessageKind, Templates};
use crate::auth::Locale;
use crate::config::{Settings, SmtpSecurity};
use crate::db::{self, entities::email_outbox};
use crate::error::Result;

/// How long a worker may hold a claimed batch before others may take it:
/// as long as a whole batch can take (BATCH × SEND_TIMEOUT) plus a margin,
/// so a message is not claimed again while it is still being sent. A worker
/// that stops gives its claims back at once (see `spawn`); the lease only
/// matters for a process that died without stopping.
const BATCH: i64 = 5;
const SEND_TIMEOUT: Duration = Duration::from_secs(20);
const LEASE: Duration = Duration::from_secs(SEND_TIMEOUT.as_secs() * BATCH as u64 + 30);
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// The embedded default: each message as an `.eml` file in a folder.
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

impl Transport {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let smtp = &settings.smtp;
        let Some(host) = smtp.host.as_deref() else {
            let dir = settings.mail_dir();
            std::fs::create_dir_all(&dir)?;
            return Ok(Transport::Files(AsyncFileTransport::new(&dir), dir));
        };
        let builder = match smtp.security {
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                .port(smtp.port.unwrap_or(25)),
            SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?
                .port(smtp.port.unwrap_or(587)),
            SmtpSecurity::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(host)?.port(smtp.port.unwrap_or(465))
            }
        };
        let builder = match (&smtp.username, &smtp.password) {
            (Some(user), Some(password)) => {
                builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()))
            }
            _ => builder,
        };
        Ok(Transport::Smtp(builder.timeout(Some(SEND_TIMEOUT)).build()))
    }

    async fn send(&self, message: Message) -> std::result::Result<(), String> {
        match self {
            Transport::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Files(t, _) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

pub struct MailWorker {
    pub db: DatabaseConnection,
    pub transport: Transport,
    pub templates: Arc<Templates>,
    pub public_url: String,
    /// Where the links in the mails point (the front end, or this server).
    pub links_base: String,
    pub from: Mailbox,
    /// Identifies this process's claims.
    pub worker_id: String,
    /// First retry delay; doubles with each failed attempt.
    pub retry_base: Duration,
    pub max_attempts: i32,
}

impl MailWorker {
    pub fn from_settings(db: DatabaseConnection, settings: &Settings) -> anyhow::Result<Self> {
        Ok(Self {
            transport: Transport::from_settings(settings)?,
            templates: Arc::new(Templates::new()),
            public_url: settings.public_url.trim_end_matches('/').to_owned(),
            links_base: settings.links_base().to_owned(),
            from: settings
                .smtp
                .from
                .parse()
                .map_err(|e| anyhow::anyhow!("SKILLPATH_SMTP__FROM: {e}"))?,
            worker_id: uuid::Uuid::new_v4().to_string(),
            retry_base: Duration::from_secs(settings.mail_retry_seconds.max(1)),
            max_attempts: 8,
            db,
        })
    }

    /// Claims a batch of due messages for this worker.
    async fn claim(&self) -> Result<Vec<email_outbox::Model>> {
        // Leases and retry delays are real time (see `clock`): another
        // replica must be able to take over a claim when it lapses.
        let now = Utc::now();
        let until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
        let backend = self.db.get_database_backend();
        // Rows leased by a worker that died are claimable again once the lease ends.
        let lock = if backend == DatabaseBackend::Postgres {
            "FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE email_outbox SET claimed_by = $1, claimed_until = $2 \
             WHERE id IN (SELECT id FROM email_outbox WHERE status = 'PENDING' AND next_attempt_at <= $3 \
               AND (claimed_until IS NULL OR claimed_until < $3) ORDER BY id LIMIT $4 {lock}) \
             RETURNING *"
        );
        let values: [Value; 4] = [
            self.worker_id.clone().into(),
            until.into(),
            now.into(),
            BATCH.into(),
        ];
        let txn = db::begin_write(&self.db).await?;
        let rows = email_outbox::Model::find_by_statement(db::statement(backend, &sql, values))
            .all(&txn)
            .await?;
        txn.commit().await?;
        Ok(rows)
    }

    fn compose(&self, row: &email_outbox::Model) -> std::result::Result<(Message, String), String> {
        let kind = MessageKind::from_name(&row.kind)
            .ok_or_else(|| format!("unknown message kind {:?}", row.kind))?;
        let locale = Locale::from_tag(&row.locale).unwrap_or_default();
        let mut vars: serde_json::Value =
            serde_json::from_str(&row.vars).map_err(|e| format!("variables: {e}"))?;
        if let Some(map) = vars.as_object_mut() {
            let path = map
                .get("path")
                .and_then(|p| p.as_str())
                .unwrap_or("/")
                .to_owned();
            map.insert("link".into(), format!("{}{}", self.links_base, path).into());
            map.insert("public_url".into(), self.public_url.clone().into());
            map.insert("product_name".into(), "Skillpath".into());
        }
        let rendered = self
            .templates
            .render(kind, locale, &vars)
            .map_err(|e| format!("template: {e}"))?;
        let to: Mailbox = row
            .recipient_email
            .parse()
            .map_err(|e| format!("recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject.clone())
            // Stable per outbox row: a receiver can drop a copy it has seen.
            .message_id(Some(format!("<outbox-{}@skillpath>", row.id)))
            .multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))
            .map_err(|e| format!("message: {e}"))?;
        Ok((message, rendered.subject))
    }

    async fn finish(
        &self,
        row: &email_outbox::Model,
        outcome: std::result::Result<String, String>,
    ) -> Result<()> {
        let now = Utc::now();
        let backend = self.db.get_database_backend();
        let sent = outcome.is_ok();
        let (sql, values): (&str, Vec<Value>) = match outcome {
            Ok(subject) => (
                // Sent: the variables (which may hold a token) are scrubbed.
                "UPDATE email_outbox SET status = 'SENT', sent_at = $1, subject = $2, vars = '{}', \
                 attempts = attempts + 1, last_error = NULL, claimed_by = NULL, claimed_until = NULL \
                 WHERE id = $3 AND claimed_by = $4",
                vec![
                    now.into(),
                    subject.into(),
                    row.id.into(),
                    self.worker_id.clone().into(),
                ],
            ),
            Err(error) => {
                let attempts = row.attempts + 1;
                let error: String = error.chars().take(500).collect();
                if attempts >= self.max_attempts {
                    tracing::error!(outbox_id = row.id, attempts, error = %error, "mail failed for good");
                    (
                        "UPDATE email_outbox SET status = 'FAILED', attempts = $1, last_error = $2, vars = '{}', \
                         claimed_by = NULL, claimed_until = NULL WHERE id = $3 AND claimed_by = $4",
                        vec![
                            attempts.into(),
                            error.into(),
                            row.id.into(),
                            self.worker_id.clone().into(),
                        ],
                    )
                } else {
                    let delay = (self.retry_base * 2u32.saturating_pow((attempts - 1) as u32))
                        .min(MAX_BACKOFF);
                    tracing::warn!(outbox_id = row.id, attempts, retry_in_s = delay.as_secs(), error = %error, "mail not sent; will retry");
                    let next = now + chrono::Duration::from_std(delay).unwrap_or_default();
                    (
                        "UPDATE email_outbox SET attempts = $1, last_error = $2, next_attempt_at = $3, \
                         claimed_by = NULL, claimed_until = NULL WHERE id = $4 AND claimed_by = $5",
                        vec![
                            attempts.into(),
                            error.into(),
                            next.into(),
                            row.id.into(),
                            self.worker_id.clone().into(),
                        ],
                    )
                }
            }
        };
        let txn = db::begin_write(&self.db).await?;
        let updated = txn.execute_raw(db::statement(backend, sql, values)).await?;
        // Marked sent under this worker's claim: a certification reminder's
        // mail makes the reminder sent too, in the same transaction.
        if sent
            && updated.rows_affected() == 1
            && row.kind == MessageKind::CertificationExpiring.name()
        {
            crate::certification::reminder_mail_sent(&txn, row.id, now).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Sends what is due now. Returns how many messages were handled.
    pub async fn drain_once(&self) -> Result<usize> {
        let (_keep, stop) = watch::channel(false);
        self.drain(&stop).await
    }

    /// Like `drain_once`, but gives up as soon as `stop` is set: a send in
    /// progress is abandoned and every claim still held is released, so
    /// other workers can send those messages straight away.
    async fn drain(&self, stop: &watch::Receiver<bool>) -> Result<usize> {
        let rows = self.claim().await?;
        let mut handled = 0;
        for row in &rows {
            if *stop.borrow() {
                break;
            }
            let mut stopping = stop.clone();
            let outcome = match self.compose(row) {
                Ok((message, subject)) => tokio::select! {
                    sent = self.transport.send(message) => sent.map(|()| subject),
                    _ = stopping.wait_for(|stop| *stop) => break,
                },
                Err(e) => Err(e),
            };
            if outcome.is_ok() {
                tracing::info!(outbox_id = row.id, kind = %row.kind, "mail sent");
            }
            self.finish(row, outcome).await?;
            handled += 1;
        }
        if *stop.borrow() {
            self.release_claims().await?;
        }
        Ok(handled)
    }

    /// Gives back every message this worker has claimed but not finished.
    pub async fn release_claims(&self) -> Result<u64> {
        let released = self
            .db
            .execute_raw(db::statement(
                self.db.get_database_backend(),
                "UPDATE email_outbox SET claimed_by = NULL, claimed_until = NULL \
                 WHERE claimed_by = $1 AND status = 'PENDING'",
                [self.worker_id.clone().into()],
            ))
            .await?;
        if released.rows_affected() > 0 {
            tracing::info!(
                released = released.rows_affected(),
                "mail worker stopping: claims released"
            );
        }
        Ok(released.rows_affected())
    }

    /// Drains the outbox until `stop` is set, pausing `poll` when idle.
    pub fn spawn(self, poll: Duration, stop: watch::Receiver<bool>) -> JoinHandle<()> {
        tokio::spawn(async move {
            let mut stopping = stop.clone();
            while !*stop.borrow() {
                match self.drain(&stop).await {
                    Ok(n) if n > 0 => continue,
                    Ok(_) => {}
                    Err(err) => tracing::error!(error = %err, "mail worker"),
                }
                tokio::select! {
                    _ = tokio::time::sleep(poll) => {}
                    _ = stopping.wait_for(|stop| *stop) => {}
                }
            }
            // Stopped while idle or between batches: nothing is claimed, but
            // a failed release above is worth one more try.
            if let Err(err) = self.release_claims().await {
                tracing::error!(error = %err, "mail worker: could not release claims");
            }
        })
    }
}
