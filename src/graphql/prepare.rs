//! What every request passes before the schema executes it: a persisted
//! query (Apollo's protocol) resolved from its hash, the limits of
//! `limits.rs` on the parsed document, and introspection refused where it is
//! off.
//!
//! These were schema extensions. Once a schema has any extension,
//! async-graphql sends every field of every answer through the extension
//! chain: two look-ups in the type registry and a boxed future per extension
//! for each field, a tenth of the CPU of a page of 100 people with their
//! teams, managers and reports (`perf`, see the README's Performance). Done
//! once per request here, the fields resolve directly.

use async_graphql::extensions::apollo_persisted_queries::{CacheStorage, LruCacheStorage};
use async_graphql::{Request, ServerError};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::limits;

/// Parsed documents of persisted queries kept per process, up to this many.
const PERSISTED_QUERIES: usize = 1024;

/// Per process: the documents clients registered by hash.
#[derive(Clone)]
pub struct Preparation {
    persisted: LruCacheStorage,
    introspection: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersistedQuery {
    version: i32,
    sha256_hash: String,
}

impl Preparation {
    pub fn new(introspection: bool) -> Self {
        Self {
            persisted: LruCacheStorage::new(PERSISTED_QUERIES),
            introspection,
        }
    }

    /// The request with its document parsed (from the query, or the cache for
    /// a hash), or the refusal to answer with instead of executing it.
    pub async fn prepare(&self, request: Request) -> Result<Request, ServerError> {
        let mut request = self.persisted_query(request).await?;
        let variables = std::mem::take(&mut request.variables);
        let checked = request
            .parsed_query()
            .and_then(|doc| limits::check_document(doc, &variables, self.introspection));
        request.variables = variables;
        checked.map(|()| request)
    }

    /// The same protocol and messages as async-graphql's
    /// `ApolloPersistedQueries` extension.
    async fn persisted_query(&self, mut request: Request) -> Result<Request, ServerError> {
        let Some(value) = request.extensions.remove("persistedQuery") else {
            return Ok(request);
        };
        let persisted: PersistedQuery = value
            .into_json()
            .ok()
            .and_then(|json| serde_json::from_value(json).ok())
            .ok_or_else(|| {
                ServerError::new("Invalid \"PersistedQuery\" extension configuration.", None)
            })?;
        if persisted.version != 1 {
            return Err(ServerError::new(
                format!(
                    "Only the \"PersistedQuery\" extension of version \"1\" is supported, and the current version is \"{}\".",
                    persisted.version
                ),
                None,
            ));
        }
        if request.query.is_empty() {
            let doc = self
                .persisted
                .get(persisted.sha256_hash)
                .await
                .ok_or_else(|| ServerError::new("PersistedQueryNotFound", None))?;
            request.set_parsed_query(doc);
            return Ok(request);
        }
        let hash = format!("{:x}", Sha256::digest(request.query.as_bytes()));
        if persisted.sha256_hash != hash {
            return Err(ServerError::new("provided sha does not match query", None));
        }
        let doc = request.parsed_query()?.clone();
        self.persisted.set(hash, doc).await;
        Ok(request)
    }
}
