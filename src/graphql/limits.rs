//! What one request may ask for, checked before anything runs: the body's
//! size, how deeply brackets nest, how many fields and mutations it holds,
//! how often an expensive or password-hashing field appears, and every text
//! it carries (control characters, lengths). Depth and complexity (the cost
//! each field declares) are set on the schema builder in `graphql/mod.rs`.

use std::collections::{BTreeMap, HashMap};

use async_graphql::parser::types::{
    ExecutableDocument, OperationType, Selection, SelectionSet, VariableDefinition,
};
use async_graphql::{Pos, Positioned, ServerError, Variables};
use async_graphql_value::{ConstValue, Name, Value};
use poem::http::StatusCode;
use tokio::io::AsyncReadExt as _;

use super::error::{ApiError, Code, http_error};
use crate::error::{Error, Problem};

/// Brackets, braces and parentheses open at once in the query text, and
/// levels of lists and objects in the variables. async-graphql's parser
/// recurses once per level of a value literal and has no bound of its own
/// there: a list nested ~3,000 deep overflowed the stack and aborted the
/// process. Real queries stay far below this (selections are limited to 16).
pub const MAX_NESTING: usize = 64;
/// Fields in one operation, aliases and fragment expansions included.
pub const MAX_FIELDS: usize = 500;
/// Top-level fields of one mutation operation.
pub const MAX_MUTATIONS: usize = 10;
/// Top-level fields that hash a password (argon2: ~20 MiB and tens of ms each).
pub const MAX_PASSWORD_HASHING: usize = 1;
/// How often one expensive field may appear in one operation.
pub const MAX_EXPENSIVE_REPEATS: usize = 2;

/// Fields that hash a password with argon2 before answering.
pub const PASSWORD_HASHING_FIELDS: &[&str] = &["login", "acceptInvitation", "resetPassword"];

/// Top-level fields whose answer is large or costly to compute whatever the
/// selection (whole documents, organisation-wide roll-ups, imports).
pub const EXPENSIVE_FIELDS: &[&str] = &[
    "framework",
    "frameworkDraft",
    "exportFramework",
    "exportRoleMatrix",
    "roleMatrix",
    "promotionReadiness",
    "advancementPaths",
    "certificationSummary",
    "certificationProgress",
    "teamSkillMatrix",
    "teamPerformance",
    "assessmentDivergence",
    "emailOutbox",
    "importFramework",
    "importRoleMatrix",
    "importKpiActuals",
    "runCertificationReminders",
];

/// What fields cost against `MAX_COMPLEXITY` (20,000), beyond 1 per field.
/// Used by the resolvers' `#[graphql(complexity = …)]`.
pub mod cost {
    /// A whole framework as a document (~150 KB of YAML).
    pub const DOCUMENT: usize = 2_000;
    /// A framework read as a tree.
    pub const FRAMEWORK: usize = 500;
    /// One role's matrix.
    pub const MATRIX: usize = 100;
    /// A roll-up over a team or cycle (many people, several statements).
    pub const ROLLUP: usize = 300;
    /// Scoring every next move of everyone in reach (1 s for 10,000 people).
    pub const ORGANISATION: usize = 2_000;

    /// A page of `first` items, each costing what its selection costs.
    pub fn per_item(first: i32, child_complexity: usize) -> usize {
        usize::try_from(first.clamp(1, 10_000))
            .unwrap_or(1)
            .saturating_mul(child_complexity.max(1))
    }
}

/// Names (one line of text: people, teams, keys, ids, filters).
pub const MAX_NAME_CHARS: usize = 200;
/// Free texts a person writes: notes, comments, evidence, descriptions.
pub const MAX_FREE_TEXT_CHARS: usize = 4_000;
/// Whole documents (framework YAML/JSON, CSV imports). The body limit
/// (`max_body_bytes`) bounds them too.
pub const MAX_DOCUMENT_CHARS: usize = 1_000_000;

/// How a text argument may look, decided by its argument or input field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TextRule {
    /// Newlines and tabs allowed (never other control characters).
    multiline: bool,
    /// Carriage returns too: CSV files written on Windows end lines with CRLF.
    carriage_return: bool,
    max_chars: usize,
}

