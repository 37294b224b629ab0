//! `downloadLink`: a short-lived signed URL for a download or a chart, so a
//! browser can open it (or show it in an `<img>`) without a bearer header.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::context::{actor, state};
use crate::graphql::error::ApiResult;

/// A short-lived signed URL for a download or a chart, so a browser can open it without a bearer token.
#[derive(SimpleObject)]
pub struct DownloadLink {
    /// Path and query on this server, e.g. `/exports/people?format=xlsx&link_user=…`.
    pub url: String,
    /// When the link stops working, five minutes after it was made.
    pub expires_at: DateTime<Utc>,
}

#[derive(Default)]
pub struct ExportMutation;

#[Object]
impl ExportMutation {
    /// Signs `path` (a `/exports/…` or `/charts/…` path with its query) for
    /// the caller, valid a few minutes. The link stands for the caller:
    /// their reach is checked again when it is opened.
    async fn download_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "A `/exports/…` or `/charts/…` path with its query, e.g. `/exports/people?format=xlsx`."
        )]
        path: String,
    ) -> ApiResult<DownloadLink> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let (url, expires_at) =
            // Wall time: the link's expiry is a security bound (see `auth::session`).
            super::issue_download_link(&state.db, &state.auth.keys, actor, &path, Utc::now())
                .await?;
        Ok(DownloadLink { url, expires_at })
    }
}
