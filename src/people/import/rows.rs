//! One row of the file, parsed and checked on its own.

use super::*;

/// A row that passed its own checks.
#[derive(Debug, Clone)]
pub(super) struct Row {
    /// Its place among the rows that parsed (`Who::New` points here).
    pub(super) index: usize,
    pub(super) line: usize,
    pub(super) employee_id: Option<String>,
    pub(super) email: String,
    pub(super) name: String,
    pub(super) team: Option<String>,
    pub(super) manager: Option<String>,
    pub(super) job_role: Option<String>,
    pub(super) career_level: Option<String>,
    pub(super) level_since: Option<NaiveDate>,
    pub(super) locale: Option<Locale>,
    pub(super) role: Role,
}

/// Who a row or a manager reference means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Who {
    Known(i64),
    /// The row at this index of the file will create them.
    New(usize),
}

/// A team path with its parts trimmed, or a message saying what is wrong.
pub(super) fn parse_team_path(raw: &str) -> std::result::Result<String, String> {
    let parts: Vec<String> = raw
        .split('/')
        .map(|p| parse_team_name(p).map_err(|e| format!("team {raw:?}: {e}")))
        .collect::<std::result::Result<_, _>>()?;
    Ok(parts.join("/"))
}

pub(super) fn parse_role(raw: Option<&str>) -> std::result::Result<Role, String> {
    let Some(raw) = raw else {
        return Ok(Role::Employee);
    };
    let role = match raw {
        "员工" => Role::Employee,
        "经理" => Role::Manager,
        "人力资源" => Role::Hr,
        _ => Role::from_str(raw)?,
    };
    if role == Role::Admin {
        return Err("admins are not imported: give them their role by hand".into());
    }
    Ok(role)
}

pub(super) fn parse_date(raw: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(raw, f).ok())
}

/// The checks one row can fail on its own.
pub(super) fn parse_row(
    raw: &RawRow,
    fw: &Framework,
    problems: &mut Vec<RowProblem>,
) -> Option<Row> {
    let before = problems.len();
    let mut bad = |column: Column, message: String| {
        problems.push(RowProblem {
            row: raw.line,
            column: column.header(),
            message,
        })
    };
    let email = match raw.get(Column::Email).map(Email::parse) {
        None => {
            bad(Column::Email, "is required".into());
            None
        }
        Some(Err(e)) => {
            bad(Column::Email, strip_field(e));
            None
        }
        Some(Ok(e)) => Some(e.as_str().to_owned()),
    };
    let name = raw.get(Column::Name).unwrap_or_default().to_owned();
    if name.is_empty() {
        bad(Column::Name, "is required".into());
    } else if name.chars().count() > 200 {
        bad(Column::Name, "must be at most 200 characters".into());
    }
    let employee_id = raw.get(Column::EmployeeId).map(str::to_owned);
    if employee_id.as_ref().is_some_and(|e| e.chars().count() > 64) {
        bad(Column::EmployeeId, "must be at most 64 characters".into());
    }
    let team = match raw.get(Column::Team).map(parse_team_path).transpose() {
        Ok(t) => t,
        Err(e) => {
            bad(Column::Team, e);
            None
        }
    };
    let role = parse_role(raw.get(Column::Role))
        .map_err(|e| bad(Column::Role, e))
        .ok();
    let locale = match raw.get(Column::Locale) {
        None => None,
        Some(tag) => match Locale::from_tag(tag) {
            Some(l) => Some(l),
            None => {
                bad(
                    Column::Locale,
                    format!("unknown language {tag:?}: expected en or zh-CN"),
                );
                None
            }
        },
    };
    let level_since = match raw.get(Column::LevelSince) {
        None => None,
        Some(d) => match parse_date(d) {
            Some(d) => Some(d),
            None => {
                bad(
                    Column::LevelSince,
                    format!("{d:?} is not a date (YYYY-MM-DD)"),
                );
                None
            }
        },
    };
    let job_role = raw.get(Column::JobRole).map(str::to_owned);
    let career_level = raw.get(Column::CareerLevel).map(str::to_owned);
    if let Err(Error::Invalid(list)) =
        check_position(fw, job_role.as_deref(), career_level.as_deref())
    {
        for p in list {
            let column = if p.field == "jobRole" {
                Column::JobRole
            } else {
                Column::CareerLevel
            };
            bad(column, p.message);
        }
    }
    if problems.len() > before {
        return None;
    }
    Some(Row {
        index: 0,
        line: raw.line,
        employee_id,
        email: email?,
        name,
        team,
        manager: raw.get(Column::Manager).map(str::to_owned),
        job_role,
        career_level,
        level_since,
        locale,
        role: role?,
    })
}

pub(super) fn strip_field(err: Error) -> String {
    match err {
        Error::Invalid(list) => list
            .into_iter()
            .map(|p| p.message)
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}
