//! A role's skill matrix as CSV, for spreadsheets:
//!
//! ```text
//! skill,p1,p2,…,weight@p1,weight@p2,…
//! user_persona,1,2,…,4,4,…
//! ```
//!
//! One row per skill, the required proficiency at each level, then the weight
//! at each level. Importing what was exported gives the same matrix back.

use indexmap::IndexMap;

use super::document::{JobRole, Requirement};
use super::validate::{MAX_PROFICIENCY, MAX_WEIGHT};
use crate::error::{Error, Problems, Result};

const WEIGHT_PREFIX: &str = "weight@";

pub fn export(role: &JobRole) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["skill".to_string()];
    header.extend(role.levels.iter().map(|l| l.key.clone()));
    header.extend(
        role.levels
            .iter()
            .map(|l| format!("{WEIGHT_PREFIX}{}", l.key)),
    );
    // Writing to a Vec cannot fail.
    let _ = out.write_record(&header);
    for (skill, req) in &role.requirements {
        let mut record = vec![skill.clone()];
        record.extend(
            role.levels
                .iter()
                .map(|l| req.levels.get(&l.key).copied().unwrap_or(0).to_string()),
        );
        record.extend(
            role.levels
                .iter()
                .map(|l| req.weight_at(&l.key).to_string()),
        );
        let _ = out.write_record(&record);
    }
    String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Reads a matrix for `role`; every bad cell is reported with its row number.
/// The weight of the first level becomes the skill's weight; other levels
/// that differ become per-level weights.
pub fn import(role: &JobRole, text: &str) -> Result<IndexMap<String, Requirement>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::invalid("csv", format!("unreadable header: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut expected = vec!["skill".to_string()];
    expected.extend(role.levels.iter().map(|l| l.key.clone()));
    expected.extend(
        role.levels
            .iter()
            .map(|l| format!("{WEIGHT_PREFIX}{}", l.key)),
    );
    if header != expected {
        return Err(Error::invalid(
            "csv",
            format!("the header must be: {}", expected.join(",")),
        ));
    }
    let levels = role.levels.len();
    let mut problems = Problems::new();
    let mut matrix = IndexMap::new();
    for (index, record) in reader.records().enumerate() {
        // Row 1 is the header.
        let row = index + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.add(format!("row {row}"), format!("unreadable: {e}"));
                continue;
            }
        };
        let skill = record.get(0).unwrap_or_default().to_owned();
        let mut cell = |column: usize, max: u8, min: u8| -> Option<u8> {
            let raw = record.get(column).unwrap_or_default();
            match raw.parse::<u8>() {
                Ok(v) if (min..=max).contains(&v) => Some(v),
                _ => {
                    problems.add(
                        format!("row {row}, {}", header[column]),
                        format!("{raw:?} is not a whole number from {min} to {max}"),
                    );
                    None
                }
            }
        };
        let required: Vec<Option<u8>> = (1..=levels).map(|c| cell(c, MAX_PROFICIENCY, 0)).collect();
        let weights: Vec<Option<u8>> = (levels + 1..=2 * levels)
            .map(|c| cell(c, MAX_WEIGHT, 1))
            .collect();
        if skill.is_empty() {
            problems.add(format!("row {row}, skill"), "is empty");
            continue;
        }
        if matrix.contains_key(&skill) {
            problems.add(
                format!("row {row}, skill"),
                format!("{skill:?} appears twice"),
            );
            continue;
        }
        let (Some(required), Some(weights)) = (
            required.into_iter().collect::<Option<Vec<u8>>>(),
            weights.into_iter().collect::<Option<Vec<u8>>>(),
        ) else {
            continue;
        };
        let base = weights.first().copied().unwrap_or(1);
        let requirement = Requirement {
            weight: base,
            weights: role
                .levels
                .iter()
                .zip(&weights)
                .filter(|(_, w)| **w != base)
                .map(|(l, w)| (l.key.clone(), *w))
                .collect(),
            levels: role
                .levels
                .iter()
                .zip(required)
                .map(|(l, r)| (l.key.clone(), r))
                .collect(),
            // The CSV carries levels and weights only: which levels a skill is
            // critical for stays as the framework document says.
            critical: role
                .requirements
                .get(&skill)
                .map(|r| r.critical.clone())
                .unwrap_or_default(),
        };
        matrix.insert(skill, requirement);
    }
    problems.into_result()?;
    Ok(matrix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::document::FrameworkDocument;

    #[test]
    fn every_default_matrix_round_trips() {
        let doc = FrameworkDocument::default_operations().unwrap();
        for role in &doc.roles {
            let csv = export(role);
            let back = import(role, &csv).unwrap();
            assert_eq!(back, role.requirements, "{}", role.key);
        }
    }

    #[test]
    fn bad_cells_are_reported_by_row() {
        let doc = FrameworkDocument::default_operations().unwrap();
        let role = &doc.roles[0];
        let mut csv = export(role);
        csv.push_str("user_persona,1,2,3,4,5,6,1,1,1,1,1,1\nmystery,x,1,1,1,1,1,0,1,1,1,1,1\n");
        let Err(Error::Invalid(problems)) = import(role, &csv) else {
            panic!("expected problems");
        };
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        let last = role.requirements.len() + 2;
        assert!(
            fields.contains(&format!("row {}, m2", last).as_str()),
            "{fields:?}"
        );
        assert!(
            fields.contains(&format!("row {}, p1", last + 1).as_str()),
            "{fields:?}"
        );
        assert!(
            fields.contains(&format!("row {}, weight@p1", last + 1).as_str()),
            "{fields:?}"
        );
    }
}
