//! Reading the file an HR system exports into rows of text, before any rule
//! about people applies: CSV (comma or semicolon, with or without a BOM,
//! UTF-8 or GB18030 as Excel in China saves it) or `.xlsx` (the first sheet).
//! Headers are matched by name, in English or Chinese, in any order.

use std::io::Cursor;

use crate::error::{Error, Result};

/// The columns of a people file, in the order an export writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    EmployeeId,
    Email,
    Name,
    Team,
    Manager,
    JobRole,
    CareerLevel,
    LevelSince,
    Locale,
    Role,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::EmployeeId,
        Column::Email,
        Column::Name,
        Column::Team,
        Column::Manager,
        Column::JobRole,
        Column::CareerLevel,
        Column::LevelSince,
        Column::Locale,
        Column::Role,
    ];

    /// The English header an export writes.
    pub fn header(self) -> &'static str {
        self.aliases()[0]
    }

    /// The Chinese header an export in zh-CN writes.
    pub fn header_zh(self) -> &'static str {
        self.aliases()
            .iter()
            .find(|a| !a.is_ascii())
            .copied()
            .unwrap_or(self.header())
    }

    /// Accepted header names, compared after trimming, lower-casing and
    /// turning spaces and dashes into underscores. The first is the canonical one.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::EmployeeId => &["employee_id", "employee_no", "工号", "员工编号"],
            Column::Email => &["email", "e_mail", "邮箱", "电子邮件"],
            Column::Name => &["name", "full_name", "姓名"],
            Column::Team => &["team", "team_path", "department", "团队", "部门"],
            Column::Manager => &["manager", "manager_email", "manager_id", "上级", "直属上级"],
            Column::JobRole => &["job_role", "岗位", "职位"],
            Column::CareerLevel => &["career_level", "level", "职级"],
            Column::LevelSince => &["level_since", "定级日期", "职级起始日期"],
            Column::Locale => &["locale", "language", "语言"],
            Column::Role => &["role", "access_role", "角色", "权限"],
        }
    }

    fn from_header(raw: &str) -> Option<Column> {
        let key: String = raw
            .trim()
            .trim_start_matches('\u{feff}')
            .to_lowercase()
            .chars()
            .map(|c| if c == ' ' || c == '-' { '_' } else { c })
            .collect();
        Column::ALL
            .into_iter()
            .find(|c| c.aliases().iter().any(|a| *a == key))
    }
}

/// One data row: its line (or sheet row) number as a person counts, and its
/// cells by column, trimmed, empty cells as `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRow {
    pub line: usize,
    cells: [Option<String>; 10],
}

impl RawRow {
    pub fn get(&self, column: Column) -> Option<&str> {
        self.cells[column as usize].as_deref()
    }

    pub fn new(line: usize, cells: impl IntoIterator<Item = (Column, String)>) -> Self {
        let mut row = RawRow {
            line,
            ..Default::default()
        };
        for (column, value) in cells {
            let value = value.trim();
            if !value.is_empty() {
                row.cells[column as usize] = Some(value.to_owned());
            }
        }
        row
    }
}

/// A file read into rows, with the columns its header named (a column the
/// file leaves out is left as it is on existing people; a blank cell in a
/// column it has clears the value).
#[derive(Debug, Clone, Default)]
pub struct PeopleFile {
    pub columns: Vec<Column>,
    pub rows: Vec<RawRow>,
}

impl PeopleFile {
    pub fn has(&self, column: Column) -> bool {
        self.columns.contains(&column)
    }
}

/// How much a file may hold; checked while reading.
#[derive(Debug, Clone, Copy)]
pub struct FileLimits {
    pub max_bytes: usize,
    pub max_rows: usize,
}

impl Default for FileLimits {
    fn default() -> Self {
        Self {
            max_bytes: 20 * 1024 * 1024,
            max_rows: 50_000,
        }
    }
}

/// Reads a people file, recognising `.xlsx` by its content (a zip archive),
/// anything else as CSV.
pub fn read_people_file(bytes: &[u8], limits: FileLimits) -> Result<PeopleFile> {
    if bytes.len() > limits.max_bytes {
        return Err(Error::invalid(
            "file",
            format!(
                "the file is {} bytes; at most {} are accepted",
                bytes.len(),
                limits.max_bytes
            ),
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes, limits)
    } else {
        read_csv(&decode_text(bytes)?, limits)
    }
}

/// UTF-8 (a BOM is dropped) when the bytes are valid UTF-8, otherwise GB18030,
/// which Excel uses for "CSV" on Chinese Windows. GB18030 covers all of
/// Unicode, so the only failure is bytes that are neither.
pub fn decode_text(bytes: &[u8]) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| t.into_owned())
        .ok_or_else(|| Error::invalid("file", "the text is neither UTF-8 nor GB18030"))
}

/// The delimiter of the header line: a semicolon when it has more of those
/// than commas (Excel in locales with a decimal comma), else a comma.
fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or_default();
    if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    }
}