fn rule_for(name: &str) -> TextRule {
    let line = |max_chars| TextRule {
        multiline: false,
        carriage_return: false,
        max_chars,
    };
    match name {
        "document" | "csv" => TextRule {
            multiline: true,
            carriage_return: true,
            max_chars: MAX_DOCUMENT_CHARS,
        },
        "note" | "body" | "evidence" | "description" | "text" => TextRule {
            multiline: true,
            carriage_return: false,
            max_chars: MAX_FREE_TEXT_CHARS,
        },
        // Long enough for the password rule to answer with its own message.
        "password" | "token" | "refreshToken" => line(1_024),
        // RFC 5321's longest address.
        "email" | "recipientEmail" => line(254),
        // A credential may be a URL.
        "credential" => line(2_000),
        _ => line(MAX_NAME_CHARS),
    }
}

/// The keys of `LocalizedTextInput`: a translation follows the rule of the
/// field holding it (`name.en` is a name, `description.zhCn` free text).
fn is_locale_key(key: &str) -> bool {
    matches!(key, "en" | "zhCn")
}

fn check_text(rule: TextRule, label: &str, text: &str, problems: &mut Vec<Problem>) {
    let bad_char = text.chars().find(|&c| {
        c.is_control()
            && !(rule.multiline && (c == '\n' || c == '\t'))
            && !(rule.carriage_return && c == '\r')
    });
    if let Some(c) = bad_char {
        problems.push(Problem::new(
            label,
            format!(
                "must not contain control characters (found U+{:04X}){}",
                c as u32,
                if rule.multiline {
                    ""
                } else {
                    "; line breaks and tabs are not allowed here"
                }
            ),
        ));
    } else if text.len() > rule.max_chars && text.chars().count() > rule.max_chars {
        problems.push(Problem::new(
            label,
            format!("must be at most {} characters", rule.max_chars),
        ));
    }
}

/// The most problems listed in one answer: enough to fix a form, not a way
/// to make the server write megabytes of errors.
const MAX_PROBLEMS: usize = 20;

struct TextCheck<'a> {
    variables: &'a BTreeMap<Name, ConstValue>,
    defaults: HashMap<&'a str, &'a ConstValue>,
    problems: Vec<Problem>,
}

impl TextCheck<'_> {
    fn value(&mut self, value: &Value, rule_name: &str, label: &str) {
        if self.problems.len() >= MAX_PROBLEMS {
            return;
        }
        match value {
            Value::String(s) => check_text(rule_for(rule_name), label, s, &mut self.problems),
            Value::List(items) => {
                for item in items {
                    self.value(item, rule_name, label);
                }
            }
            Value::Object(fields) => {
                for (key, item) in fields {
                    let rule = if is_locale_key(key) { rule_name } else { key };
                    self.value(item, rule, &format!("{label}.{key}"));
                }
            }
            Value::Variable(name) => {
                let found = self
                    .variables
                    .get(name)
                    .or_else(|| self.defaults.get(name.as_str()).copied());
                if let Some(constant) = found {
                    self.constant(constant, rule_name, label);
                }
            }
            Value::Null
            | Value::Number(_)
            | Value::Boolean(_)
            | Value::Binary(_)
            | Value::Enum(_) => {}
        }
    }

    fn constant(&mut self, value: &ConstValue, rule_name: &str, label: &str) {
        if self.problems.len() >= MAX_PROBLEMS {
            return;
        }
        match value {
            ConstValue::String(s) => check_text(rule_for(rule_name), label, s, &mut self.problems),
            ConstValue::List(items) => {
                for item in items {
                    self.constant(item, rule_name, label);
                }
            }
            ConstValue::Object(fields) => {
                for (key, item) in fields {
                    let rule = if is_locale_key(key) { rule_name } else { key };
                    self.constant(item, rule, &format!("{label}.{key}"));
                }
            }
            ConstValue::Null
            | ConstValue::Number(_)
            | ConstValue::Boolean(_)
            | ConstValue::Binary(_)
            | ConstValue::Enum(_) => {}
        }
    }

    fn selection_set(&mut self, set: &SelectionSet) {
        for selection in &set.items {
            for directive in selection.node.directives() {
                for (name, value) in &directive.node.arguments {
                    self.value(&value.node, &name.node, &name.node);
                }
            }
            match &selection.node {
                Selection::Field(field) => {
                    for (name, value) in &field.node.arguments {
                        self.value(&value.node, &name.node, &name.node);
                    }
                    self.selection_set(&field.node.selection_set.node);
                }
                Selection::InlineFragment(fragment) => {
                    self.selection_set(&fragment.node.selection_set.node);
                }
                // Fragment definitions are checked once each, below.
                Selection::FragmentSpread(_) => {}
            }
        }
    }
}

