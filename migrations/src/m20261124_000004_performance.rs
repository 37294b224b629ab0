//! Performance targets on catalogue KPIs (with a history of every change and
//! the employee's comments) and the actual values recorded against them.

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
                    .table("performance_targets")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    // "2026-Q4", "2026-11" or "2026"
                    .col(string_len("period", 8))
                    .col(string("kpi_key"))
                    // Percent of the period's score; a period's weights total 100.
                    .col(integer("weight"))
                    .col(double("target_value"))
                    .col(double_null("threshold_value"))
                    .col(double_null("stretch_value"))
                    .col(text_null("note"))
                    .col(big_integer_null("updated_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "performance_targets",
                        "user_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "performance_targets",
                        "updated_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_performance_targets")
                    .table("performance_targets")
                    .col("user_id")
                    .col("period")
                    .col("kpi_key")
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("performance_target_changes")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(string_len("period", 8))
                    .col(string("kpi_key"))
                    // SET, CHANGE or REMOVE; `snapshot` is the target after the change (JSON).
                    .col(string_len("action", 16))
                    .col(text_null("snapshot"))
                    .col(big_integer_null("changed_by"))
                    .col(timestamp_with_time_zone("changed_at"))
                    .foreign_key(&mut fk(
                        "performance_target_changes",
                        "user_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "performance_target_changes",
                        "changed_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_target_changes_person")
                    .table("performance_target_changes")
                    .col("user_id")
                    .col("period")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("target_comments")
                    .col(big_pk_auto("id"))
                    .col(big_integer("target_id"))
                    .col(big_integer("author_id"))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "target_comments",
                        "target_id",
                        "performance_targets",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "target_comments",
                        "author_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("kpi_actuals")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(string_len("period", 8))
                    .col(string("kpi_key"))
                    .col(double("value"))
                    .col(text_null("note"))
                    // MANUAL or CSV
                    .col(string_len("source", 8))
                    .col(big_integer_null("recorded_by"))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .foreign_key(&mut fk(
                        "kpi_actuals",
                        "user_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "kpi_actuals",
                        "recorded_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_kpi_actuals_person_period")
                    .table("kpi_actuals")
                    .col("user_id")
                    .col("period")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "kpi_actuals",
            "target_comments",
            "performance_target_changes",
            "performance_targets",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
