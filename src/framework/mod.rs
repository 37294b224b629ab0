//! The competency framework: areas and skills, roles and their levels, the
//! skill matrix, path edges and the catalogues (KPIs, certifications,
//! learning resources). Versioned: a draft is edited, then published as the
//! next numbered version; published versions never change, so anything
//! pinned to one keeps its meaning.

pub mod catalogue;
pub mod document;
pub mod edits;
pub mod graphql;
pub mod matrix_csv;
pub mod model;
pub mod validate;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use self::document::FrameworkDocument;
pub use self::model::{Framework, VersionInfo, VersionStatus};
use crate::audit::{self, Change};
use crate::auth::policy::{CatalogueEditor, FrameworkEditor};
use crate::db::{self, entities::framework_version as row};
use crate::error::{Error, Result};

/// Published versions, parsed once and shared. They never change, so the
/// cache needs no invalidation; only "which version is current" is asked of
/// the database each time (one small query), so a version published by
/// another server process is seen at once.
#[derive(Default)]
pub struct FrameworkStore {
    published: RwLock<HashMap<i64, Arc<Framework>>>,
}

#[derive(FromQueryResult)]
struct IdOnly {
    id: i64,
}

fn info(model: &row::Model) -> Result<VersionInfo> {
    let status = match model.status.as_str() {
        "DRAFT" => VersionStatus::Draft,
        "PUBLISHED" => VersionStatus::Published,
        other => {
            return Err(Error::Internal(anyhow::anyhow!(
                "framework version status {other:?}"
            )));
        }
    };
    Ok(VersionInfo {
        id: model.id,
        number: model.number,
        status,
        created_at: model.created_at,
        published_at: model.published_at,
    })
}

fn parse(model: row::Model) -> Result<Framework> {
    let version = info(&model)?;
    let doc: FrameworkDocument = serde_json::from_str(&model.document)
        .map_err(|e| Error::Internal(anyhow::anyhow!("framework version {}: {e}", model.id)))?;
    Ok(Framework::new(version, doc))
}

impl FrameworkStore {
    /// The newest published version.
    pub async fn current(&self, db: &impl ConnectionTrait) -> Result<Arc<Framework>> {
        let id = row::Entity::find()
            .select_only()
            .column(row::Column::Id)
            .filter(row::Column::Status.eq(VersionStatus::Published.as_str()))
            .order_by_desc(row::Column::Number)
            .limit(1)
            .into_model::<IdOnly>()
            .one(db)
            .await?
            .ok_or(Error::NotFound("published framework"))?;
        self.published_by_id(db, id.id).await
    }

    /// Published version `number`.
    pub async fn version(&self, db: &impl ConnectionTrait, number: i32) -> Result<Arc<Framework>> {
        let id = row::Entity::find()
            .select_only()
            .column(row::Column::Id)
            .filter(row::Column::Number.eq(number))
            .into_model::<IdOnly>()
            .one(db)
            .await?
            .ok_or(Error::NotFound("framework version"))?;
        self.published_by_id(db, id.id).await
    }

    /// A published version by id: what pinned records (assessment cycles) hold.
    pub async fn published_by_id(
        &self,
        db: &impl ConnectionTrait,
        id: i64,
    ) -> Result<Arc<Framework>> {
        if let Some(hit) = self
            .published
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
        {
            return Ok(hit.clone());
        }
        let model = row::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(Error::NotFound("framework version"))?;
        let framework = Arc::new(parse(model)?);
        if framework.version.status != VersionStatus::Published {
            return Err(Error::NotFound("framework version"));
        }
        self.published
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, framework.clone());
        Ok(framework)
    }

    /// The open draft, if any (never cached: it changes).
    pub async fn draft(&self, db: &impl ConnectionTrait) -> Result<Option<Framework>> {
        let model = row::Entity::find()
            .filter(row::Column::Status.eq(VersionStatus::Draft.as_str()))
            .one(db)
            .await?;
        model.map(parse).transpose()
    }
}

