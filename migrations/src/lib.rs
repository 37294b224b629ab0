//! Schema history. One file per migration, listed in order; a released
//! migration is never edited: change the schema with a new one.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_accounts;
mod m20261124_000002_framework;
mod m20261124_000003_assessments;
mod m20261124_000004_performance;
mod m20261124_000005_certifications;
mod m20261124_000006_mail;
mod m20261124_000050_login_throttle;
mod m20261124_000060_invariants;
mod m20261124_000070_assessment_reminders;
mod m20261124_000100_position_changes;
mod m20261124_000300_employee_id;
mod m20261124_000400_development_plans;
mod m20261124_000900_org_version;
mod m20261124_001000_audit_trail;
mod m20261124_001100_reminder_outbox;
mod m20261124_001200_talent_moves;
mod m20261124_001300_person_readiness;
mod m20261124_001700_maturity_targets;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_accounts::Migration),
            Box::new(m20261124_000002_framework::Migration),
            Box::new(m20261124_000003_assessments::Migration),
            Box::new(m20261124_000004_performance::Migration),
            Box::new(m20261124_000005_certifications::Migration),
            Box::new(m20261124_000006_mail::Migration),
            Box::new(m20261124_000050_login_throttle::Migration),
            Box::new(m20261124_000060_invariants::Migration),
            Box::new(m20261124_000070_assessment_reminders::Migration),
            Box::new(m20261124_000100_position_changes::Migration),
            Box::new(m20261124_000300_employee_id::Migration),
            Box::new(m20261124_000400_development_plans::Migration),
            Box::new(m20261124_000900_org_version::Migration),
            Box::new(m20261124_001000_audit_trail::Migration),
            Box::new(m20261124_001100_reminder_outbox::Migration),
            Box::new(m20261124_001200_talent_moves::Migration),
            Box::new(m20261124_001300_person_readiness::Migration),
            Box::new(m20261124_001700_maturity_targets::Migration),
        ]
    }
}
