//! Development plans: one open plan per person (a chosen target move and
//! goals tied to a skill gap, a KPI or a gate), the evidence that moves the
//! goals, check-ins, and the reminders already queued (once per due item).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn user_fk(
    table: &'static str,
    column: &'static str,
    action: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to("users", "id")
        .on_delete(action)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("development_plans")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(string_len("target_role", 64))
                    .col(string_len("target_level", 64))
                    // DRAFT, AGREED or CLOSED.
                    .col(string_len("status", 16))
                    // 1 while the plan is open, NULL once closed: with the
                    // unique index below, at most one open plan per person on
                    // both databases (no partial indexes needed).
                    .col(integer_null("open_slot"))
                    // Bumped by every change of content: an agreement names
                    // the revision it agrees to.
                    .col(integer("revision"))
                    .col(big_integer_null("created_by"))
                    .col(big_integer_null("person_agreed_revision"))
                    .col(timestamp_with_time_zone_null("person_agreed_at"))
                    .col(big_integer_null("manager_agreed_by"))
                    .col(big_integer_null("manager_agreed_revision"))
                    .col(timestamp_with_time_zone_null("manager_agreed_at"))
                    .col(date_null("agreed_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("closed_at"))
                    .foreign_key(&mut user_fk(
                        "development_plans",
                        "user_id",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut user_fk(
                        "development_plans",
                        "created_by",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut user_fk(
                        "development_plans",
                        "manager_agreed_by",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_development_plans_open")
                    .table("development_plans")
                    .col("user_id")
                    .col("open_slot")
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("development_goals")
                    .col(big_pk_auto("id"))
                    .col(big_integer("plan_id"))
                    .col(integer("position"))
                    // LEARNING_RESOURCE, CERTIFICATION, STRETCH_ASSIGNMENT,
                    // MENTORING, KPI or ACTION.
                    .col(string_len("kind", 32))
                    .col(string_len("title", 400))
                    // The advice action it came from, if any.
                    .col(string_len_null("source_action", 32))
                    // What it is tied to: a skill gap (skill, level required,
                    // level known when planned), a KPI, a certification gate.
                    .col(string_len_null("skill_key", 64))
                    .col(small_integer_null("required_level"))
                    .col(small_integer_null("baseline_level"))
                    .col(string_len_null("kpi_key", 64))
                    .col(string_len_null("certification_key", 64))
                    .col(string_len_null("resource_key", 64))
                    .col(big_integer_null("mentor_id"))
                    .col(date("due_on"))
                    // PLANNED, IN_PROGRESS, DONE or DROPPED.
                    .col(string_len("status", 16))
                    .col(date_null("done_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("development_goals", "plan_id")
                            .to("development_plans", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut user_fk(
                        "development_goals",
                        "mentor_id",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_development_goals_plan", "plan_id"),
            ("ix_development_goals_mentor", "mentor_id"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table("development_goals")
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("development_evidence")
                    .col(big_pk_auto("id"))
                    .col(big_integer("goal_id"))
                    // NOTE, LINK, COURSE_COMPLETED or CERTIFICATION_EARNED.
                    .col(string_len("kind", 32))
                    .col(text_null("note"))
                    .col(string_len_null("url", 2000))
                    .col(big_integer_null("certification_record_id"))
                    .col(big_integer_null("recorded_by"))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("development_evidence", "goal_id")
                            .to("development_goals", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut user_fk(
                        "development_evidence",
                        "recorded_by",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_development_evidence_goal")
                    .table("development_evidence")
                    .col("goal_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("development_checkins")
                    .col(big_pk_auto("id"))
                    .col(big_integer("plan_id"))
                    .col(date("held_on"))
                    .col(text("notes"))
                    .col(text_null("next_steps"))
                    .col(big_integer_null("recorded_by"))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("development_checkins", "plan_id")
                            .to("development_plans", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut user_fk(
                        "development_checkins",
                        "recorded_by",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_development_checkins_plan")
                    .table("development_checkins")
                    .col("plan_id")
                    .col("held_on")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("development_reminders")
                    .col(big_pk_auto("id"))
                    // GOAL_OVERDUE or CHECK_IN_DUE.
                    .col(string_len("kind", 16))
                    .col(big_integer("plan_id"))
                    // The goal for GOAL_OVERDUE, the plan for CHECK_IN_DUE.
                    .col(big_integer("item_id"))
                    .col(date("due_on"))
                    .col(timestamp_with_time_zone("queued_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("development_reminders", "plan_id")
                            .to("development_plans", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Once per due item: a moved due date is a new item, a rerun is not.
        manager
            .create_index(
                Index::create()
                    .name("ux_development_reminders_once")
                    .table("development_reminders")
                    .col("kind")
                    .col("item_id")
                    .col("due_on")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "development_reminders",
            "development_checkins",
            "development_evidence",
            "development_goals",
            "development_plans",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
