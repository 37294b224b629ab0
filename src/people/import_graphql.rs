//! `importPeople`: the file as an upload (GraphQL multipart request) or as
//! text, read and checked off the async threads, then imported.

use async_graphql::{Context, Object, SimpleObject, Upload};

use super::import::{ImportOptions, ImportReport, import_people};
use super::import_file::{FileLimits, read_people_file};
use crate::graphql::context::{actor, current_framework, state};
use crate::graphql::error::{ApiError, ApiResult};

/// One problem found in an import file: the row, the column and what is wrong.
#[derive(SimpleObject)]
pub struct ImportProblem {
    /// The row as a spreadsheet numbers it (the header is row 1).
    pub row: i32,
    /// The column's English header, e.g. `manager`.
    pub column: String,
    /// What is wrong with the row.
    pub message: String,
}

/// What an import changed, or on a dry run would change; people by email.
#[derive(SimpleObject)]
pub struct PeopleImportReport {
    /// False for a dry run, and when the file has problems.
    pub applied: bool,
    /// The file's rows, the header not counted.
    pub rows: i32,
    /// People the file adds.
    pub created: Vec<String>,
    /// People whose details change (name, email, employee id, access role,
    /// position, language, reactivation), but not their team or manager.
    pub updated: Vec<String>,
    /// People whose team or manager changes, with or without other details.
    pub moved: Vec<String>,
    /// With `deactivateMissing`: active people the file does not list (admins
    /// and the caller never).
    pub deactivated: Vec<String>,
    /// How many listed people stay as they are.
    pub unchanged: i32,
    /// Team paths created.
    pub teams_created: Vec<String>,
    /// With `invite`: how many invitation mails are queued, one per person created.
    pub invited: i32,
    /// Every bad row; a real run with problems fails with BAD_USER_INPUT instead.
    pub problems: Vec<ImportProblem>,
}

impl From<ImportReport> for PeopleImportReport {
    fn from(r: ImportReport) -> Self {
        Self {
            applied: r.applied,
            rows: r.rows as i32,
            created: r.created,
            updated: r.updated,
            moved: r.moved,
            deactivated: r.deactivated,
            unchanged: r.unchanged as i32,
            teams_created: r.teams_created,
            invited: r.invited as i32,
            problems: r
                .problems
                .into_iter()
                .map(|p| ImportProblem {
                    row: p.row as i32,
                    column: p.column.to_owned(),
                    message: p.message,
                })
                .collect(),
        }
    }
}

/// The bytes of an upload, refused past `max_bytes` before they are read.
pub fn upload_bytes(ctx: &Context<'_>, upload: &Upload, max_bytes: usize) -> ApiResult<Vec<u8>> {
    use std::io::Read;
    let value = upload
        .value(ctx)
        .map_err(|e| ApiError::from(crate::error::Error::Internal(e.into())))?;
    let mut reader = value.into_read().take(max_bytes as u64 + 1);
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| ApiError::bad_input("file", format!("unreadable upload: {e}")))?;
    if bytes.len() > max_bytes {
        return Err(ApiError::bad_input(
            "file",
            format!("the file is larger than the {max_bytes} bytes accepted"),
        ));
    }
    Ok(bytes)
}

#[derive(Default)]
pub struct PeopleImportMutation;

#[Object]
impl PeopleImportMutation {
    /// Loads people from an HR system's file (CSV, UTF-8 or GB18030, comma
    /// or semicolon; or .xlsx), given as `file` (multipart upload) or as `document` (the file's text).
    /// All rows are applied in one transaction, or none; `dryRun` answers
    /// what would change and lists every bad row. HR and admins.
    async fn import_people(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file as a multipart upload; or `document`.")] file: Option<Upload>,
        #[graphql(desc = "The file's text; give it or `file`.")] document: Option<String>,
        #[graphql(desc = "Only answer what would change; nothing is written.", default)]
        dry_run: bool,
        #[graphql(
            desc = "Deactivate active people the file does not list (admins and the caller never).",
            default
        )]
        deactivate_missing: bool,
        #[graphql(desc = "Queue an invitation mail for each person created.", default)]
        invite: bool,
    ) -> ApiResult<PeopleImportReport> {
        let state = state(ctx)?;
        let actor = actor(ctx)?;
        let admin = crate::auth::policy::manage_accounts(actor)?;
        let limits = FileLimits {
            max_bytes: state.settings.import_max_bytes,
            max_rows: state.settings.import_max_rows,
        };
        let bytes = match (file, document) {
            (Some(upload), None) => upload_bytes(ctx, &upload, limits.max_bytes)?,
            (None, Some(document)) => document.into_bytes(),
            _ => return Err(ApiError::bad_input("file", "give either file or document")),
        };
        let parsed = tokio::task::spawn_blocking(move || read_people_file(&bytes, limits))
            .await
            .map_err(|e| ApiError::from(crate::error::Error::Internal(e.into())))??;
        let framework = current_framework(ctx).await?;
        let options = ImportOptions {
            dry_run,
            deactivate_missing,
            invite,
        };
        Ok(
            import_people(&state.db, &framework, &admin, &parsed, options)
                .await?
                .into(),
        )
    }
}
