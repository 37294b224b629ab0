//! Certification progress: one row per record within the caller's reach
//! (their own, their reports', everyone's for HR), with the same filters as
//! `certificationProgress`, read a page at a time.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use super::{Cell, Heading, PAGE, Row, Table};
use crate::auth::{Actor, Locale};
use crate::certification::{self, CertificationFilter};
use crate::error::Result;
use crate::framework::FrameworkStore;
use crate::people;

pub const HEADINGS: [Heading; 14] = [
    Heading("employee_id", "工号"),
    Heading("email", "邮箱"),
    Heading("name", "姓名"),
    Heading("job_role", "岗位"),
    Heading("career_level", "职级"),
    Heading("certification_key", "证书代码"),
    Heading("certification", "证书"),
    Heading("status", "状态"),
    Heading("progress_percent", "进度%"),
    Heading("started_on", "开始日期"),
    Heading("target_on", "目标日期"),
    Heading("earned_on", "获得日期"),
    Heading("expires_on", "有效期至"),
    Heading("verified", "已核验"),
];

pub async fn certification_progress(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    filter: CertificationFilter,
    today: NaiveDate,
    locale: Locale,
) -> Result<Table> {
    // The first page is read before answering, so a refusal (a team out of
    // reach, say) is an HTTP error rather than a broken file.
    let first =
        certification::certification_progress(db, actor, &filter, today, None, PAGE as u64).await?;
    let fw = store.current(db).await?;
    let names: HashMap<String, String> = fw
        .doc
        .certification_families
        .iter()
        .flat_map(|f| f.certifications.iter())
        .map(|c| (c.key.clone(), c.name.get(locale).to_owned()))
        .collect();
    let (db, actor) = (db.clone(), actor.clone());
    Ok(Table::spawn(
        "certification-progress".into(),
        "certifications",
        &HEADINGS,
        locale,
        move |tx| async move {
            let mut page = Ok(first);
            loop {
                let (records, has_next) = match page {
                    Ok(p) => p,
                    Err(e) => {
                        let _ = tx.send(Err(e)).await;
                        return;
                    }
                };
                let ids: Vec<i64> = records.iter().map(|r| r.user_id).collect();
                let holders = match people::people_by_ids(&db, &ids).await {
                    Ok(p) => p,
                    Err(e) => {
                        let _ = tx.send(Err(e)).await;
                        return;
                    }
                };
                let rows: Vec<Row> = records
                    .iter()
                    .filter_map(|r| {
                        let person = holders.get(&r.user_id)?;
                        Some(vec![
                            person.employee_id.clone().into(),
                            person.email.as_str().into(),
                            person.name.as_str().into(),
                            person.job_role.clone().into(),
                            person.career_level.clone().into(),
                            r.certification.as_str().into(),
                            names
                                .get(&r.certification)
                                .map_or(Cell::Empty, |n| n.as_str().into()),
                            r.status(today).as_str().into(),
                            Cell::Int(r.progress.into()),
                            r.started_on.map(|d| d.to_string()).into(),
                            r.target_on.map(|d| d.to_string()).into(),
                            r.earned_on.map(|d| d.to_string()).into(),
                            r.expires_on.map(|d| d.to_string()).into(),
                            Cell::Text(if r.verified_at.is_some() { "yes" } else { "no" }.into()),
                        ])
                    })
                    .collect();
                let last = records.last().map(|r| r.id);
                if !rows.is_empty() && tx.send(Ok(rows)).await.is_err() {
                    return;
                }
                match last {
                    Some(last) if has_next => {
                        page = certification::certification_progress(
                            &db,
                            &actor,
                            &filter,
                            today,
                            Some(last),
                            PAGE as u64,
                        )
                        .await;
                    }
                    _ => return,
                }
            }
        },
    ))
}
