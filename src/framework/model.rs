//! A framework version ready for lookups: the document plus indexes. Built
//! once per published version and shared (`Arc`), since published versions
//! never change.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::document::*;

/// Whether a framework version is published or the draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum VersionStatus {
    /// The draft being prepared.
    Draft,
    /// A published version.
    Published,
}

crate::db::stored::stored_enum!(VersionStatus in "framework_versions.status" {
    Draft = "DRAFT",
    Published = "PUBLISHED",
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInfo {
    pub id: i64,
    /// 1, 2, 3… once published; none while a draft.
    pub number: Option<i32>,
    pub status: VersionStatus,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// One cell of a role's matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequirementCell<'a> {
    pub skill: &'a str,
    pub required: u8,
    pub weight: u8,
    /// Declared critical for the level: not compensable by other skills.
    pub critical: bool,
}

#[derive(Debug)]
pub struct Framework {
    pub version: VersionInfo,
    pub doc: FrameworkDocument,
    skills: HashMap<String, (usize, usize)>,
    roles: HashMap<String, usize>,
    kpis: HashMap<String, (usize, usize)>,
    certifications: HashMap<String, (usize, usize)>,
}

impl Framework {
    pub fn new(version: VersionInfo, doc: FrameworkDocument) -> Self {
        let mut skills = HashMap::new();
        for (a, area) in doc.areas.iter().enumerate() {
            for (s, skill) in area.skills.iter().enumerate() {
                skills.insert(skill.key.clone(), (a, s));
            }
        }
        let roles = doc
            .roles
            .iter()
            .enumerate()
            .map(|(i, r)| (r.key.clone(), i))
            .collect();
        let mut kpis = HashMap::new();
        for (f, family) in doc.kpi_families.iter().enumerate() {
            for (k, kpi) in family.kpis.iter().enumerate() {
                kpis.insert(kpi.key.clone(), (f, k));
            }
        }
        let mut certifications = HashMap::new();
        for (f, family) in doc.certification_families.iter().enumerate() {
            for (c, cert) in family.certifications.iter().enumerate() {
                certifications.insert(cert.key.clone(), (f, c));
            }
        }
        Self {
            version,
            doc,
            skills,
            roles,
            kpis,
            certifications,
        }
    }

    pub fn skill(&self, key: &str) -> Option<&Skill> {
        let (a, s) = self.skills.get(key)?;
        Some(&self.doc.areas[*a].skills[*s])
    }

    pub fn area_of(&self, skill: &str) -> Option<&Area> {
        let (a, _) = self.skills.get(skill)?;
        Some(&self.doc.areas[*a])
    }

    pub fn skills(&self) -> impl Iterator<Item = (&Area, &Skill)> {
        self.doc
            .areas
            .iter()
            .flat_map(|area| area.skills.iter().map(move |skill| (area, skill)))
    }

    pub fn role(&self, key: &str) -> Option<&JobRole> {
        self.roles.get(key).map(|i| &self.doc.roles[*i])
    }

    pub fn level(&self, role: &str, level: &str) -> Option<&CareerLevel> {
        self.role(role)?.levels.iter().find(|l| l.key == level)
    }

    /// What `role` at `level` requires, skill by skill, in matrix order.
    /// Skills required at 0 are left out: nothing is expected of them yet.
    pub fn requirements(&self, role: &str, level: &str) -> Vec<RequirementCell<'_>> {
        let Some(role) = self.role(role) else {
            return Vec::new();
        };
        role.requirements
            .iter()
            .filter_map(|(skill, req)| {
                let required = *req.levels.get(level)?;
                (required > 0).then(|| RequirementCell {
                    skill: skill.as_str(),
                    required,
                    weight: req.weight_at(level),
                    critical: req.critical_at(level),
                })
            })
            .collect()
    }

    pub fn kpi(&self, key: &str) -> Option<&Kpi> {
        let (f, k) = self.kpis.get(key)?;
        Some(&self.doc.kpi_families[*f].kpis[*k])
    }

    pub fn kpi_family_of(&self, kpi: &str) -> Option<&KpiFamily> {
        let (f, _) = self.kpis.get(kpi)?;
        Some(&self.doc.kpi_families[*f])
    }

    pub fn certification(&self, key: &str) -> Option<&Certification> {
        let (f, c) = self.certifications.get(key)?;
        Some(&self.doc.certification_families[*f].certifications[*c])
    }

    pub fn certification_family_of(&self, cert: &str) -> Option<&CertificationFamily> {
        let (f, _) = self.certifications.get(cert)?;
        Some(&self.doc.certification_families[*f])
    }

    pub fn direction(&self, key: &str) -> Option<&Direction> {
        self.doc.directions.iter().find(|d| d.key == key)
    }

    /// The resources on offer (not retired) that build `skill`.
    pub fn resources_for(&self, skill: &str) -> impl Iterator<Item = &LearningResource> {
        self.doc
            .learning_resources
            .iter()
            .filter(move |r| !r.retired && r.skills.iter().any(|s| s == skill))
    }

    /// A learning resource by key, retired or not.
    pub fn learning_resource(&self, key: &str) -> Option<&LearningResource> {
        self.doc.learning_resources.iter().find(|r| r.key == key)
    }

    /// The moves open from `role/level`.
    pub fn edges_from<'a>(
        &'a self,
        role: &'a str,
        level: &'a str,
    ) -> impl Iterator<Item = &'a PathEdge> {
        self.doc
            .paths
            .iter()
            .filter(move |e| split_ref(&e.from).is_some_and(|(r, l)| r == role && l == level))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framework() -> Framework {
        let doc = FrameworkDocument::default_operations().unwrap();
        Framework::new(
            VersionInfo {
                id: 1,
                number: Some(1),
                status: VersionStatus::Published,
                created_at: crate::clock::now(),
                published_at: None,
            },
            doc,
        )
    }

    #[test]
    fn lookups_find_what_the_document_holds() {
        let fw = framework();
        assert_eq!(fw.skill("user_persona").unwrap().key, "user_persona");
        assert_eq!(fw.area_of("user_persona").unwrap().key, "insight");
        assert_eq!(fw.level("user_operations", "p3").unwrap().rank, 3);
        let cells = fw.requirements("user_operations", "m1");
        let leadership = cells.iter().find(|c| c.skill == "team_leadership").unwrap();
        assert_eq!((leadership.required, leadership.weight), (3, 4));
        assert!(fw.edges_from("user_operations", "p1").count() >= 1);
        assert!(
            fw.requirements("user_operations", "p1")
                .iter()
                .all(|c| c.required > 0)
        );
    }
}
