//! A team's performance in a period: each person's targets with actuals,
//! attainment and the weighted score, as the KPI capability computes them.

use sea_orm::DatabaseConnection;

use super::{Cell, Heading, Row, Table};
use crate::auth::Locale;
use crate::auth::policy::TeamView;
use crate::error::Result;
use crate::framework::FrameworkStore;
use crate::{kpi, people};

pub const HEADINGS: [Heading; 12] = [
    Heading("employee_id", "工号"),
    Heading("email", "邮箱"),
    Heading("name", "姓名"),
    Heading("period", "周期"),
    Heading("kpi", "指标"),
    Heading("weight", "权重"),
    Heading("threshold", "门槛值"),
    Heading("target", "目标值"),
    Heading("stretch", "挑战值"),
    Heading("actual", "实际值"),
    Heading("attainment_percent", "达成率%"),
    Heading("score", "绩效得分"),
];

pub async fn team_performance(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    view: &TeamView,
    team_id: i64,
    period: &str,
    locale: Locale,
) -> Result<Table> {
    let list = kpi::team_performance(db, store, view, team_id, kpi::Period::parse(period)?).await?;
    let fw = store.current(db).await?;
    let ids: Vec<i64> = list.iter().map(|p| p.user_id).collect();
    let people = people::people_by_ids(db, &ids).await?;
    let mut rows: Vec<Row> = Vec::new();
    for perf in &list {
        let Some(person) = people.get(&perf.user_id) else {
            continue;
        };
        for t in &perf.targets {
            rows.push(vec![
                person.employee_id.clone().into(),
                person.email.as_str().into(),
                person.name.as_str().into(),
                perf.period.as_str().into(),
                fw.kpi(&t.target.kpi)
                    .map_or(t.target.kpi.as_str(), |k| k.name.get(locale))
                    .into(),
                Cell::Int(t.target.weight.into()),
                t.target.threshold.into(),
                t.target.target.into(),
                t.target.stretch.into(),
                t.actual.into(),
                t.attainment.into(),
                perf.score.into(),
            ]);
        }
    }
    Ok(Table::from_rows(
        format!("team-{team_id}-performance-{period}"),
        "performance",
        &HEADINGS,
        locale,
        rows,
    ))
}