/// Every version, newest first.
pub async fn versions(db: &DatabaseConnection) -> Result<Vec<VersionInfo>> {
    let rows = row::Entity::find()
        .select_only()
        .columns([
            row::Column::Id,
            row::Column::Number,
            row::Column::Status,
            row::Column::CreatedAt,
            row::Column::PublishedAt,
        ])
        .order_by_desc(row::Column::Id)
        .into_tuple::<(
            i64,
            Option<i32>,
            String,
            chrono::DateTime<Utc>,
            Option<chrono::DateTime<Utc>>,
        )>()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|(id, number, status, created_at, published_at)| {
            Ok(VersionInfo {
                id,
                number,
                status: VersionStatus::from_stored(&status)?,
                created_at,
                published_at,
            })
        })
        .collect()
}

fn check(doc: &FrameworkDocument) -> Result<()> {
    validate::validate(doc).into_result()
}

fn encode(doc: &FrameworkDocument) -> Result<String> {
    serde_json::to_string(doc).map_err(|e| Error::Internal(e.into()))
}

/// Loads the shipped operations framework as version 1 when the database has
/// no framework yet. Returns whether it did.
pub async fn seed_default_if_empty(db: &DatabaseConnection) -> Result<bool> {
    let txn = db::begin_write(db).await?;
    if row::Entity::find().count(&txn).await? > 0 {
        return Ok(false);
    }
    let doc = FrameworkDocument::default_operations()
        .map_err(|e| Error::Internal(anyhow::anyhow!("shipped framework: {e}")))?;
    check(&doc)?;
    let now = crate::clock::now();
    let row = row::ActiveModel {
        number: Set(Some(1)),
        status: Set(VersionStatus::Published.as_str().into()),
        draft_slot: Set(None),
        document: Set(encode(&doc)?),
        created_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        published_by: Set(None),
        published_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let published = Change::new("framework.publish", "framework_version", row.id)
        .fact("number", 1)
        .fact("source", "the shipped operations framework");
    audit::commit(txn, [published]).await?;
    Ok(true)
}

/// What `skillpath seed framework` did.
pub enum SeedOutcome {
    Published,
    Drafted,
}

impl std::fmt::Display for SeedOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SeedOutcome::Published => "default framework published as version 1",
            SeedOutcome::Drafted => {
                "a framework exists already: the default framework is now the draft; review it and publish it with publishFrameworkDraft"
            }
        })
    }
}

/// Loads the default framework: as version 1 on an empty database, otherwise
/// into the draft, so a newer shipped framework can be reviewed before use.
pub async fn seed_default(db: &DatabaseConnection) -> Result<SeedOutcome> {
    if seed_default_if_empty(db).await? {
        return Ok(SeedOutcome::Published);
    }
    let doc = FrameworkDocument::default_operations()
        .map_err(|e| Error::Internal(anyhow::anyhow!("shipped framework: {e}")))?;
    check(&doc)?;
    save_draft(db, None, &doc).await?;
    Ok(SeedOutcome::Drafted)
}

/// Replaces the draft (or starts one) with a whole document, after checking
/// it. Nothing is stored when any problem is found.
pub async fn import_draft(
    db: &DatabaseConnection,
    editor: &FrameworkEditor,
    doc: FrameworkDocument,
) -> Result<Framework> {
    check(&doc)?;
    save_draft(db, Some(editor.by().user_id), &doc).await
}

/// Starts a draft from the current version.
pub async fn create_draft(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    editor: &CatalogueEditor,
) -> Result<Framework> {
    let actor = editor.by();
    if store.draft(db).await?.is_some() {
        return Err(Error::Conflict(
            "a draft already exists: edit it, publish it or discard it".into(),
        ));
    }
    let current = store.current(db).await?;
    save_draft(db, Some(actor.user_id), &current.doc).await
}

/// A draft edit's entry names at most this many changed parts of the document.
const DRAFT_DIFF_LIMIT: usize = 50;

