//! sea-orm entities: the tables as Rust sees them. They never appear in the
//! GraphQL schema; each capability maps them to its own API types.

pub mod account_token;
pub mod assessment;
pub mod assessment_cycle;
pub mod audit_entry;
pub mod audit_value;
pub mod certification_event;
pub mod certification_record;
pub mod certification_reminder;
pub mod cycle_participant;
pub mod development_checkin;
pub mod development_evidence;
pub mod development_goal;
pub mod development_plan;
pub mod development_reminder;
pub mod email_outbox;
pub mod framework_version;
pub mod kpi_actual;
pub mod maturity_target;
pub mod performance_target;
pub mod position_change;
pub mod rating;
pub mod refresh_token;
pub mod talent_move;
pub mod target_change;
pub mod target_comment;
pub mod team;
pub mod user;
