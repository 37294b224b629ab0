//! One-at-a-time edits of the learning catalogue, applied to the draft like
//! every other catalogue edit (HR edits, an admin publishes). Retiring keeps a
//! resource in the document, so plans that took it can still read it.

use super::document::{FrameworkDocument, LearningResource};
use crate::error::{Error, Problems, Result};

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 4_000;
pub const MAX_LIST: usize = 20;
pub const MAX_HOURS: u32 = 1_000;

/// Adds `resource`, or replaces the one with its key (keeping its retired flag
/// unless the new one says otherwise). Bounds are checked here; references
/// (skills, levels) by the framework's validation of the whole draft.
pub fn upsert_learning_resource(
    doc: &mut FrameworkDocument,
    resource: LearningResource,
) -> Result<()> {
    let mut problems = Problems::new();
    let key_ok = !resource.key.is_empty()
        && resource.key.len() <= 64
        && resource
            .key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !key_ok {
        problems.add("key", "1–64 characters: lowercase letters, digits and _");
    }
    for (field, text) in [
        ("title.en", &resource.title.en),
        ("title.zhCn", &resource.title.zh_cn),
    ] {
        if text.chars().count() > MAX_TITLE {
            problems.add(field, format!("must be at most {MAX_TITLE} characters"));
        }
    }
    for (field, text) in [
        ("description.en", &resource.description.en),
        ("description.zhCn", &resource.description.zh_cn),
    ] {
        if text.chars().count() > MAX_DESCRIPTION {
            problems.add(
                field,
                format!("must be at most {MAX_DESCRIPTION} characters"),
            );
        }
    }
    if resource.hours > MAX_HOURS {
        problems.add("hours", format!("must be at most {MAX_HOURS}"));
    }
    if resource.skills.len() > MAX_LIST {
        problems.add("skills", format!("at most {MAX_LIST} skills"));
    }
    if resource.levels.len() > MAX_LIST {
        problems.add("levels", format!("at most {MAX_LIST} levels"));
    }
    problems.into_result()?;
    match doc
        .learning_resources
        .iter_mut()
        .find(|r| r.key == resource.key)
    {
        Some(existing) => *existing = resource,
        None => doc.learning_resources.push(resource),
    }
    Ok(())
}

/// Retires (or brings back) a resource.
pub fn retire_learning_resource(
    doc: &mut FrameworkDocument,
    key: &str,
    retired: bool,
) -> Result<()> {
    let found = doc
        .learning_resources
        .iter_mut()
        .find(|r| r.key == key)
        .ok_or(Error::NotFound("learning resource"))?;
    found.retired = retired;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::document::{LocalizedText, ResourceKind};

    fn resource(key: &str) -> LearningResource {
        LearningResource {
            key: key.into(),
            title: LocalizedText::new("Incident reviews", "事故复盘"),
            description: LocalizedText::new("d", "d"),
            kind: ResourceKind::Practice,
            hours: 4,
            skills: vec!["data_analysis".into()],
            levels: vec!["p2".into()],
            retired: false,
        }
    }

    #[test]
    fn a_resource_is_added_then_replaced_then_retired_and_kept() {
        let mut doc = FrameworkDocument::default_operations().unwrap();
        let before = doc.learning_resources.len();
        upsert_learning_resource(&mut doc, resource("incident_reviews")).unwrap();
        let mut changed = resource("incident_reviews");
        changed.hours = 6;
        upsert_learning_resource(&mut doc, changed).unwrap();
        assert_eq!(doc.learning_resources.len(), before + 1);
        retire_learning_resource(&mut doc, "incident_reviews", true).unwrap();
        let kept = doc.learning_resources.last().unwrap();
        assert_eq!((kept.hours, kept.retired), (6, true));
        assert!(retire_learning_resource(&mut doc, "nope", true).is_err());
    }

    #[test]
    fn bounds_name_their_fields() {
        let mut doc = FrameworkDocument::default_operations().unwrap();
        let mut long = resource("Bad Key");
        long.title.en = "x".repeat(MAX_TITLE + 1);
        long.skills = vec!["s".into(); MAX_LIST + 1];
        let Err(Error::Invalid(problems)) = upsert_learning_resource(&mut doc, long) else {
            panic!("refused");
        };
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["key", "title.en", "skills"]);
    }
}
