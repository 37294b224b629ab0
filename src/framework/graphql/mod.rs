//! The framework API. Every object holds the (shared, immutable) version it
//! came from and the language to answer in, so nested fields never go back to
//! the database: reading a whole framework costs one or two SQL statements.
//!
//! `nodes`: the framework as a tree of objects; `catalogues`: KPIs,
//! certifications and learning resources; `matrix`: one role's grid;
//! `query` and `mutation`: the root fields.

mod catalogues;
mod matrix;
mod mutation;
mod nodes;
mod query;

use std::sync::Arc;

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::document::*;
use super::{Framework, FrameworkStore, VersionInfo, VersionStatus};
use crate::auth::Locale;
use crate::error::Error;
use crate::graphql::context::{actor, locale, state};
use crate::graphql::error::{ApiError, ApiResult};

pub use self::catalogues::*;
pub use self::matrix::*;
pub use self::mutation::*;
pub use self::nodes::*;
pub use self::query::*;

#[derive(Clone)]
pub struct View {
    fw: Arc<Framework>,
    locale: Locale,
}

impl View {
    pub fn new(fw: Arc<Framework>, locale: Locale) -> Self {
        Self { fw, locale }
    }
    pub fn framework(&self) -> &Arc<Framework> {
        &self.fw
    }
    pub fn locale(&self) -> Locale {
        self.locale
    }
    pub(crate) fn text<'a>(&self, text: &'a LocalizedText) -> &'a str {
        text.get(self.locale)
    }
    pub(crate) fn skill(&self, key: &str) -> Option<SkillNode> {
        self.fw
            .skill(key)
            .map(|_| SkillNode(self.clone(), key.to_owned()))
    }
    pub(crate) fn certification(&self, key: &str) -> Option<CertificationNode> {
        self.fw
            .certification(key)
            .map(|_| CertificationNode(self.clone(), key.to_owned()))
    }
    pub(crate) fn level(&self, reference: &str) -> Option<CareerLevelNode> {
        let (role, level) = split_ref(reference)?;
        let r = self.fw.doc.roles.iter().position(|x| x.key == role)?;
        let l = self.fw.doc.roles[r]
            .levels
            .iter()
            .position(|x| x.key == level)?;
        Some(CareerLevelNode(self.clone(), r, l))
    }
}