fn header_columns(header: &[String]) -> Result<Vec<Option<Column>>> {
    let columns: Vec<Option<Column>> = header.iter().map(|h| Column::from_header(h)).collect();
    let missing: Vec<&str> = [Column::Email, Column::Name]
        .into_iter()
        .filter(|c| !columns.contains(&Some(*c)))
        .map(Column::header)
        .collect();
    if !missing.is_empty() {
        return Err(Error::invalid(
            "file",
            format!(
                "the header must name the columns {} (found: {})",
                missing.join(", "),
                header.join(", ")
            ),
        ));
    }
    for column in Column::ALL {
        if columns.iter().filter(|c| **c == Some(column)).count() > 1 {
            return Err(Error::invalid(
                "file",
                format!("the column {} appears twice", column.header()),
            ));
        }
    }
    Ok(columns)
}

fn too_many(limits: FileLimits) -> Error {
    Error::invalid(
        "file",
        format!("at most {} people per file", limits.max_rows),
    )
}

pub fn read_csv(text: &str, limits: FileLimits) -> Result<PeopleFile> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::invalid("file", format!("unreadable header: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    let columns = header_columns(&header)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or_default();
            Error::invalid(format!("row {line}"), format!("unreadable: {e}"))
        })?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() >= limits.max_rows {
            return Err(too_many(limits));
        }
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        rows.push(RawRow::new(
            line,
            columns
                .iter()
                .zip(record.iter())
                .filter_map(|(c, v)| c.map(|c| (c, v.to_owned()))),
        ));
    }
    Ok(PeopleFile {
        columns: columns.into_iter().flatten().collect(),
        rows,
    })
}

fn xlsx_cell(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Employee ids typed as numbers come back as floats: 1001.0 is "1001".
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        // Excel's serial day 0 is 1899-12-30 (keeping its 1900 leap-year bug).
        Data::DateTime(d) => chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|base| {
                base.checked_add_signed(chrono::Duration::days(d.as_f64().floor() as i64))
            })
            .map(|d| d.to_string())
            .unwrap_or_default(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

pub fn read_xlsx(bytes: &[u8], limits: FileLimits) -> Result<PeopleFile> {
    use calamine::{Reader, Xlsx};
    let unreadable =
        |e: calamine::XlsxError| Error::invalid("file", format!("unreadable xlsx: {e}"));
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| Error::invalid("file", "the workbook has no sheet"))?
        .map_err(unreadable)?;
    // Sheet rows are numbered from the range's start, as Excel shows them.
    let first_row = range.start().map(|(r, _)| r as usize + 1).unwrap_or(1);
    let mut sheet_rows = range.rows();
    let Some(header) = sheet_rows.next() else {
        return Err(Error::invalid("file", "the sheet is empty"));
    };
    let header: Vec<String> = header.iter().map(xlsx_cell).collect();
    let columns = header_columns(&header)?;
    let mut rows = Vec::new();
    for (index, cells) in sheet_rows.enumerate() {
        let values: Vec<String> = cells.iter().map(xlsx_cell).collect();
        if values.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if rows.len() >= limits.max_rows {
            return Err(too_many(limits));
        }
        rows.push(RawRow::new(
            first_row + 1 + index,
            columns
                .iter()
                .zip(values)
                .filter_map(|(c, v)| c.map(|c| (c, v))),
        ));
    }
    Ok(PeopleFile {
        columns: columns.into_iter().flatten().collect(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_a_bom_and_chinese_headers_are_understood() {
        let text = "\u{feff}工号;邮箱;姓名;团队\n7;li@example.com;李雷;运营中心/用户运营\n";
        let file = read_people_file(text.as_bytes(), FileLimits::default()).unwrap();
        assert!(file.has(Column::Team) && !file.has(Column::Manager));
        let rows = file.rows;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].get(Column::EmployeeId), Some("7"));
        assert_eq!(rows[0].get(Column::Name), Some("李雷"));
        assert_eq!(rows[0].get(Column::Team), Some("运营中心/用户运营"));
        assert_eq!(rows[0].get(Column::Manager), None);
    }

    #[test]
    fn gb18030_text_is_decoded() {
        let text = "email,name\nli@example.com,李雷\n";
        let (encoded, _, _) = encoding_rs::GB18030.encode(text);
        assert!(std::str::from_utf8(&encoded).is_err());
        let rows = read_people_file(&encoded, FileLimits::default())
            .unwrap()
            .rows;
        assert_eq!(rows[0].get(Column::Name), Some("李雷"));
    }

    #[test]
    fn a_file_without_the_required_columns_or_too_long_is_refused() {
        let err = read_csv("mail,who\na,b\n", FileLimits::default()).unwrap_err();
        assert!(err.to_string().contains("email, name"), "{err}");
        let limits = FileLimits {
            max_rows: 1,
            ..FileLimits::default()
        };
        let err = read_csv("email,name\na@x.io,A\nb@x.io,B\n", limits).unwrap_err();
        assert!(err.to_string().contains("at most 1"), "{err}");
    }
}
