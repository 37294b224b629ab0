//! The catalogues: KPI families and KPIs, certification families and
//! certifications, learning resources.

use super::*;

pub struct KpiFamilyNode(pub(super) View, pub(super) usize);

/// A group of KPIs in the catalogue (user, channel, product, business metrics).
#[Object(name = "KpiFamily")]
impl KpiFamilyNode {
    /// The family's key, e.g. `user_metrics`.
    async fn key(&self) -> &str {
        &self.0.fw.doc.kpi_families[self.1].key
    }
    /// The family's name.
    async fn name(&self) -> &str {
        self.0.text(&self.0.fw.doc.kpi_families[self.1].name)
    }
    /// What the family's KPIs measure.
    async fn description(&self) -> &str {
        self.0.text(&self.0.fw.doc.kpi_families[self.1].description)
    }
    /// The keys of the skill areas whose results these KPIs measure; their
    /// attainment is evidence in those areas' capability maturity.
    async fn areas(&self) -> &[String] {
        &self.0.fw.doc.kpi_families[self.1].areas
    }
    /// The KPIs of the family, in catalogue order.
    async fn kpis(&self) -> Vec<KpiNode> {
        self.0.fw.doc.kpi_families[self.1]
            .kpis
            .iter()
            .map(|k| KpiNode(self.0.clone(), k.key.clone()))
            .collect()
    }
}

pub struct KpiNode(pub View, pub String);

impl KpiNode {
    fn kpi(&self) -> &Kpi {
        self.0.fw.kpi(&self.1).expect("built from an existing key")
    }
}

/// A KPI in the catalogue: unit, which direction is better, how readings add up.
#[Object(name = "Kpi")]
impl KpiNode {
    /// The KPI's key, e.g. `new_users`.
    async fn key(&self) -> &str {
        &self.1
    }
    /// The catalogue family it belongs to.
    async fn family_key(&self) -> &str {
        self.0
            .fw
            .kpi_family_of(&self.1)
            .map(|f| f.key.as_str())
            .unwrap_or_default()
    }
    /// The KPI's name.
    async fn name(&self) -> &str {
        self.0.text(&self.kpi().name)
    }
    /// How the KPI is measured.
    async fn description(&self) -> &str {
        self.0.text(&self.kpi().description)
    }
    /// The unit it is measured in.
    async fn unit(&self) -> KpiUnit {
        self.kpi().unit
    }
    /// Whether more or less is better.
    async fn direction(&self) -> KpiDirection {
        self.kpi().direction
    }
    /// How readings within a period add up.
    async fn aggregation(&self) -> Aggregation {
        self.kpi().aggregation
    }
}

pub struct CertificationFamilyNode(pub(super) View, pub(super) usize);

/// A group of certificates in the catalogue (vocational, vendor, industry training).
#[Object(name = "CertificationFamily")]
impl CertificationFamilyNode {
    /// The family's key, e.g. `vocational_skill`.
    async fn key(&self) -> &str {
        &self.0.fw.doc.certification_families[self.1].key
    }
    /// The family's name.
    async fn name(&self) -> &str {
        self.0
            .text(&self.0.fw.doc.certification_families[self.1].name)
    }
    /// What kind of certificates the family holds and how they are earned.
    async fn description(&self) -> &str {
        self.0
            .text(&self.0.fw.doc.certification_families[self.1].description)
    }
    /// The certificates of the family, in catalogue order.
    async fn certifications(&self) -> Vec<CertificationNode> {
        self.0.fw.doc.certification_families[self.1]
            .certifications
            .iter()
            .map(|c| CertificationNode(self.0.clone(), c.key.clone()))
            .collect()
    }
}

pub struct CertificationNode(pub View, pub String);

impl CertificationNode {
    fn cert(&self) -> &Certification {
        self.0
            .fw
            .certification(&self.1)
            .expect("built from an existing key")
    }
}

/// A certificate in the catalogue: who issues it, how long it stays valid, which skills it shows.
#[Object(name = "Certification")]
impl CertificationNode {
    /// The certificate's key in the catalogue.
    async fn key(&self) -> &str {
        &self.1
    }
    /// The catalogue family it belongs to.
    async fn family_key(&self) -> &str {
        self.0
            .fw
            .certification_family_of(&self.1)
            .map(|f| f.key.as_str())
            .unwrap_or_default()
    }
    /// The certificate's name.
    async fn name(&self) -> &str {
        self.0.text(&self.cert().name)
    }
    /// Who issues it.
    async fn issuer(&self) -> &str {
        self.0.text(&self.cert().issuer)
    }
    /// What the certificate shows and how it is kept.
    async fn description(&self) -> &str {
        self.0.text(&self.cert().description)
    }
    /// Months an earned certificate stays valid; null when it does not expire.
    async fn validity_months(&self) -> Option<i32> {
        self.cert().validity_months.map(|m| m as i32)
    }
    /// The skills it gives evidence of.
    async fn skills(&self) -> Vec<SkillNode> {
        self.cert()
            .skills
            .iter()
            .filter_map(|s| self.0.skill(s))
            .collect()
    }
}

pub struct LearningResourceNode(pub(crate) View, pub(crate) usize);

/// A course module, practice or reading in the catalogue, with the skills and levels it serves.
#[Object(name = "LearningResource")]
impl LearningResourceNode {
    /// The resource's key in the catalogue.
    async fn key(&self) -> &str {
        &self.0.fw.doc.learning_resources[self.1].key
    }
    /// The resource's title.
    async fn title(&self) -> &str {
        self.0.text(&self.0.fw.doc.learning_resources[self.1].title)
    }
    /// What it covers.
    async fn description(&self) -> &str {
        self.0
            .text(&self.0.fw.doc.learning_resources[self.1].description)
    }
    /// Course module, practice or reading.
    async fn kind(&self) -> ResourceKind {
        self.0.fw.doc.learning_resources[self.1].kind
    }
    /// About how long it takes, in hours (at least 1).
    async fn hours(&self) -> i32 {
        self.0.fw.doc.learning_resources[self.1].hours as i32
    }
    /// The skills it builds.
    async fn skills(&self) -> Vec<SkillNode> {
        self.0.fw.doc.learning_resources[self.1]
            .skills
            .iter()
            .filter_map(|s| self.0.skill(s))
            .collect()
    }
    /// The career levels it serves (level keys); empty for any level.
    async fn levels(&self) -> &[String] {
        &self.0.fw.doc.learning_resources[self.1].levels
    }
    /// No longer offered in advice or new plans; still shown on plans that took it.
    async fn retired(&self) -> bool {
        self.0.fw.doc.learning_resources[self.1].retired
    }
}
