//! Checks a whole framework document and reports every problem at once, each
//! with the path to the offending value, so an admin can fix a file in one go.

use std::collections::{HashMap, HashSet};

use super::document::*;
use crate::error::Problems;

/// The product's five skill areas; a framework has exactly these.
pub const AREA_KEYS: [&str; 5] = [
    "insight",
    "analytics",
    "activity_planning",
    "community",
    "project_management",
];
pub const MAX_PROFICIENCY: u8 = 5;
pub const MAX_WEIGHT: u8 = 5;

fn is_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && key.len() <= 64
}

struct Checker {
    problems: Problems,
}

impl Checker {
    fn text(&mut self, path: &str, text: &LocalizedText) {
        if text.en.trim().is_empty() {
            self.problems
                .add(format!("{path}.en"), "missing English text");
        }
        if text.zh_cn.trim().is_empty() {
            self.problems
                .add(format!("{path}.zh-CN"), "missing Chinese (zh-CN) text");
        }
    }

    fn key<'a>(&mut self, path: &str, key: &'a str, seen: &mut HashSet<&'a str>, kind: &str) {
        if !is_key(key) {
            self.problems.add(
                format!("{path}.key"),
                format!("{key:?} is not a key: use lower snake_case ASCII, starting with a letter"),
            );
        }
        if !seen.insert(key) {
            self.problems.add(
                format!("{path}.key"),
                format!("{kind} {key:?} is defined twice"),
            );
        }
    }

    fn refs(&mut self, path: &str, keys: &[String], known: &HashSet<&str>, kind: &str) {
        for key in keys {
            if !known.contains(key.as_str()) {
                self.problems.add(path, format!("unknown {kind} {key:?}"));
            }
        }
    }
}

