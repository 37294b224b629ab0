//! Relay global object identifiers: `base64url("<TypeName>:<db id>")`
//! without padding, e.g. `User:42` → `VXNlcjo0Mg`.
//!
//! A database id alone is unique only within its table, so a client cache
//! keyed by `id` (Relay's store, Apollo with `dataIdFromObject` on `id`)
//! would mix a user and a team that share a number. The type name inside the
//! id makes it unique across the API and lets `node(id:)` know where to look.
//! Arguments still take the bare number for one release (see `parse_id`);
//! no bare number is ever a valid global id, because every type name starts
//! with a capital letter, whose base64 begins with `Q`–`W`.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The object types that implement `Node`: their ids are global.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeType {
    User,
    Team,
    AssessmentCycle,
    Assessment,
    PerformanceTarget,
    KpiActual,
    CertificationRecord,
    DevelopmentPlan,
    DevelopmentGoal,
    OutboxMessage,
    AuditEntry,
}

impl NodeType {
    pub const ALL: [NodeType; 11] = [
        NodeType::User,
        NodeType::Team,
        NodeType::AssessmentCycle,
        NodeType::Assessment,
        NodeType::PerformanceTarget,
        NodeType::KpiActual,
        NodeType::CertificationRecord,
        NodeType::DevelopmentPlan,
        NodeType::DevelopmentGoal,
        NodeType::OutboxMessage,
        NodeType::AuditEntry,
    ];

    /// The GraphQL type name, as `schema.graphql` spells it.
    pub fn name(self) -> &'static str {
        match self {
            NodeType::User => "User",
            NodeType::Team => "Team",
            NodeType::AssessmentCycle => "AssessmentCycle",
            NodeType::Assessment => "Assessment",
            NodeType::PerformanceTarget => "PerformanceTarget",
            NodeType::KpiActual => "KpiActual",
            NodeType::CertificationRecord => "CertificationRecord",
            NodeType::DevelopmentPlan => "DevelopmentPlan",
            NodeType::DevelopmentGoal => "DevelopmentGoal",
            NodeType::OutboxMessage => "OutboxMessage",
            NodeType::AuditEntry => "AuditEntry",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The node type of an audit entry's `entity`, when that kind of record
    /// is a node (`user`, `cycle`, `target`, …); others (a comment, an
    /// import, a framework version) have no global id.
    pub fn of_audit_entity(entity: &str) -> Option<Self> {
        Some(match entity {
            "user" => NodeType::User,
            "team" => NodeType::Team,
            "cycle" => NodeType::AssessmentCycle,
            "assessment" => NodeType::Assessment,
            "target" => NodeType::PerformanceTarget,
            "kpi_actual" => NodeType::KpiActual,
            "certification_record" => NodeType::CertificationRecord,
            "development_plan" => NodeType::DevelopmentPlan,
            "development_goal" => NodeType::DevelopmentGoal,
            _ => return None,
        })
    }
}

/// An object with a global id: what the `Node` interface reads, and what
/// the object's own `id` field answers.
pub trait GlobalId {
    fn global_id(&self) -> ID;
}

/// The global id of row `id` of `kind`.
pub fn encode(kind: NodeType, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name())))
}

/// The type and database id inside a global id; `None` for anything that
/// is not exactly what `encode` writes (padding, a leading zero, an unknown
/// type), so every node has one id and caches never hold two copies.
pub fn decode(id: &str) -> Option<(NodeType, i64)> {
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let (name, number) = text.split_once(':')?;
    let kind = NodeType::from_name(name)?;
    let value = number.parse::<i64>().ok().filter(|v| *v > 0)?;
    (value.to_string() == number).then_some((kind, value))
}

/// Reads an id a client sent where a `kind` is expected (a GraphQL
/// argument, a download's path or query): its global id or, deprecated and
/// accepted for one release so existing clients keep working, the bare
/// number. A global id of another type is refused rather than read as a
/// number of the wrong table. The error is the problem, for the caller to
/// pin on the field it came in.
pub fn read(text: &str, kind: NodeType) -> Result<i64, String> {
    match read_any(text)? {
        (Some(found), _) if found != kind => Err(format!(
            "is a {} id, not a {} id",
            found.name(),
            kind.name()
        )),
        (_, value) => Ok(value),
    }
}

/// Reads an id that may name any kind of record (an audit entry's
/// `entityId`): the type when it is a global id, and the number.
pub fn read_any(text: &str) -> Result<(Option<NodeType>, i64), String> {
    if let Some(raw) = text.parse::<i64>().ok().filter(|v| *v > 0) {
        return Ok((None, raw));
    }
    decode(text)
        .map(|(kind, value)| (Some(kind), value))
        .ok_or_else(|| "is not a valid id".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_user_id_reads_as_relay_spells_it() {
        assert_eq!(encode(NodeType::User, 42).0, "VXNlcjo0Mg");
        assert_eq!(decode("VXNlcjo0Mg"), Some((NodeType::User, 42)));
    }

    #[test]
    fn anything_encode_does_not_write_is_refused() {
        let raw = |s: &str| URL_SAFE_NO_PAD.encode(s);
        for bad in [
            String::new(),
            "42".into(),
            "VXNlcjo0Mg==".into(), // padded
            "VXNlcjo0Mh".into(),   // non-canonical trailing bits
            raw("User:042"),
            raw("User:+42"),
            raw("User:0"),
            raw("User:-1"),
            raw("User:"),
            raw("User42"),
            raw("Rating:1"),
            raw("user:1"),
            raw("User:99999999999999999999"),
        ] {
            assert_eq!(decode(&bad), None, "{bad}");
        }
    }

    #[test]
    fn an_argument_takes_the_global_id_or_the_bare_number_but_not_another_type() {
        let user = encode(NodeType::User, 7).0;
        let team = encode(NodeType::Team, 7).0;
        assert_eq!(read(&user, NodeType::User), Ok(7));
        assert_eq!(read("7", NodeType::User), Ok(7));
        assert_eq!(
            read(&team, NodeType::User),
            Err("is a Team id, not a User id".to_owned())
        );
        for bad in ["0", "-3", "", "seven", "VXNlcjo"] {
            assert_eq!(
                read(bad, NodeType::User),
                Err("is not a valid id".to_owned())
            );
        }
        assert_eq!(read_any(&team), Ok((Some(NodeType::Team), 7)));
    }

    #[test]
    fn every_type_name_is_its_own() {
        for kind in NodeType::ALL {
            assert_eq!(NodeType::from_name(kind.name()), Some(kind));
        }
    }

    proptest! {
        #[test]
        fn encode_then_decode_gives_back_the_type_and_id(
            index in 0..NodeType::ALL.len(),
            id in 1..=i64::MAX,
        ) {
            let kind = NodeType::ALL[index];
            prop_assert_eq!(decode(&encode(kind, id).0), Some((kind, id)));
        }

        #[test]
        fn no_bare_number_is_a_global_id(n in any::<u64>()) {
            prop_assert_eq!(decode(&n.to_string()), None);
        }
    }
}
