//! Changes to the draft, one rule each: what a change may touch, who may make
//! it, and what makes it invalid. Every edit takes the capability its kind of
//! change needs and goes through `edit_draft`, which keeps the change only
//! if the whole framework is still valid. Resolvers only translate arguments.

use sea_orm::DatabaseConnection;

use super::document::{
    Certification, DocumentFormat, Kpi, LearningResource, LocalizedText, Requirement,
};
use super::{
    Framework, FrameworkDocument, FrameworkStore, catalogue, check, matrix_csv, save_draft,
};
use crate::auth::Actor;
use crate::auth::policy::{CatalogueEditor, FrameworkEditor};
use crate::error::{Error, Result};

/// Applies one change to the draft and keeps it only if the whole framework
/// is still valid. Private: the public edits take the capability their kind
/// of change needs (`FrameworkEditor` for roles, levels, the matrix and
/// paths; `CatalogueEditor` for descriptors and catalogues) and pass its
/// caller on.
async fn edit_draft(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    change: impl FnOnce(&mut FrameworkDocument) -> Result<()>,
) -> Result<Framework> {
    let draft = store.draft(db).await?.ok_or(Error::NotFound(
        "framework draft (start one with createFrameworkDraft)",
    ))?;
    let mut doc = draft.doc;
    change(&mut doc)?;
    check(&doc)?;
    save_draft(db, Some(actor.user_id), &doc).await
}

/// Replaces the draft (or starts one) with a whole framework file (admins).
pub async fn import_document(
    db: &DatabaseConnection,
    editor: &FrameworkEditor,
    document: &str,
    format: DocumentFormat,
) -> Result<Framework> {
    let doc = FrameworkDocument::parse(document, format)
        .map_err(|e| Error::invalid("document", e.to_string()))?;
    super::import_draft(db, editor, doc).await
}

/// The draft, for those who may edit it (admins and HR).
pub async fn draft(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    _editor: &CatalogueEditor,
) -> Result<Option<Framework>> {
    store.draft(db).await
}

/// One role's matrix replaced from CSV, as `exportRoleMatrix` writes it (admins).
pub async fn import_role_matrix(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    editor: &FrameworkEditor,
    role: &str,
    csv: &str,
) -> Result<Framework> {
    edit_draft(db, store, editor.by(), |doc| {
        let job = doc
            .roles
            .iter_mut()
            .find(|r| r.key == role)
            .ok_or(Error::NotFound("job role"))?;
        job.requirements = matrix_csv::import(job, csv)?;
        Ok(())
    })
    .await
}

/// What one level (1 to 5) of a skill looks like (admins and HR).
pub async fn set_skill_descriptor(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    editor: &CatalogueEditor,
    skill: &str,
    level: u8,
    text: LocalizedText,
) -> Result<Framework> {
    if !(1..=5).contains(&level) {
        return Err(Error::invalid(
            "level",
            "descriptors exist for levels 1 to 5",
        ));
    }
    edit_draft(db, store, editor.by(), |doc| {
        let found = doc
            .areas
            .iter_mut()
            .flat_map(|a| a.skills.iter_mut())
            .find(|s| s.key == skill)
            .ok_or(Error::NotFound("skill"))?;
        found.descriptors.insert(level, text);
        Ok(())
    })
    .await
}

/// One cell of a role's matrix: the proficiency `skill` needs at `level`
/// (0 = not expected) and its weight there (admins). A weight equal to the
/// row's usual weight is not stored per level.
pub async fn set_skill_requirement(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    editor: &FrameworkEditor,
    cell: (&str, &str, &str),
    required: u8,
    weight: u8,
) -> Result<Framework> {
    let (role, level, skill) = cell;
    edit_draft(db, store, editor.by(), |doc| {
        let job = doc
            .roles
            .iter_mut()
            .find(|r| r.key == role)
            .ok_or(Error::NotFound("job role"))?;
        if !job.levels.iter().any(|l| l.key == level) {
            return Err(Error::invalid(
                "level",
                format!("{role:?} has no level {level:?}"),
            ));
        }
        let levels: Vec<String> = job.levels.iter().map(|l| l.key.clone()).collect();
        let row = job
            .requirements
            .entry(skill.to_owned())
            .or_insert_with(|| Requirement {
                weight,
                weights: Default::default(),
                levels: levels.iter().map(|l| (l.clone(), 0)).collect(),
                critical: Vec::new(),
            });
        row.levels.insert(level.to_owned(), required);
        if weight == row.weight {
            row.weights.shift_remove(level);
        } else {
            row.weights.insert(level.to_owned(), weight);
        }
        Ok(())
    })
    .await
}

/// Replaces the item with the same key in place (its position in the
/// catalogue is kept), or adds it at the end.
fn upsert_by_key<T>(items: &mut Vec<T>, item: T, key: impl Fn(&T) -> &str) {
    match items
        .iter()
        .position(|existing| key(existing) == key(&item))
    {
        Some(at) => items[at] = item,
        None => items.push(item),
    }
}

/// Adds a KPI to a family, or replaces the one with the same key (admins and HR).
pub async fn upsert_kpi(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    editor: &CatalogueEditor,
    family: &str,
    kpi: Kpi,
) -> Result<Framework> {
    edit_draft(db, store, editor.by(), |doc| {
        let fam = doc
            .kpi_families
            .iter_mut()
            .find(|f| f.key == family)
            .ok_or(Error::NotFound("KPI family"))?;
        upsert_by_key(&mut fam.kpis, kpi, |k| &k.key);
        Ok(())
    })
    .await
}

/// Adds a certification to a family, or replaces the one with the same key
/// (admins and HR).
pub async fn upsert_certification(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    editor: &CatalogueEditor,
    family: &str,
    cert: Certification,
) -> Result<Framework> {
    edit_draft(db, store, editor.by(), |doc| {
        let fam = doc
            .certification_families
            .iter_mut()
            .find(|f| f.key == family)
            .ok_or(Error::NotFound("certification family"))?;
        upsert_by_key(&mut fam.certifications, cert, |c| &c.key);
        Ok(())
    })
    .await
}

/// Adds a learning resource, or replaces the one with the same key, keeping
/// whether it was retired (admins and HR; an admin publishes).
pub async fn upsert_learning_resource(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    editor: &CatalogueEditor,
    mut resource: LearningResource,
) -> Result<Framework> {
    edit_draft(db, store, editor.by(), |doc| {
        resource.retired = doc
            .learning_resources
            .iter()
            .any(|r| r.key == resource.key && r.retired);
        catalogue::upsert_learning_resource(doc, resource)
    })
    .await
}

/// Retires a learning resource (or brings it back): no longer offered, still
/// readable on plans that took it (admins and HR).
pub async fn retire_learning_resource(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    editor: &CatalogueEditor,
    key: &str,
    retired: bool,
) -> Result<Framework> {
    edit_draft(db, store, editor.by(), |doc| {
        catalogue::retire_learning_resource(doc, key, retired)
    })
    .await
}