pub fn validate(doc: &FrameworkDocument) -> Problems {
    let mut c = Checker {
        problems: Problems::new(),
    };
    if doc.format != FORMAT {
        c.problems.add("format", format!("must be {FORMAT:?}"));
    }
    c.text("name", &doc.name);
    c.text("description", &doc.description);

    let levels: Vec<u8> = doc.scale.iter().map(|s| s.level).collect();
    if levels != (0..=MAX_PROFICIENCY).collect::<Vec<_>>() {
        c.problems
            .add("scale", "must list levels 0 to 5, once each, in order");
    }
    for s in &doc.scale {
        c.text(&format!("scale[{}].name", s.level), &s.name);
        c.text(&format!("scale[{}].description", s.level), &s.description);
    }

    let mut directions = HashSet::new();
    for d in &doc.directions {
        let path = format!("directions[{}]", d.key);
        c.key(&path, &d.key, &mut directions, "direction");
        c.text(&format!("{path}.name"), &d.name);
        c.text(&format!("{path}.description"), &d.description);
    }

    let mut areas = HashSet::new();
    let mut skills = HashSet::new();
    for area in &doc.areas {
        let path = format!("areas[{}]", area.key);
        c.key(&path, &area.key, &mut areas, "area");
        if !AREA_KEYS.contains(&area.key.as_str()) {
            c.problems.add(
                format!("{path}.key"),
                format!("unknown area: the areas are {}", AREA_KEYS.join(", ")),
            );
        }
        c.text(&format!("{path}.name"), &area.name);
        c.text(&format!("{path}.description"), &area.description);
        if area.skills.is_empty() {
            c.problems
                .add(format!("{path}.skills"), "an area needs at least one skill");
        }
        for skill in &area.skills {
            let path = format!("{path}.skills[{}]", skill.key);
            c.key(&path, &skill.key, &mut skills, "skill");
            c.text(&format!("{path}.name"), &skill.name);
            c.text(&format!("{path}.description"), &skill.description);
            let levels: Vec<u8> = skill.descriptors.keys().copied().collect();
            if levels != (1..=MAX_PROFICIENCY).collect::<Vec<_>>() {
                c.problems.add(
                    format!("{path}.descriptors"),
                    "needs a descriptor for each level 1 to 5 and no others",
                );
            }
            for (level, text) in &skill.descriptors {
                c.text(&format!("{path}.descriptors[{level}]"), text);
            }
        }
    }
    for key in AREA_KEYS {
        if !areas.contains(key) {
            c.problems
                .add("areas", format!("the {key:?} area is missing"));
        }
    }

    let mut families = HashSet::new();
    let mut kpis = HashSet::new();
    for family in &doc.kpi_families {
        let path = format!("kpi_families[{}]", family.key);
        c.key(&path, &family.key, &mut families, "KPI family");
        c.text(&format!("{path}.name"), &family.name);
        c.text(&format!("{path}.description"), &family.description);
        for area in &family.areas {
            if !areas.contains(area.as_str()) {
                c.problems.add(
                    format!("{path}.areas"),
                    format!(
                        "unknown area {area:?}: the areas are {}",
                        AREA_KEYS.join(", ")
                    ),
                );
            }
        }
        for kpi in &family.kpis {
            let path = format!("{path}.kpis[{}]", kpi.key);
            c.key(&path, &kpi.key, &mut kpis, "KPI");
            c.text(&format!("{path}.name"), &kpi.name);
            c.text(&format!("{path}.description"), &kpi.description);
        }
    }

    let mut cert_families = HashSet::new();
    let mut certs = HashSet::new();
    for family in &doc.certification_families {
        let path = format!("certification_families[{}]", family.key);
        c.key(
            &path,
            &family.key,
            &mut cert_families,
            "certification family",
        );
        c.text(&format!("{path}.name"), &family.name);
        c.text(&format!("{path}.description"), &family.description);
        for cert in &family.certifications {
            let path = format!("{path}.certifications[{}]", cert.key);
            c.key(&path, &cert.key, &mut certs, "certification");
            c.text(&format!("{path}.name"), &cert.name);
            c.text(&format!("{path}.issuer"), &cert.issuer);
            c.text(&format!("{path}.description"), &cert.description);
            if cert.validity_months == Some(0) {
                c.problems.add(
                    format!("{path}.validity_months"),
                    "must be at least 1 (leave it out for no expiry)",
                );
            }
            c.refs(&format!("{path}.skills"), &cert.skills, &skills, "skill");
        }
    }

    let mut resources = HashSet::new();
    let level_keys: HashSet<&str> = doc
        .roles
        .iter()
        .flat_map(|r| r.levels.iter().map(|l| l.key.as_str()))
        .collect();
    for res in &doc.learning_resources {
        let path = format!("learning_resources[{}]", res.key);
        c.key(&path, &res.key, &mut resources, "learning resource");
        c.text(&format!("{path}.title"), &res.title);
        c.text(&format!("{path}.description"), &res.description);
        if res.hours == 0 {
            c.problems
                .add(format!("{path}.hours"), "must be at least 1");
        }
        if res.skills.is_empty() {
            c.problems.add(
                format!("{path}.skills"),
                "must name at least one skill it builds",
            );
        }
        c.refs(&format!("{path}.skills"), &res.skills, &skills, "skill");
        for level in &res.levels {
            if !level_keys.contains(level.as_str()) {
                c.problems.add(
                    format!("{path}.levels"),
                    format!("unknown career level {level:?}"),
                );
            }
        }
    }

    let mut roles = HashSet::new();
    let mut role_levels: HashMap<String, (u8, Track)> = HashMap::new();
    for role in &doc.roles {
        let path = format!("roles[{}]", role.key);
        c.key(&path, &role.key, &mut roles, "role");
        c.text(&format!("{path}.name"), &role.name);
        c.text(&format!("{path}.description"), &role.description);
        if role.levels.is_empty() {
            c.problems
                .add(format!("{path}.levels"), "a role needs at least one level");
        }
        let mut level_keys = HashSet::new();
        for level in &role.levels {
            let lpath = format!("{path}.levels[{}]", level.key);
            c.key(&lpath, &level.key, &mut level_keys, "level");
            c.text(&format!("{lpath}.title"), &level.title);
            if !(1..=20).contains(&level.rank) {
                c.problems
                    .add(format!("{lpath}.rank"), "must be between 1 and 20");
            }
            c.refs(
                &format!("{lpath}.certifications.required"),
                &level.certifications.required,
                &certs,
                "certification",
            );
            c.refs(
                &format!("{lpath}.certifications.recommended"),
                &level.certifications.recommended,
                &certs,
                "certification",
            );
            role_levels.insert(
                format!("{}/{}", role.key, level.key),
                (level.rank, level.track),
            );
        }
        for (skill, req) in &role.requirements {
            let rpath = format!("{path}.requirements[{skill}]");
            if !skills.contains(skill.as_str()) {
                c.problems.add(&rpath, format!("unknown skill {skill:?}"));
            }
            if !(1..=MAX_WEIGHT).contains(&req.weight) {
                c.problems
                    .add(format!("{rpath}.weight"), "must be between 1 and 5");
            }
            for (level, weight) in &req.weights {
                if !level_keys.contains(level.as_str()) {
                    c.problems.add(
                        format!("{rpath}.weights"),
                        format!("unknown level {level:?}"),
                    );
                }
                if !(1..=MAX_WEIGHT).contains(weight) {
                    c.problems.add(
                        format!("{rpath}.weights[{level}]"),
                        "must be between 1 and 5",
                    );
                }
                if *weight == req.weight {
                    // Kept canonical so every export of the same matrix is the same file.
                    c.problems.add(
                        format!("{rpath}.weights[{level}]"),
                        "equals the skill's weight: leave it out",
                    );
                }
            }
            for level in &role.levels {
                if !req.levels.contains_key(&level.key) {
                    c.problems.add(
                        format!("{rpath}.levels"),
                        format!("no required level for {:?}", level.key),
                    );
                }
            }
            for (level, required) in &req.levels {
                if !level_keys.contains(level.as_str()) {
                    c.problems.add(
                        format!("{rpath}.levels"),
                        format!("unknown level {level:?}"),
                    );
                }
                if *required > MAX_PROFICIENCY {
                    c.problems.add(
                        format!("{rpath}.levels[{level}]"),
                        "must be between 0 and 5",
                    );
                }
            }
            for level in &req.critical {
                if !level_keys.contains(level.as_str()) {
                    c.problems.add(
                        format!("{rpath}.critical"),
                        format!("unknown level {level:?}"),
                    );
                } else if req.levels.get(level).copied().unwrap_or(0) == 0 {
                    c.problems.add(
                        format!("{rpath}.critical"),
                        format!(
                            "{level:?} requires nothing of this skill: it cannot be critical there"
                        ),
                    );
                }
            }
        }
    }

    let mut edges = HashSet::new();
    let mut promotions: HashMap<&str, Vec<&str>> = HashMap::new();
    for (i, edge) in doc.paths.iter().enumerate() {
        let path = format!("paths[{i}]");
        let from = role_levels.get(&edge.from);
        let to = role_levels.get(&edge.to);
        if from.is_none() {
            c.problems.add(
                format!("{path}.from"),
                format!("unknown role level {:?}", edge.from),
            );
        }
        if to.is_none() {
            c.problems.add(
                format!("{path}.to"),
                format!("unknown role level {:?}", edge.to),
            );
        }
        if !edges.insert((&edge.from, &edge.to)) {
            c.problems.add(
                &path,
                format!("the move {} → {} is listed twice", edge.from, edge.to),
            );
        }
        if let Some(direction) = &edge.direction
            && !directions.contains(direction.as_str())
        {
            c.problems.add(
                format!("{path}.direction"),
                format!("unknown direction {direction:?}"),
            );
        }
        c.refs(
            &format!("{path}.gates.certifications"),
            &edge.gates.certifications,
            &certs,
            "certification",
        );
        if edge.gates.min_kpi_attainment.is_some_and(|v| v > 200) {
            c.problems.add(
                format!("{path}.gates.min_kpi_attainment"),
                "must be a percentage up to 200",
            );
        }
        let (Some((from_rank, from_track)), Some((to_rank, to_track))) = (from, to) else {
            continue;
        };
        let same_role = split_ref(&edge.from).map(|r| r.0) == split_ref(&edge.to).map(|r| r.0);
        let kind_problem = match edge.kind {
            PathKind::Promotion if !same_role => Some("a promotion stays in the same role"),
            PathKind::Promotion if from_track != to_track => {
                Some("a promotion stays on the same track")
            }
            PathKind::Promotion if to_rank <= from_rank => {
                Some("a promotion goes to a higher rank")
            }
            PathKind::Lateral if same_role => Some("a lateral move goes to another role"),
            PathKind::Lateral if from_track != to_track => {
                Some("a lateral move stays on the same track")
            }
            PathKind::Management
                if *from_track != Track::IndividualContributor
                    || *to_track != Track::Management =>
            {
                Some(
                    "a management move goes from the individual-contributor to the management track",
                )
            }
            _ => None,
        };
        if let Some(message) = kind_problem {
            c.problems.add(format!("{path}.kind"), message);
        }
        if edge.kind == PathKind::Promotion {
            promotions
                .entry(edge.from.as_str())
                .or_default()
                .push(edge.to.as_str());
        }
    }
    if let Some(cycle) = find_cycle(&promotions) {
        c.problems.add(
            "paths",
            format!("promotions form a cycle: {}", cycle.join(" → ")),
        );
    }
    c.problems
}

