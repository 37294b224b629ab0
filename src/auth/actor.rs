//! The caller, as every authorization decision sees them.

use std::str::FromStr;
use std::sync::Arc;

use async_graphql::Enum;
use serde::{Deserialize, Serialize};

/// What an account may do: employees see themselves, managers their reports, HR everyone, admins the framework and accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum, Serialize, Deserialize)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Sees and rates themselves.
    Employee,
    /// An employee who also assesses and sets targets for their reports.
    Manager,
    /// Sees everyone, runs assessment cycles, manages people and catalogues.
    Hr,
    /// Keeps the framework and the accounts.
    Admin,
}

crate::db::stored::stored_enum!(Role in "users.role" {
    Employee = "EMPLOYEE",
    Manager = "MANAGER",
    Hr = "HR",
    Admin = "ADMIN",
});

/// A role as people type it (imports, the CLI): any case, spaces around.
/// A stored role is read with `Role::from_stored`, which is exact.
impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "EMPLOYEE" => Ok(Role::Employee),
            "MANAGER" => Ok(Role::Manager),
            "HR" => Ok(Role::Hr),
            "ADMIN" => Ok(Role::Admin),
            other => Err(format!(
                "unknown role {other:?}: expected EMPLOYEE, MANAGER, HR or ADMIN"
            )),
        }
    }
}

/// The languages the product speaks. Anything else falls back to English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum, Default, Serialize, Deserialize)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Locale {
    /// English.
    #[default]
    #[serde(rename = "en")]
    En,
    /// Simplified Chinese.
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Locale {
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }

    /// Reads a BCP 47 tag loosely: `zh`, `zh-CN`, `zh-Hans` → Chinese; `en-GB` → English.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Locale::En),
            "zh" => Some(Locale::ZhCn),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header, by q-value.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut ranked: Vec<(f32, Locale)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let locale = Locale::from_tag(pieces.next()?)?;
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
                    .and_then(|q| q.parse().ok())
                    .unwrap_or(1.0);
                Some((q, locale))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked.first().map(|(_, l)| *l)
    }
}

/// An authenticated caller, loaded fresh for each request so a deactivated
/// account or a changed role takes effect at once.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
    pub manager_id: Option<i64>,
    pub team_id: Option<i64>,
    pub locale: Option<Locale>,
    /// Everyone who reports to this person, directly or through others.
    pub reports: Reports,
}

/// The people below someone in the reporting lines: sorted ids behind an
/// `Arc`, because one manager's reach is computed once and shared by their
/// requests until the organisation changes (see `people::reach`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reports(Arc<[i64]>);

impl Reports {
    pub fn contains(&self, id: &i64) -> bool {
        self.0.binary_search(id).is_ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// In ascending order.
    pub fn iter(&self) -> impl Iterator<Item = &i64> {
        self.0.iter()
    }
}

impl FromIterator<i64> for Reports {
    fn from_iter<I: IntoIterator<Item = i64>>(ids: I) -> Self {
        let mut ids: Vec<i64> = ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        Self(ids.into())
    }
}

impl Actor {
    /// The operator at the shell (CLI commands): acts as an admin and is no
    /// account (id 0 matches nobody).
    pub fn system() -> Self {
        Actor {
            user_id: 0,
            role: Role::Admin,
            manager_id: None,
            team_id: None,
            locale: None,
            reports: Reports::default(),
        }
    }

    pub fn is(&self, user_id: i64) -> bool {
        self.user_id == user_id
    }

    pub fn sees_everyone(&self) -> bool {
        matches!(self.role, Role::Hr | Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(
            Locale::from_accept_language("fr-FR, zh-CN;q=0.9, en;q=0.8"),
            Some(Locale::ZhCn)
        );
        assert_eq!(
            Locale::from_accept_language("en-GB;q=0.5, zh;q=0.4"),
            Some(Locale::En)
        );
        assert_eq!(Locale::from_accept_language("de, fr"), None);
    }
}
