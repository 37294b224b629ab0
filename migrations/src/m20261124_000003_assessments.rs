//! Assessment cycles, their participants (with the position each was assessed
//! in), assessments (self, manager, peer; revisioned) and their ratings.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    from_table: &'static str,
    from_col: &'static str,
    to: &'static str,
    action: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to, "id")
        .on_delete(action)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("assessment_cycles")
                    .col(big_pk_auto("id"))
                    .col(string("name"))
                    // Everything in the cycle is read against this version, forever.
                    .col(big_integer("framework_version_id"))
                    .col(string_len("status", 24))
                    .col(date_null("self_due"))
                    .col(date_null("manager_due"))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("closed_at"))
                    .foreign_key(&mut fk(
                        "assessment_cycles",
                        "framework_version_id",
                        "framework_versions",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "assessment_cycles",
                        "created_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("cycle_participants")
                    .col(big_integer("cycle_id"))
                    .col(big_integer("user_id"))
                    // The position the person is assessed in, fixed at opening.
                    .col(string("job_role"))
                    .col(string("career_level"))
                    // Who gives the manager assessment: the nearest active manager.
                    .col(big_integer_null("reviewer_id"))
                    .primary_key(Index::create().col("cycle_id").col("user_id"))
                    .foreign_key(&mut fk(
                        "cycle_participants",
                        "cycle_id",
                        "assessment_cycles",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "cycle_participants",
                        "user_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "cycle_participants",
                        "reviewer_id",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cycle_participants_user")
                    .table("cycle_participants")
                    .col("user_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("assessments")
                    .col(big_pk_auto("id"))
                    .col(big_integer("cycle_id"))
                    .col(big_integer("subject_id"))
                    .col(big_integer("assessor_id"))
                    .col(string_len("kind", 16))
                    // Amending a submitted assessment makes revision n+1; the old one is kept.
                    .col(integer("revision"))
                    .col(string_len("status", 16))
                    .col(timestamp_with_time_zone_null("submitted_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "assessments",
                        "cycle_id",
                        "assessment_cycles",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "assessments",
                        "subject_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "assessments",
                        "assessor_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_assessments_revision")
                    .table("assessments")
                    .col("cycle_id")
                    .col("subject_id")
                    .col("assessor_id")
                    .col("kind")
                    .col("revision")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_assessments_subject")
                    .table("assessments")
                    .col("subject_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("ratings")
                    .col(big_integer("assessment_id"))
                    .col(string("skill_key"))
                    .col(small_integer("level"))
                    .col(text_null("evidence"))
                    .primary_key(Index::create().col("assessment_id").col("skill_key"))
                    .foreign_key(&mut fk(
                        "ratings",
                        "assessment_id",
                        "assessments",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "ratings",
            "assessments",
            "cycle_participants",
            "assessment_cycles",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
