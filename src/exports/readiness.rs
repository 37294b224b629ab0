//! The readiness ranking as a file: everyone in the caller's reach (a
//! manager's reports, anyone for HR), best next move first, in the order
//! `promotionReadiness` gives, with what blocks each move and what to do next.

use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use super::{Cell, Heading, PAGE, Row, Table};
use crate::advancement::{self, ReadinessFilter};
use crate::auth::{Actor, Locale};
use crate::error::Result;
use crate::framework::FrameworkStore;
use crate::people;

pub const HEADINGS: [Heading; 14] = [
    Heading("rank", "排名"),
    Heading("employee_id", "工号"),
    Heading("email", "邮箱"),
    Heading("name", "姓名"),
    Heading("job_role", "岗位"),
    Heading("career_level", "职级"),
    Heading("next_role", "目标岗位"),
    Heading("next_level", "目标职级"),
    Heading("next_title", "目标职位名称"),
    Heading("move", "发展类型"),
    Heading("verdict", "结论"),
    Heading("readiness_percent", "准备度%"),
    Heading("blockers", "未满足条件"),
    Heading("next_action", "下一步"),
];

/// The name an enum has in the API (`NOT_READY`, `MIN_MONTHS`, …), so the
/// file and the API say the same thing.
fn api_name<T: async_graphql::InputType>(value: &T) -> String {
    match value.to_value() {
        async_graphql::Value::Enum(name) => name.to_string(),
        other => other.to_string(),
    }
}

pub async fn readiness_ranking(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    filter: &ReadinessFilter,
    today: NaiveDate,
    locale: Locale,
) -> Result<Table> {
    let (fw, ranked) = advancement::promotion_readiness(db, store, actor, filter, today).await?;
    let db = db.clone();
    Ok(Table::spawn(
        "readiness-ranking".into(),
        "readiness",
        &HEADINGS,
        locale,
        move |tx| async move {
            for (page_number, page) in ranked.chunks(PAGE).enumerate() {
                let ids: Vec<i64> = page.iter().map(|r| r.user_id).collect();
                let people = match people::people_by_ids(&db, &ids).await {
                    Ok(p) => p,
                    Err(e) => {
                        let _ = tx.send(Err(e)).await;
                        return;
                    }
                };
                let rows: Vec<Row> = page
                    .iter()
                    .enumerate()
                    .filter_map(|(i, r)| {
                        let person = people.get(&r.user_id)?;
                        let best = &r.best;
                        let blockers: Vec<String> = best
                            .blockers
                            .iter()
                            .map(|g| format!("{} {}", api_name(&g.kind), g.requirement))
                            .collect();
                        Some(vec![
                            Cell::Int((page_number * PAGE + i + 1) as i64),
                            person.employee_id.clone().into(),
                            person.email.as_str().into(),
                            person.name.as_str().into(),
                            person.job_role.clone().into(),
                            person.career_level.clone().into(),
                            best.to_role.as_str().into(),
                            best.to_level.as_str().into(),
                            fw.level(&best.to_role, &best.to_level)
                                .map_or(Cell::Empty, |l| l.title.get(locale).into()),
                            api_name(&best.kind).into(),
                            api_name(&best.verdict).into(),
                            best.readiness.into(),
                            blockers.join("; ").into(),
                            best.actions
                                .first()
                                .map_or(Cell::Empty, |a| api_name(&a.kind).into()),
                        ])
                    })
                    .collect();
                if !rows.is_empty() && tx.send(Ok(rows)).await.is_err() {
                    return;
                }
            }
        },
    ))
}
