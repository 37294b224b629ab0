//! The framework as a document: the shape of `framework/operations.yaml`, of
//! every export and import, and of what a published version stores. Unknown
//! fields are refused so a typo is an error, not silently ignored data.

use std::collections::BTreeMap;

use async_graphql::Enum;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::auth::Locale;

pub const FORMAT: &str = "skillpath.framework/v1";

/// A text in every language the product speaks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalizedText {
    #[serde(default)]
    pub en: String,
    #[serde(rename = "zh-CN", default)]
    pub zh_cn: String,
}

impl LocalizedText {
    pub fn new(en: impl Into<String>, zh_cn: impl Into<String>) -> Self {
        Self {
            en: en.into(),
            zh_cn: zh_cn.into(),
        }
    }

    /// The text in `locale`, falling back to English when a translation is empty.
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::ZhCn if !self.zh_cn.trim().is_empty() => &self.zh_cn,
            _ => &self.en,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkDocument {
    pub format: String,
    pub name: LocalizedText,
    pub description: LocalizedText,
    pub scale: Vec<ScaleLevel>,
    pub directions: Vec<Direction>,
    pub areas: Vec<Area>,
    pub kpi_families: Vec<KpiFamily>,
    pub certification_families: Vec<CertificationFamily>,
    pub learning_resources: Vec<LearningResource>,
    pub roles: Vec<JobRole>,
    pub paths: Vec<PathEdge>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleLevel {
    pub level: u8,
    pub name: LocalizedText,
    pub description: LocalizedText,
}

/// One of the advancement directions a path edge can follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Direction {
    pub key: String,
    pub name: LocalizedText,
    pub description: LocalizedText,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub key: String,
    pub name: LocalizedText,
    pub description: LocalizedText,
    pub skills: Vec<Skill>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Skill {
    pub key: String,
    pub name: LocalizedText,
    pub description: LocalizedText,
    /// What proficiency 1..=5 looks like in this skill (0 is the scale's "not yet").
    pub descriptors: BTreeMap<u8, LocalizedText>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiFamily {
    pub key: String,
    pub name: LocalizedText,
    pub description: LocalizedText,
    /// The skill areas whose results these KPIs measure: the evidence of
    /// results in an area's capability maturity. Empty: no area's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<String>,
    pub kpis: Vec<Kpi>,
}

/// The unit a KPI is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum KpiUnit {
    /// A number of things.
    Count,
    /// A percentage, 0 to 100.
    Percent,
    /// An amount of money.
    Currency,
    /// A ratio.
    Ratio,
    /// Minutes.
    Minutes,
    /// A score on the KPI's own scale.
    Score,
}

/// Which way a KPI is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum KpiDirection {
    /// More is better (new users, revenue).
    HigherIsBetter,
    /// Churn, cost per acquisition, error rates: attainment inverts.
    LowerIsBetter,
}

/// How several readings of a KPI within one period combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Aggregation {
    /// Readings in a period add up.
    Sum,
    /// Readings in a period are averaged.
    Average,
    /// The last reading of a period counts.
    Last,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kpi {
    pub key: String,
    pub name: LocalizedText,
    pub description: LocalizedText,
    pub unit: KpiUnit,
    pub direction: KpiDirection,
    pub aggregation: Aggregation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificationFamily {
    pub key: String,
    pub name: LocalizedText,
    pub description: LocalizedText,
    pub certifications: Vec<Certification>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certification {
    pub key: String,
    pub name: LocalizedText,
    pub issuer: LocalizedText,
    pub description: LocalizedText,
    /// Months an earned certificate stays valid; absent when it never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_months: Option<u32>,
    pub skills: Vec<String>,
}

/// What kind of learning resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ResourceKind {
    /// A module of a training course.
    CourseModule,
    /// Something to do on the job.
    Practice,
    /// Something to read.
    Reading,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearningResource {
    pub key: String,
    pub title: LocalizedText,
    pub description: LocalizedText,
    pub kind: ResourceKind,
    pub hours: u32,
    /// The skills it builds.
    pub skills: Vec<String>,
    /// The career levels it serves (level keys such as `p2`); empty for any level.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<String>,
    /// Retired: no longer offered in advice or new plans, still readable on
    /// the plans that took it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

/// The career track a level belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Track {
    /// The specialist track, p1 to p4.
    IndividualContributor,
    /// The management track, m1 and m2.
    Management,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobRole {
    pub key: String,
    pub name: LocalizedText,
    pub description: LocalizedText,
    pub levels: Vec<CareerLevel>,
    /// The role's skill matrix, by skill key.
    pub requirements: IndexMap<String, Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CareerLevel {
    pub key: String,
    pub rank: u8,
    pub track: Track,
    pub title: LocalizedText,
    pub certifications: LevelCertifications,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelCertifications {
    pub required: Vec<String>,
    pub recommended: Vec<String>,
}

/// One skill's row of a role's matrix: the required proficiency at every
/// level, and its weight (the same at every level unless `weights` says otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub weight: u8,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub weights: IndexMap<String, u8>,
    pub levels: IndexMap<String, u8>,
    /// The levels at which this skill defines the level: a move there is not
    /// ready while it is short, whatever the other skills (no compensation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub critical: Vec<String>,
}

impl Requirement {
    pub fn weight_at(&self, level: &str) -> u8 {
        self.weights.get(level).copied().unwrap_or(self.weight)
    }

    pub fn critical_at(&self, level: &str) -> bool {
        self.critical.iter().any(|l| l == level)
    }
}

/// What kind of move a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum PathKind {
    /// Same role, same track, the next rank.
    Promotion,
    /// Another role, on the same track.
    Lateral,
    /// From the individual-contributor track to the management track.
    Management,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathEdge {
    /// `role/level`
    pub from: String,
    pub to: String,
    pub kind: PathKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    #[serde(default, skip_serializing_if = "Gates::is_empty")]
    pub gates: Gates,
}

/// Conditions a move must meet. Missing ones do not apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gates {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_months: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certifications: Vec<String>,
    /// Minimum weighted KPI score, in percent, over recent periods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_kpi_attainment: Option<u32>,
}

impl Gates {
    pub fn is_empty(&self) -> bool {
        self.min_months.is_none()
            && self.certifications.is_empty()
            && self.min_kpi_attainment.is_none()
    }
}

/// Splits a `role/level` reference.
pub fn split_ref(reference: &str) -> Option<(&str, &str)> {
    reference.split_once('/')
}

/// The file format of a framework document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum DocumentFormat {
    /// JSON.
    Json,
    /// YAML, as the shipped framework is written.
    Yaml,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

impl FrameworkDocument {
    pub fn parse(text: &str, format: DocumentFormat) -> Result<Self, ParseError> {
        match format {
            DocumentFormat::Json => {
                serde_json::from_str(text).map_err(|e| ParseError(e.to_string()))
            }
            DocumentFormat::Yaml => {
                serde_yaml_ng::from_str(text).map_err(|e| ParseError(e.to_string()))
            }
        }
    }

    pub fn render(&self, format: DocumentFormat) -> Result<String, ParseError> {
        match format {
            DocumentFormat::Json => {
                serde_json::to_string_pretty(self).map_err(|e| ParseError(e.to_string()))
            }
            DocumentFormat::Yaml => {
                serde_yaml_ng::to_string(self).map_err(|e| ParseError(e.to_string()))
            }
        }
    }

    /// The shipped default operations framework.
    pub fn default_operations() -> Result<Self, ParseError> {
        Self::parse(
            include_str!("../../framework/operations.yaml"),
            DocumentFormat::Yaml,
        )
    }
}
