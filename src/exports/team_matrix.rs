//! A team's skill matrix in a cycle, one row per person and skill: the view
//! is computed whole by the assessment capability (which checks reach), and
//! only written out here.

use sea_orm::DatabaseConnection;

use super::{Heading, Row, Table};
use crate::assessment::team_skill_matrix;
use crate::auth::{Actor, Locale};
use crate::error::Result;
use crate::framework::FrameworkStore;
use crate::people;

pub const HEADINGS: [Heading; 9] = [
    Heading("employee_id", "工号"),
    Heading("email", "邮箱"),
    Heading("name", "姓名"),
    Heading("area", "能力领域"),
    Heading("skill", "技能"),
    Heading("agreed", "确认等级"),
    Heading("required", "要求等级"),
    Heading("gap", "差距"),
    Heading("holders_in_team", "团队内掌握人数"),
];

pub async fn team_matrix(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    team_id: i64,
    cycle_id: i64,
    locale: Locale,
) -> Result<Table> {
    let view = team_skill_matrix(db, store, actor, team_id, cycle_id).await?;
    let ids: Vec<i64> = view.matrix.rows.iter().map(|(id, _)| *id).collect();
    let people = people::people_by_ids(db, &ids).await?;
    let fw = &view.framework;
    let mut rows: Vec<Row> = Vec::new();
    for (user_id, cells) in &view.matrix.rows {
        let Some(person) = people.get(user_id) else {
            continue;
        };
        for cell in cells {
            let holders = view
                .matrix
                .coverage
                .iter()
                .find(|c| c.skill == cell.skill)
                .map_or(0, |c| c.holders.len() as i64);
            rows.push(vec![
                person.employee_id.clone().into(),
                person.email.as_str().into(),
                person.name.as_str().into(),
                fw.area_of(&cell.skill)
                    .map(|a| a.name.get(locale))
                    .unwrap_or_default()
                    .into(),
                fw.skill(&cell.skill)
                    .map_or(cell.skill.as_str(), |s| s.name.get(locale))
                    .into(),
                cell.agreed.into(),
                cell.required.into(),
                cell.gap.into(),
                super::Cell::Int(holders),
            ]);
        }
    }
    Ok(Table::from_rows(
        format!("team-{team_id}-cycle-{cycle_id}-matrix"),
        "matrix",
        &HEADINGS,
        locale,
        rows,
    ))
}
