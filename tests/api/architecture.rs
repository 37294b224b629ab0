//! Where rules live: resolvers translate between GraphQL and the
//! capabilities, nothing more. A resolver that queries the database or
//! refuses a caller on its own is a rule the services do not know about, so
//! this test reads every GraphQL module and names each such line.

use std::path::{Path, PathBuf};

/// Reading or writing the database.
const DATABASE: &[&str] = &[
    "Entity::",
    "entities::",
    "find_by_statement",
    "execute_unprepared",
    "execute_raw",
    "begin_write",
    "Statement::",
    "QueryFilter",
    ".query_one(",
    ".query_all(",
];

fn graphql_modules(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            graphql_modules(&path, found);
        } else if name.ends_with(".rs")
            && (name.starts_with("graphql")
                || path.parent().is_some_and(|p| p.ends_with("graphql")))
        {
            found.push(path);
        }
    }
}

/// A call to the policy whose answer the resolver keeps to itself: a refusal
/// passed on and the capability thrown away (`policy::x(..)?;` as a
/// statement), or a yes/no taken from it (`.is_ok()`, `.is_err()`). Such a
/// permission is decided here and the service never learns of it. Asking
/// the policy for a capability and handing it to the service
/// (`let reader = policy::view_work(..)?;`, `&policy::hr(actor)?` as an
/// argument) is what the services require: they take the capability, not the
/// caller, so they cannot run without the decision. Asking what a field may
/// show (`policy::can_…`, a yes or no) is translation.
fn decides_permission(line: &str) -> bool {
    let statement = line.trim_start();
    line.match_indices("policy::").any(|(at, _)| {
        let call = &line[at + "policy::".len()..];
        if call.starts_with("can_") {
            return false;
        }
        let discarded = statement.starts_with("policy::")
            || statement.starts_with("crate::auth::policy::")
            || statement.starts_with("super::policy::")
            || statement.starts_with("let _ =")
            || statement.starts_with("let _: ");
        discarded || call.contains(".is_ok()") || call.contains(".is_err()")
    })
}

#[test]
fn no_resolver_touches_the_database_or_decides_a_permission() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = Vec::new();
    graphql_modules(&src, &mut modules);
    assert!(modules.len() > 10, "found the GraphQL modules: {modules:?}");
    let mut offending = Vec::new();
    for module in &modules {
        // The schema's own plumbing: limits, errors, loaders, pagination.
        if module.parent().is_some_and(|p| p.ends_with("src/graphql")) {
            continue;
        }
        let text = std::fs::read_to_string(module).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if DATABASE.iter().any(|p| code.contains(p)) || decides_permission(code) {
                offending.push(format!(
                    "{}:{}: {}",
                    module.strip_prefix(&src).unwrap().display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        offending.is_empty(),
        "move these into the capability's service:\n{}",
        offending.join("\n")
    );
}

#[test]
fn the_check_sees_what_it_looks_for() {
    assert!(decides_permission(
        "        policy::edit_framework(actor)?;"
    ));
    assert!(decides_permission(
        "        if policy::view_work(actor, id).is_err() {"
    ));
    assert!(decides_permission("        let _ = policy::hr(actor)?;"));
    assert!(!decides_permission(
        "if !policy::can_view_person(actor(ctx)?, id) {"
    ));
    assert!(!decides_permission(
        "        let reader = policy::view_work(actor, user_id)?;"
    ));
    assert!(!decides_permission(
        "            &policy::hr(actor(ctx)?)?,"
    ));
    assert!(DATABASE.iter().any(|p| "user::Entity::find()".contains(p)));
}