/// Every text that can reach a resolver, literal or variable, against the
/// rule for its name. One place, so no text input reaches a service (or the
/// database) unchecked: PostgreSQL refuses NUL in text and answered INTERNAL.
pub fn check_texts(doc: &ExecutableDocument, variables: &Variables) -> Result<(), ApiError> {
    let definitions: Vec<&Positioned<VariableDefinition>> = doc
        .operations
        .iter()
        .flat_map(|(_, op)| op.node.variable_definitions.iter())
        .collect();
    let mut check = TextCheck {
        variables,
        defaults: definitions
            .iter()
            .filter_map(|d| {
                d.node
                    .default_value
                    .as_ref()
                    .map(|v| (d.node.name.node.as_str(), &v.node))
            })
            .collect(),
        problems: Vec::new(),
    };
    for (_, op) in doc.operations.iter() {
        check.selection_set(&op.node.selection_set.node);
    }
    for fragment in doc.fragments.values() {
        check.selection_set(&fragment.node.selection_set.node);
    }
    if check.problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(check.problems).into())
    }
}

/// Fields counted in one operation, fragments expanded.
#[derive(Default)]
struct Tally<'a> {
    fields: usize,
    /// Fragment spreads followed: bounds the walk even for fragments that
    /// spread other fragments many times.
    spreads: usize,
    root: HashMap<&'a str, usize>,
}

impl<'a> Tally<'a> {
    fn over(&self) -> bool {
        self.fields > MAX_FIELDS || self.spreads > MAX_FIELDS * 4
    }

    fn walk(
        &mut self,
        doc: &'a ExecutableDocument,
        set: &'a SelectionSet,
        at_root: bool,
        expanding: &mut Vec<&'a str>,
    ) {
        for selection in &set.items {
            if self.over() {
                return;
            }
            match &selection.node {
                Selection::Field(field) => {
                    self.fields += 1;
                    if at_root {
                        *self.root.entry(field.node.name.node.as_str()).or_default() += 1;
                    }
                    self.walk(doc, &field.node.selection_set.node, false, expanding);
                }
                Selection::InlineFragment(fragment) => {
                    self.walk(doc, &fragment.node.selection_set.node, at_root, expanding);
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    self.spreads += 1;
                    // A cycle is a validation error reported later; here it
                    // must only not loop.
                    if expanding.contains(&name) {
                        continue;
                    }
                    if let Some(fragment) = doc.fragments.get(name) {
                        expanding.push(name);
                        self.walk(doc, &fragment.node.selection_set.node, at_root, expanding);
                        expanding.pop();
                    }
                }
            }
        }
    }
}

fn limit_error(message: String) -> ApiError {
    ApiError::new(Code::BadUserInput, message)
}