async fn save_draft(
    db: &DatabaseConnection,
    user: Option<i64>,
    doc: &FrameworkDocument,
) -> Result<Framework> {
    let now = crate::clock::now();
    let txn = db::begin_write(db).await?;
    let existing = row::Entity::find()
        .filter(row::Column::Status.eq(VersionStatus::Draft.as_str()))
        .one(&txn)
        .await?;
    // What the edit is measured against: the draft, or the published
    // version a new draft starts from.
    let base = match &existing {
        Some(draft) => Some(draft.clone()),
        None => {
            row::Entity::find()
                .filter(row::Column::Status.eq(VersionStatus::Published.as_str()))
                .order_by_desc(row::Column::Number)
                .one(&txn)
                .await?
        }
    };
    let before = base.map(parse).transpose()?.map(|f| f.doc);
    let started = existing.is_none();
    let saved = match existing {
        Some(model) => {
            let mut active: row::ActiveModel = model.into();
            active.document = Set(encode(doc)?);
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        None => row::ActiveModel {
            number: Set(None),
            status: Set(VersionStatus::Draft.as_str().into()),
            draft_slot: Set(Some(1)),
            document: Set(encode(doc)?),
            created_by: Set(user),
            created_at: Set(now),
            updated_at: Set(now),
            published_by: Set(None),
            published_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| {
            if db::is_unique_violation(&e) {
                Error::Conflict("another draft was started at the same time".into())
            } else {
                e.into()
            }
        })?,
    };
    let action = if started {
        "framework.draft_start"
    } else {
        "framework.draft_edit"
    };
    let mut edited = Change::new(action, "framework_version", saved.id);
    if let Some(before) = &before {
        edited = edited.document_diff(before, doc, DRAFT_DIFF_LIMIT);
    }
    audit::commit(txn, [edited]).await?;
    parse(saved)
}

/// Publishes the draft as the next version number.
pub async fn publish_draft(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    editor: &FrameworkEditor,
) -> Result<Arc<Framework>> {
    let actor = editor.by();
    let txn = db::begin_write(db).await?;
    let draft = row::Entity::find()
        .filter(row::Column::Status.eq(VersionStatus::Draft.as_str()))
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("framework draft"))?;
    let parsed = parse(draft.clone())?;
    check(&parsed.doc)?;
    let last = row::Entity::find()
        .select_only()
        .column_as(row::Column::Number.max(), "max")
        .into_tuple::<Option<i32>>()
        .one(&txn)
        .await?
        .flatten()
        .unwrap_or(0);
    let now = crate::clock::now();
    let mut active: row::ActiveModel = draft.into();
    active.status = Set(VersionStatus::Published.as_str().into());
    active.draft_slot = Set(None);
    active.number = Set(Some(last + 1));
    active.published_at = Set(Some(now));
    active.published_by = Set(Some(actor.user_id));
    active.updated_at = Set(now);
    let published = active.update(&txn).await?;
    let change = Change::new("framework.publish", "framework_version", published.id)
        .fact("number", last + 1);
    audit::commit(txn, [change]).await?;
    tracing::info!(
        version = last + 1,
        user_id = actor.user_id,
        "framework published"
    );
    store.published_by_id(db, published.id).await
}

pub async fn discard_draft(db: &DatabaseConnection, _editor: &FrameworkEditor) -> Result<bool> {
    let txn = db::begin_write(db).await?;
    let deleted = row::Entity::delete_many()
        .filter(row::Column::Status.eq(VersionStatus::Draft.as_str()))
        .exec(&txn)
        .await?;
    let discarded = Change::new("framework.draft_discard", "framework_version", None)
        .fact("discarded", deleted.rows_affected > 0);
    audit::commit(txn, [discarded]).await?;
    Ok(deleted.rows_affected > 0)
}

/// Checks that `role/level` names a place in the framework (for people's positions).
pub fn check_position(fw: &Framework, role: Option<&str>, level: Option<&str>) -> Result<()> {
    match (role, level) {
        (None, None) => Ok(()),
        (Some(role), level) => {
            let Some(job) = fw.role(role) else {
                return Err(Error::invalid(
                    "jobRole",
                    format!("unknown job role {role:?}"),
                ));
            };
            match level {
                Some(level) if !job.levels.iter().any(|l| l.key == level) => Err(Error::invalid(
                    "careerLevel",
                    format!("{role:?} has no level {level:?}"),
                )),
                _ => Ok(()),
            }
        }
        (None, Some(_)) => Err(Error::invalid(
            "careerLevel",
            "a career level needs a job role",
        )),
    }
}