/// A cycle in the promotion graph, if any (depth-first search).
fn find_cycle<'a>(graph: &HashMap<&'a str, Vec<&'a str>>) -> Option<Vec<&'a str>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit<'a>(
        node: &'a str,
        graph: &HashMap<&'a str, Vec<&'a str>>,
        marks: &mut HashMap<&'a str, Mark>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<&'a str>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Visiting) => {
                let start = stack.iter().position(|n| *n == node).unwrap_or(0);
                let mut cycle = stack[start..].to_vec();
                cycle.push(node);
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node, Mark::Visiting);
        stack.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        marks.insert(node, Mark::Done);
        None
    }
    let mut marks = HashMap::new();
    let mut nodes: Vec<&str> = graph.keys().copied().collect();
    nodes.sort_unstable();
    for node in nodes {
        if let Some(cycle) = visit(node, graph, &mut marks, &mut Vec::new()) {
            return Some(cycle);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_doc() -> FrameworkDocument {
        FrameworkDocument::default_operations().expect("the shipped framework parses")
    }

    #[test]
    fn the_shipped_framework_is_valid() {
        let problems = validate(&default_doc()).into_vec();
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn every_problem_is_listed_with_its_path() {
        let mut doc = default_doc();
        doc.areas[0].skills[0].descriptors.remove(&3);
        doc.areas[1].skills[0].name.zh_cn.clear();
        doc.roles[0].requirements.insert(
            "no_such_skill".into(),
            Requirement {
                weight: 9,
                weights: Default::default(),
                levels: Default::default(),
                critical: Vec::new(),
            },
        );
        doc.paths.push(PathEdge {
            from: "user_operations/p2".into(),
            to: "user_operations/p1".into(),
            kind: PathKind::Promotion,
            direction: None,
            gates: Gates::default(),
        });
        let fields: Vec<String> = validate(&doc)
            .into_vec()
            .into_iter()
            .map(|p| p.field)
            .collect();
        for expected in [
            "areas[insight].skills[user_persona].descriptors",
            "areas[analytics].skills[",
            "roles[user_operations].requirements[no_such_skill]",
            "roles[user_operations].requirements[no_such_skill].weight",
            "paths",
        ] {
            assert!(
                fields.iter().any(|f| f.starts_with(expected)),
                "no problem at {expected}: {fields:#?}"
            );
        }
    }

    #[test]
    fn promotion_cycles_are_found() {
        let mut graph = HashMap::new();
        graph.insert("a/1", vec!["a/2"]);
        graph.insert("a/2", vec!["a/3"]);
        graph.insert("a/3", vec!["a/1"]);
        assert_eq!(find_cycle(&graph).unwrap().len(), 4);
        graph.insert("a/3", vec![]);
        assert!(find_cycle(&graph).is_none());
    }
}