/// Counts per operation: fields (aliases included), mutations, password
/// hashing, repeated expensive fields.
pub fn check_counts(doc: &ExecutableDocument) -> Result<(), ApiError> {
    for (_, op) in doc.operations.iter() {
        let mut tally = Tally::default();
        tally.walk(doc, &op.node.selection_set.node, true, &mut Vec::new());
        if tally.over() {
            return Err(limit_error(format!(
                "too many fields: at most {MAX_FIELDS} fields per request, aliases and fragments included (limit: fields per request)"
            )));
        }
        if op.node.ty == OperationType::Mutation {
            let mutations: usize = tally.root.values().sum();
            if mutations > MAX_MUTATIONS {
                return Err(limit_error(format!(
                    "too many mutations: {mutations} in one request, at most {MAX_MUTATIONS} (limit: mutations per request)"
                )));
            }
        }
        let hashing: usize = PASSWORD_HASHING_FIELDS
            .iter()
            .filter_map(|f| tally.root.get(f))
            .sum();
        if hashing > MAX_PASSWORD_HASHING {
            return Err(limit_error(format!(
                "too many password checks: at most {MAX_PASSWORD_HASHING} of {} per request (limit: password hashing per request)",
                PASSWORD_HASHING_FIELDS.join(", ")
            )));
        }
        for field in EXPENSIVE_FIELDS {
            if let Some(&count) = tally.root.get(field)
                && count > MAX_EXPENSIVE_REPEATS
            {
                return Err(limit_error(format!(
                    "`{field}` appears {count} times: an expensive field may appear at most {MAX_EXPENSIVE_REPEATS} times per request (limit: expensive field repeats)"
                )));
            }
        }
    }
    Ok(())
}

