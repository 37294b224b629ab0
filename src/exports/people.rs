//! Everyone, in the import file's shape, so a file exported here imports
//! back unchanged. HR and admins; read a page at a time.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{Heading, PAGE, Row, Table};
use crate::auth::Locale;
use crate::auth::policy::AccountAdmin;
use crate::db::entities::{team, user};
use crate::error::Result;
use crate::people::import_file::Column;

fn headings() -> Vec<Heading> {
    Column::ALL
        .iter()
        .map(|c| Heading(c.header(), c.header_zh()))
        .collect()
}

pub async fn people(
    db: &DatabaseConnection,
    _admin: &AccountAdmin,
    locale: Locale,
) -> Result<Table> {
    let teams = team::Entity::find().all(db).await?;
    let by_id: HashMap<i64, &team::Model> = teams.iter().map(|t| (t.id, t)).collect();
    let paths: HashMap<i64, String> = teams
        .iter()
        .map(|t| {
            let mut names = vec![t.name.as_str()];
            let mut parent = t.parent_id;
            while let Some(p) = parent.and_then(|p| by_id.get(&p))
                && names.len() < 64
            {
                names.push(&p.name);
                parent = p.parent_id;
            }
            names.reverse();
            (t.id, names.join("/"))
        })
        .collect();
    let db = db.clone();
    Ok(Table::spawn(
        "people".into(),
        "people",
        &headings(),
        locale,
        move |tx| async move {
            let mut after = 0;
            loop {
                let page = user::Entity::find()
                    .filter(user::Column::Id.gt(after))
                    .filter(user::Column::Active.eq(true))
                    // Admins are kept by hand, never by import.
                    .filter(user::Column::Role.ne(crate::auth::Role::Admin.as_str()))
                    .order_by_asc(user::Column::Id)
                    .limit(PAGE as u64)
                    .all(&db)
                    .await;
                let page = match page {
                    Ok(p) => p,
                    Err(e) => {
                        let _ = tx.send(Err(e.into())).await;
                        return;
                    }
                };
                let managers: Vec<i64> = page.iter().filter_map(|u| u.manager_id).collect();
                let managers: HashMap<i64, String> = match user::Entity::find()
                    .filter(user::Column::Id.is_in(managers))
                    .all(&db)
                    .await
                {
                    Ok(list) => list
                        .into_iter()
                        .map(|m| (m.id, m.employee_id.unwrap_or(m.email)))
                        .collect(),
                    Err(e) => {
                        let _ = tx.send(Err(e.into())).await;
                        return;
                    }
                };
                let rows: Vec<Row> = page
                    .iter()
                    .map(|u| {
                        vec![
                            u.employee_id.clone().into(),
                            u.email.as_str().into(),
                            u.name.as_str().into(),
                            u.team_id.and_then(|t| paths.get(&t).cloned()).into(),
                            u.manager_id.and_then(|m| managers.get(&m).cloned()).into(),
                            u.job_role.clone().into(),
                            u.career_level.clone().into(),
                            u.level_since.map(|d| d.to_string()).into(),
                            u.locale.clone().into(),
                            u.role.as_str().into(),
                        ]
                    })
                    .collect();
                let last = page.last().map(|u| u.id);
                if !rows.is_empty() && tx.send(Ok(rows)).await.is_err() {
                    return;
                }
                match last {
                    Some(last) if page.len() == PAGE => after = last,
                    _ => return,
                }
            }
        },
    ))
}
