//! The audit trail as a file, newest first, with the `auditLog` filters:
//! HR gets the changes, admins everything (client addresses included).
//! Read a window at a time, so the file streams whatever its length.

use sea_orm::DatabaseConnection;

use super::{Heading, PAGE, Row, Table};
use crate::audit::read::{self, AuditQuery, Trail};
use crate::auth::{Actor, Locale, policy};
use crate::error::Result;

const HEADINGS: &[Heading] = &[
    Heading("id", "编号"),
    Heading("at", "时间"),
    Heading("actor_id", "操作人"),
    Heading("via", "途径"),
    Heading("action", "操作"),
    Heading("category", "类别"),
    Heading("entity", "对象类型"),
    Heading("entity_id", "对象编号"),
    Heading("subject_id", "相关人员"),
    Heading("changes", "变更"),
    Heading("request_id", "请求编号"),
    Heading("client_address", "客户端地址"),
];

pub async fn audit_log(
    db: &DatabaseConnection,
    actor: &Actor,
    query: AuditQuery,
    locale: Locale,
) -> Result<Table> {
    let (reach, query) = read::reach_for(actor, Trail::Organisation(query))?;
    let show_address = policy::can_see_addresses(actor);
    let db = db.clone();
    Ok(Table::spawn(
        "audit-log".into(),
        "audit",
        HEADINGS,
        locale,
        move |tx| async move {
            let mut start = 0;
            loop {
                let page = match read::page(&db, &reach, &query, start..start + PAGE).await {
                    Ok(page) => page,
                    Err(e) => {
                        let _ = tx.send(Err(e)).await;
                        return;
                    }
                };
                let full = page.len() == PAGE;
                let rows: Vec<Row> = page
                    .into_iter()
                    .map(|e| {
                        let changes: serde_json::Map<String, serde_json::Value> = e
                            .changes
                            .iter()
                            .map(|c| {
                                let value = serde_json::json!({"from": c.from, "to": c.to});
                                (c.field.clone(), value)
                            })
                            .collect();
                        vec![
                            e.id.to_string().into(),
                            e.at.to_rfc3339().into(),
                            e.actor_id.map(|id| id.to_string()).into(),
                            e.via.into(),
                            e.action.into(),
                            e.category.as_str().into(),
                            e.entity.into(),
                            e.entity_id.map(|id| id.to_string()).into(),
                            e.subject_id.map(|id| id.to_string()).into(),
                            serde_json::Value::Object(changes).to_string().into(),
                            e.request_id.into(),
                            e.client_addr.filter(|_| show_address).into(),
                        ]
                    })
                    .collect();
                if !rows.is_empty() && tx.send(Ok(rows)).await.is_err() {
                    return;
                }
                if !full {
                    return;
                }
                start += PAGE;
            }
        },
    ))
}