/// The deepest nesting of `{`, `[` and `(` in GraphQL text, outside strings
/// and comments; stops counting once past `limit`. A linear scan, no parse.
pub fn query_nesting(query: &str, limit: usize) -> usize {
    let bytes = query.as_bytes();
    let (mut i, mut depth, mut deepest) = (0, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() {
                    if bytes[i..].starts_with(b"\\\"\"\"") {
                        i += 4;
                    } else if bytes[i..].starts_with(b"\"\"\"") {
                        i += 2;
                        break;
                    } else {
                        i += 1;
                    }
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' => break,
                        // A string cannot span lines: the parser stops here too.
                        b'\n' | b'\r' => break,
                        _ => i += 1,
                    }
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > limit {
                    return deepest;
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// Levels of lists and objects in a variable's value. The JSON decoder
/// already stops at 128 levels, so this recursion is bounded.
pub fn value_nesting(value: &ConstValue) -> usize {
    match value {
        ConstValue::List(items) => 1 + items.iter().map(value_nesting).max().unwrap_or(0),
        ConstValue::Object(fields) => 1 + fields.values().map(value_nesting).max().unwrap_or(0),
        _ => 0,
    }
}

/// Refuses a request whose query text or variables nest deeper than
/// `MAX_NESTING`, before anything parses the query.
pub fn check_nesting(query: &str, variables: &Variables) -> Result<(), ApiError> {
    if query_nesting(query, MAX_NESTING) > MAX_NESTING {
        return Err(limit_error(format!(
            "the query nests brackets more than {MAX_NESTING} levels deep (limit: nesting)"
        )));
    }
    // The variables object itself is one level.
    let deepest = variables.values().map(value_nesting).max().unwrap_or(0) + 1;
    if deepest > MAX_NESTING {
        return Err(limit_error(format!(
            "the variables nest more than {MAX_NESTING} levels deep (limit: nesting)"
        )));
    }
    Ok(())
}

/// A whole-request refusal: no location in the query to point at.
fn server_error(err: ApiError) -> ServerError {
    let mut error = async_graphql::Error::from(err).into_server_error(Pos::default());
    error.locations.clear();
    error
}

/// The checks a request passes before the schema executes it (see
/// `prepare`): counts and texts of the parsed document, and introspection
/// where it is off. `check_nesting` ran on the raw query before.
pub(crate) fn check_document(
    doc: &ExecutableDocument,
    variables: &Variables,
    introspection: bool,
) -> Result<(), ServerError> {
    if !introspection {
        for (_, op) in doc.operations.iter() {
            let mut tally = Tally::default();
            tally.walk(doc, &op.node.selection_set.node, true, &mut Vec::new());
            if tally.root.contains_key("__schema") || tally.root.contains_key("__type") {
                return Err(server_error(limit_error(
                    "introspection is turned off on this server (setting: introspection)".into(),
                )));
            }
        }
    }
    check_counts(doc).map_err(server_error)?;
    check_texts(doc, variables).map_err(server_error)?;
    Ok(())
}

/// async-graphql's own limit errors, said in the terms of the other limits:
/// which limit, and how costs add up.
pub(crate) fn explain_limit(error: ServerError) -> ServerError {
    let message = match error.message.as_str() {
        "Query is too complex." => format!(
            "the query costs more than {} (limit: complexity). Every field costs 1, a list costs its page size (`first`) times its selection, whole documents and organisation-wide views cost hundreds to thousands",
            super::MAX_COMPLEXITY
        ),
        "Query is nested too deep." => format!(
            "the query nests selections more than {} levels deep (limit: depth)",
            super::MAX_DEPTH
        ),
        _ => return error,
    };
    ServerError { message, ..error }
}

/// Reads the request body into memory up to `max` bytes and puts it back;
/// a bigger body is refused with 413 as soon as it is known to be bigger
/// (from `Content-Length`, or after `max` bytes of a chunked body), without
/// reading the rest.
pub async fn limit_body(req: &mut poem::Request, max: usize) -> Result<(), poem::Response> {
    let too_large = || {
        http_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            Code::BadUserInput,
            &format!("the request body is larger than {max} bytes (limit: max_body_bytes)"),
        )
    };
    let declared = req
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > max as u64) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(declared.map_or(0, |len| len as usize));
    let read = req
        .take_body()
        .into_async_read()
        .take(max as u64 + 1)
        .read_to_end(&mut body)
        .await;
    if let Err(err) = read {
        return Err(http_error(
            StatusCode::BAD_REQUEST,
            Code::BadUserInput,
            &format!("could not read the request body: {err}"),
        ));
    }
    if body.len() > max {
        return Err(too_large());
    }
    req.set_body(body);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_brackets_outside_strings_and_comments() {
        assert_eq!(query_nesting("{ a }", 64), 1);
        assert_eq!(query_nesting("{ a(x: [[1]]) { b } }", 64), 4);
        assert_eq!(query_nesting(r#"{ a(x: "[[[[[[") }"#, 64), 2);
        assert_eq!(query_nesting("{ a # [[[[[[\n }", 64), 1);
        assert_eq!(query_nesting(r#"{ a(x: """ [[[[ \""" [[[ """) }"#, 64), 2);
        assert_eq!(query_nesting(r#"{ a(x: "\"[[[[") }"#, 64), 2);
        let deep = format!(
            "{{ users(first: {}1{}) {{ id }} }}",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        assert!(query_nesting(&deep, MAX_NESTING) > MAX_NESTING);
    }

    #[test]
    fn free_text_keeps_line_breaks_names_do_not() {
        let mut problems = Vec::new();
        check_text(
            rule_for("note"),
            "note",
            "line one\nline two\tend",
            &mut problems,
        );
        assert!(problems.is_empty());
        check_text(rule_for("name"), "name", "Ada\nLovelace", &mut problems);
        check_text(rule_for("note"), "note", "nul\0here", &mut problems);
        check_text(
            rule_for("email"),
            "email",
            "a\u{7f}@example.com",
            &mut problems,
        );
        check_text(rule_for("name"), "name", &"x".repeat(201), &mut problems);
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["name", "note", "email", "name"]);
        assert!(problems[3].message.contains("at most 200"));
    }

    #[test]
    fn counts_see_aliases_and_fragments() {
        let parse = |q: &str| async_graphql::parser::parse_query(q).unwrap();
        let aliases: String = (0..3).map(|i| format!("e{i}: exportFramework ")).collect();
        let err = check_counts(&parse(&format!("{{ {aliases} }}"))).unwrap_err();
        assert!(format!("{err:?}").contains("exportFramework"));
        let spread = parse(
            "query { ...A ...B } fragment A on Query { exportFramework } fragment B on Query { x: exportFramework y: exportFramework }",
        );
        assert!(check_counts(&spread).is_err());
        let logins = parse(
            "mutation { a: login(email: \"x\", password: \"y\") b: login(email: \"x\", password: \"y\") { accessToken } }",
        );
        assert!(check_counts(&logins).is_err());
        assert!(check_counts(&parse("{ me { id } framework { version } }")).is_ok());
        // A fragment cycle must not loop here (validation reports it).
        assert!(check_counts(&parse("{ ...A } fragment A on Query { me { id } ...A }")).is_ok());
    }
}
