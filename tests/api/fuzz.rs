//! A bounded fuzz pass over real HTTP: hostile GraphQL requests built from
//! the schema's real types, fields and arguments (wrong types, huge numbers,
//! control characters, unicode, long and deep values, many aliases), random
//! variables, malformed bodies, sent as anonymous callers, with bad tokens
//! and as each role. Whatever comes in: no 5xx, no INTERNAL, every error
//! has a code, and the server still answers.
//!
//! Bounded by `FUZZ_SECONDS` (default 15) and `FUZZ_CASES` (default 20,000);
//! `FUZZ_SEED` replays a run (each run prints its seed). `.ci/run` gives it
//! longer on SQLite and a shorter pass on PostgreSQL.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::helpers::{TestApp, org, spawn_app};

#[derive(Debug, Clone)]
struct TypeRef {
    /// As the SDL writes it, for variable declarations: `[String!]!`.
    sdl: String,
    named: String,
    lists: usize,
}

impl TypeRef {
    fn from(ty: &Type) -> Self {
        let mut lists = 0;
        let mut base = &ty.base;
        let named = loop {
            match base {
                BaseType::Named(name) => break name.to_string(),
                BaseType::List(inner) => {
                    lists += 1;
                    base = &inner.base;
                }
            }
        };
        Self {
            sdl: ty.to_string(),
            named,
            lists,
        }
    }
}

#[derive(Debug, Clone)]
struct Arg {
    name: String,
    ty: TypeRef,
}

#[derive(Debug, Clone)]
struct Field {
    name: String,
    args: Vec<Arg>,
    ty: TypeRef,
}

/// The schema's shape, read from the SDL the server serves.
struct Shape {
    objects: HashMap<String, Vec<Field>>,
    inputs: HashMap<String, Vec<Arg>>,
    enums: HashMap<String, Vec<String>>,
}

impl Shape {
    fn read() -> Self {
        let sdl = skillpath::graphql::sdl();
        let doc = async_graphql::parser::parse_schema(&sdl).expect("the SDL parses");
        let mut shape = Shape {
            objects: HashMap::new(),
            inputs: HashMap::new(),
            enums: HashMap::new(),
        };
        let args = |defs: &[async_graphql::Positioned<
            async_graphql::parser::types::InputValueDefinition,
        >]| {
            defs.iter()
                .map(|a| Arg {
                    name: a.node.name.node.to_string(),
                    ty: TypeRef::from(&a.node.ty.node),
                })
                .collect::<Vec<_>>()
        };
        for def in doc.definitions {
            let TypeSystemDefinition::Type(ty) = def else {
                continue;
            };
            let name = ty.node.name.node.to_string();
            match ty.node.kind {
                TypeKind::Object(object) => {
                    let fields = object
                        .fields
                        .iter()
                        .map(|f| Field {
                            name: f.node.name.node.to_string(),
                            args: args(&f.node.arguments),
                            ty: TypeRef::from(&f.node.ty.node),
                        })
                        .collect();
                    shape.objects.insert(name, fields);
                }
                TypeKind::InputObject(input) => {
                    shape.inputs.insert(name, args(&input.fields));
                }
                TypeKind::Enum(e) => {
                    shape.enums.insert(
                        name,
                        e.values
                            .iter()
                            .map(|v| v.node.value.node.to_string())
                            .collect(),
                    );
                }
                _ => {}
            }
        }
        assert!(shape.objects.contains_key("Query") && shape.objects.contains_key("Mutation"));
        shape
    }
}

/// A generated value, rendered either as a GraphQL literal or as JSON.
#[derive(Debug, Clone)]
enum Gen {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Enum(String),
    /// Literal text with no JSON form (`9e999`, `-0x1`): sent as a string in JSON.
    Raw(String),
    List(Vec<Gen>),
    Object(Vec<(String, Gen)>),
}

impl Gen {
    fn literal(&self) -> String {
        match self {
            Gen::Null => "null".into(),
            Gen::Bool(b) => b.to_string(),
            Gen::Int(i) => i.to_string(),
            Gen::Float(f) if f.is_finite() => format!("{f:e}"),
            Gen::Float(_) => "1e999".into(),
            Gen::Str(s) => serde_json::to_string(s).unwrap(),
            Gen::Enum(e) | Gen::Raw(e) => e.clone(),
            Gen::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Gen::literal)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Gen::Object(fields) => format!(
                "{{{}}}",
                fields
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.literal()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    fn json(&self) -> Value {
        match self {
            Gen::Null => Value::Null,
            Gen::Bool(b) => json!(b),
            Gen::Int(i) => json!(i),
            Gen::Float(f) => serde_json::Number::from_f64(*f).map_or(json!("NaN"), Value::Number),
            Gen::Str(s) | Gen::Enum(s) | Gen::Raw(s) => json!(s),
            Gen::List(items) => Value::Array(items.iter().map(Gen::json).collect()),
            Gen::Object(fields) => {
                Value::Object(fields.iter().map(|(k, v)| (k.clone(), v.json())).collect())
            }
        }
    }
}

/// Per case: a seed for the structure, and proptest's own hostile primitives.
#[derive(Debug, Clone)]
struct Case {
    seed: u64,
    caller: usize,
    unicode: String,
    float: f64,
    int: i64,
}

fn case_strategy() -> impl Strategy<Value = Case> {
    (
        any::<u64>(),
        0..7usize,
        any::<String>(),
        any::<f64>(),
        any::<i64>(),
    )
        .prop_map(|(seed, caller, unicode, float, int)| Case {
            seed,
            caller,
            unicode,
            float,
            int,
        })
}

struct Fuzzer<'a> {
    shape: &'a Shape,
    rng: StdRng,
    case: Case,
    variables: serde_json::Map<String, Value>,
    declarations: Vec<String>,
}

const PLAUSIBLE_STRINGS: &[&str] = &[
    "2026-Q4",
    "2026-11",
    "2026",
    "2026-12-31",
    "2027-06-30",
    "report@example.com",
    "manager@example.com",
    "someone.new@example.com",
    "user_operations",
    "data_operations",
    "p1",
    "p2",
    "m1",
    "new_users",
    "monthly_churn_rate",
    "revenue",
    "metrics_system",
    "data_decision",
    "Growth team",
    "A short note\nwith two lines",
    "1",
    "2",
    "3",
];

const HOSTILE_STRINGS: &[&str] = &[
    "",
    " ",
    "\u{0}",
    "a\u{0}b",
    "\u{1b}[31mred\u{1b}[0m",
    "line\nbreak",
    "tab\there",
    "\r\n",
    "\u{7f}\u{85}\u{9f}",
    "\u{202e}evil",
    "\u{feff}bom",
    "ünïcødé 漢字 😀",
    "' OR 1=1 --",
    "'; DROP TABLE users; --",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "../../etc/passwd",
    "%00",
    "NaN",
    "Infinity",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "2026-Q4",
    "2026-13",
    "2026-02-30",
    "9999-12-31",
    "0000-00-00",
    "admin@example.com",
    "hr@example.com",
    "nobody@example.com",
    "user_operations",
    "p1",
    "m2",
    "new_users",
    "email,period,kpi,value\nreport@example.com,2026-Q4,new_users,1e308\nreport@example.com,2026-Q4,new_users,1e308",
    "email,period,kpi,value\n\u{0},2026,x,1",
    "skill,p1\nx,9",
    "version: 1\nroles: [[[[[[",
    "{\"a\":",
];

impl Fuzzer<'_> {
    fn chance(&mut self, percent: u32) -> bool {
        self.rng.random_range(0..100) < percent
    }

    fn hostile_string(&mut self) -> String {
        // Half the time something the server may accept, so requests reach
        // the resolvers and the database, not only the boundary checks.
        if self.chance(50) {
            return PLAUSIBLE_STRINGS[self.rng.random_range(0..PLAUSIBLE_STRINGS.len())].to_owned();
        }
        match self.rng.random_range(0..10) {
            0 => self.case.unicode.clone(),
            1 => "x".repeat(self.rng.random_range(150..5_000)),
            2 => "[".repeat(self.rng.random_range(1..300)),
            3 => (0..self.rng.random_range(1..40))
                .map(|_| char::from_u32(self.rng.random_range(0..0x40)).unwrap_or('?'))
                .collect(),
            _ => HOSTILE_STRINGS[self.rng.random_range(0..HOSTILE_STRINGS.len())].to_owned(),
        }
    }

    fn hostile_int(&mut self) -> Gen {
        if self.chance(50) {
            return Gen::Int(self.rng.random_range(0..6));
        }
        match self.rng.random_range(0..9) {
            0 => Gen::Int(self.case.int),
            1 => Gen::Int(i64::from(i32::MAX) + 1),
            2 => Gen::Int(i64::from(i32::MIN)),
            3 => Gen::Int(-1),
            4 => Gen::Int(0),
            5 => Gen::Raw("99999999999999999999999999".into()),
            6 => Gen::Int(self.rng.random_range(1..600)),
            7 => Gen::Int(1),
            _ => Gen::Int(self.rng.random_range(-5..100_000)),
        }
    }

    fn hostile_float(&mut self) -> Gen {
        match self.rng.random_range(0..8) {
            0 => Gen::Float(self.case.float),
            1 => Gen::Float(1.7e308),
            2 => Gen::Float(-1.7e308),
            3 => Gen::Float(5e-324),
            4 => Gen::Raw("1e999".into()),
            5 => Gen::Float(1e15),
            _ => Gen::Float(self.rng.random_range(-1000.0..100_000.0)),
        }
    }

    /// Anything, whatever the type asks for.
    fn wrong(&mut self, depth: usize) -> Gen {
        match self.rng.random_range(0..9) {
            0 => Gen::Null,
            1 => Gen::Bool(self.rng.random()),
            2 => self.hostile_int(),
            3 => self.hostile_float(),
            4 => Gen::Str(self.hostile_string()),
            5 => Gen::Enum("NOT_A_VALUE".into()),
            6 if depth < 4 => Gen::List(
                (0..self.rng.random_range(0..4))
                    .map(|_| self.wrong(depth + 1))
                    .collect(),
            ),
            7 if depth < 4 => Gen::Object(vec![("zz".into(), self.wrong(depth + 1))]),
            _ => Gen::List(Vec::new()),
        }
    }

    fn value(&mut self, ty: &TypeRef, lists: usize, depth: usize) -> Gen {
        if self.chance(4) || depth > 6 {
            return self.wrong(depth);
        }
        if lists > 0 {
            let len = if self.chance(5) {
                self.rng.random_range(50..400)
            } else {
                self.rng.random_range(0..4)
            };
            return Gen::List(
                (0..len)
                    .map(|_| self.value(ty, lists - 1, depth + 1))
                    .collect(),
            );
        }
        match ty.named.as_str() {
            "Int" => self.hostile_int(),
            "Float" => self.hostile_float(),
            "Boolean" => Gen::Bool(self.rng.random()),
            "ID" => match self.rng.random_range(0..8) {
                0 => Gen::Str(self.hostile_string()),
                1 => Gen::Int(self.rng.random_range(-3..20)),
                _ => Gen::Str(self.rng.random_range(1..10).to_string()),
            },
            name => {
                if let Some(values) = self.shape.enums.get(name) {
                    let values = values.clone();
                    return Gen::Enum(values[self.rng.random_range(0..values.len())].clone());
                }
                if let Some(fields) = self.shape.inputs.get(name) {
                    let fields = fields.clone();
                    let mut out = Vec::new();
                    for field in &fields {
                        if field.ty.sdl.ends_with('!') || self.chance(50) {
                            out.push((
                                field.name.clone(),
                                self.value(&field.ty, field.ty.lists, depth + 1),
                            ));
                        }
                    }
                    if self.chance(2) {
                        out.push(("unknownField".into(), Gen::Int(1)));
                    }
                    return Gen::Object(out);
                }
                // String and the scalars written as strings (dates).
                Gen::Str(self.hostile_string())
            }
        }
    }

    fn arguments(&mut self, args: &[Arg]) -> String {
        let mut out = Vec::new();
        for arg in args {
            if !arg.ty.sdl.ends_with('!') && self.chance(50) {
                continue;
            }
            let value = self.value(&arg.ty, arg.ty.lists, 0);
            if self.chance(35) {
                let var = format!("v{}", self.declarations.len());
                let declared = if self.chance(97) {
                    arg.ty.sdl.clone()
                } else {
                    "String".into()
                };
                self.declarations.push(format!("${var}: {declared}"));
                if !self.chance(5) {
                    self.variables.insert(var.clone(), value.json());
                }
                out.push(format!("{}: ${var}", arg.name));
            } else {
                out.push(format!("{}: {}", arg.name, value.literal()));
            }
        }
        if self.rng.random_range(0..1000) < 5 {
            out.push("bogus: 1".into());
        }
        if out.is_empty() {
            String::new()
        } else {
            format!("({})", out.join(", "))
        }
    }

    fn selection(&mut self, type_name: &str, depth: usize) -> String {
        let Some(fields) = self.shape.objects.get(type_name).cloned() else {
            return String::new();
        };
        let count = if depth == 0 {
            self.rng.random_range(1..4)
        } else {
            self.rng.random_range(1..5)
        };
        let mut out = Vec::new();
        for _ in 0..count {
            if self.chance(4) {
                out.push("__typename".to_owned());
                continue;
            }
            if self.rng.random_range(0..1000) < 5 {
                out.push("notAField".to_owned());
                continue;
            }
            let field = fields[self.rng.random_range(0..fields.len())].clone();
            let alias = if self.chance(20) {
                format!("a{}: ", self.rng.random_range(0..1000))
            } else {
                String::new()
            };
            let args = self.arguments(&field.args);
            let nested = self.shape.objects.contains_key(&field.ty.named);
            let sub = if nested {
                if depth >= 3 {
                    "{ __typename }".to_owned()
                } else {
                    format!("{{ {} }}", self.selection(&field.ty.named, depth + 1))
                }
            } else {
                String::new()
            };
            out.push(format!("{alias}{}{args} {sub}", field.name));
        }
        out.join(" ")
    }

    /// One request body, and whether it is meant to be valid JSON.
    fn body(&mut self) -> Vec<u8> {
        match self.rng.random_range(0..100) {
            0..=2 => return self.malformed(),
            3 => {
                let n = self.rng.random_range(501..1200);
                return json!({"query": format!("{{ {} }}", (0..n).map(|i| format!("t{i}: __typename")).collect::<Vec<_>>().join(" "))}).to_string().into_bytes();
            }
            4 => {
                let n = self.rng.random_range(100..3000);
                return json!({"query": format!("{{ users(first: {}1{}) {{ nodes {{ id }} }} }}", "[".repeat(n), "]".repeat(n))}).to_string().into_bytes();
            }
            5 => {
                let mut v = json!(1);
                for _ in 0..self.rng.random_range(60..120) {
                    v = json!([v]);
                }
                return json!({"query": "query($x: [Int]) { __typename }", "variables": {"x": v}})
                    .to_string()
                    .into_bytes();
            }
            _ => {}
        }
        let mutation = self.chance(45);
        let root = if mutation { "Mutation" } else { "Query" };
        let selection = self.selection(root, 0);
        let head = if mutation { "mutation" } else { "query" };
        let declarations = if self.declarations.is_empty() {
            String::new()
        } else {
            format!("({})", self.declarations.join(", "))
        };
        let query = format!("{head} Fuzz{declarations} {{ {selection} }}");
        let mut body = serde_json::Map::new();
        body.insert("query".into(), json!(query));
        if !self.variables.is_empty() || self.chance(20) {
            let mut variables = Value::Object(std::mem::take(&mut self.variables));
            if self.chance(5) {
                variables = json!(["not", "an", "object"]);
            }
            body.insert("variables".into(), variables);
        }
        if self.chance(5) {
            body.insert(
                "operationName".into(),
                json!(if self.chance(50) { "Other" } else { "Fuzz" }),
            );
        }
        Value::Object(body).to_string().into_bytes()
    }

    fn malformed(&mut self) -> Vec<u8> {
        match self.rng.random_range(0..8) {
            0 => Vec::new(),
            1 => b"{\"query\": ".to_vec(),
            2 => b"{\"query\": 5}".to_vec(),
            3 => b"[{\"query\": \"{ __typename }\"}, {\"query\": \"{ me { id } }\"}]".to_vec(),
            4 => (0..self.rng.random_range(1..2000))
                .map(|_| self.rng.random())
                .collect(),
            5 => b"{\"query\": \"{ __typename }\", \"variables\": {\"x\": \"\\ud800\"}}".to_vec(),
            6 => format!(
                "{{\"query\": \"{{ __typename }}\", \"extensions\": {}}}",
                "[".repeat(200)
            )
            .into_bytes(),
            _ => b"null".to_vec(),
        }
    }
}

fn seed_from_env() -> u64 {
    std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(11)
        })
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// What every answer must be: below 500, JSON, every error coded, none INTERNAL.
fn check_answer(status: u16, text: &str) -> Result<(), String> {
    if status >= 500 {
        return Err(format!("status {status}"));
    }
    let body: Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON ({e}), status {status}"))?;
    if let Some(errors) = body.get("errors") {
        let errors = errors.as_array().ok_or("errors is not a list")?;
        for error in errors {
            let code = error["extensions"]["code"]
                .as_str()
                .ok_or_else(|| format!("an error without extensions.code: {error}"))?;
            if code == "INTERNAL" {
                return Err(format!("INTERNAL: {error}"));
            }
            // The other path that logs an ERROR: the caller's account could
            // not be loaded (a database failure behind an UNAUTHENTICATED).
            if error["message"] == "could not check the access token" {
                return Err(format!("the caller could not be loaded: {error}"));
            }
        }
    } else if status >= 400 {
        return Err(format!("status {status} without errors"));
    }
    Ok(())
}

#[tokio::test]
async fn hostile_requests_never_break_the_server() {
    let app = spawn_app().await;
    let o = org(&app).await;
    let mut tokens: Vec<Option<String>> = vec![None, Some("not-a-token".into())];
    for person in [&o.report, &o.manager, &o.hr, &o.admin, &o.outsider] {
        tokens.push(Some(app.token(&person.email).await));
    }
    let shape = Shape::read();
    let seed = seed_from_env();
    let budget = Duration::from_secs(env_number("FUZZ_SECONDS", 15));
    let max_cases = env_number("FUZZ_CASES", 20_000);
    eprintln!("fuzz: seed {seed} (FUZZ_SEED to replay), {budget:?}, at most {max_cases} cases");

    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = case_strategy();
    let started = Instant::now();
    let mut sent = 0u64;
    let mut statuses: HashMap<u16, u64> = HashMap::new();
    // How far requests got: codes of errors, and answers with data.
    let mut outcomes: HashMap<String, u64> = HashMap::new();
    // Reported, not asserted: timing depends on the machine's load.
    let mut slowest = (Duration::ZERO, String::new());
    while sent < max_cases && started.elapsed() < budget {
        let case = strategy.new_tree(&mut runner).expect("a case").current();
        let caller = case.caller;
        let mut fuzzer = Fuzzer {
            shape: &shape,
            rng: StdRng::seed_from_u64(case.seed),
            case,
            variables: serde_json::Map::new(),
            declarations: Vec::new(),
        };
        let body = fuzzer.body();
        let content_type = if fuzzer.chance(3) {
            "text/plain"
        } else {
            "application/json"
        };
        // Some as GraphQL over HTTP GETs: the query and variables in the URL.
        // (Short ones only: the client cannot build a URL over 64 KB.)
        let as_get = serde_json::from_slice::<Value>(&body)
            .ok()
            .filter(|_| body.len() < 8_000 && fuzzer.chance(8))
            .and_then(|json| {
                let query = json["query"].as_str()?.to_owned();
                let mut params = vec![("query", query)];
                if let Some(variables) = json.get("variables") {
                    params.push(("variables", variables.to_string()));
                }
                Some(params)
            });
        let mut req = match as_get {
            Some(params) => app.http.get(format!("{}/graphql", app.base)).query(&params),
            None => app
                .http
                .post(format!("{}/graphql", app.base))
                .header("content-type", content_type)
                .body(body.clone()),
        };
        if let Some(token) = &tokens[caller] {
            req = req.bearer_auth(token);
        }
        let shown = String::from_utf8_lossy(&body[..body.len().min(2_000)]).to_string();
        let sent_at = Instant::now();
        let res = req
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .unwrap_or_else(|e| panic!("no answer (a panic or a crash?) to {shown}: {e}"));
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        if let Err(problem) = check_answer(status, &text) {
            panic!(
                "fuzz seed {seed}, case {sent}: {problem}\nrequest (caller {caller}): {shown}\nanswer: {}",
                &text[..text.len().min(2_000)]
            );
        }
        let took = sent_at.elapsed();
        if took > slowest.0 {
            slowest = (took, shown.chars().take(300).collect());
        }
        *statuses.entry(status).or_default() += 1;
        *outcomes.entry(outcome(&text)).or_default() += 1;
        sent += 1;
    }
    eprintln!(
        "fuzz: {sent} requests in {:?}, statuses {statuses:?}, outcomes {outcomes:?}",
        started.elapsed()
    );
    eprintln!("fuzz: slowest answer {:?} to {}", slowest.0, slowest.1);
    assert!(sent > 0);
    still_answers(&app).await;
}

/// "data" for an answer without errors, else the first error's code, with
/// "validation" for errors raised before any resolver ran (no path).
fn outcome(text: &str) -> String {
    let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    match body["errors"].get(0) {
        None => "data".into(),
        Some(error) if error.get("path").is_none() => {
            // FUZZ_VERBOSE=1 tells the messages apart, to tune the generator.
            let what = if std::env::var("FUZZ_VERBOSE").is_ok() {
                error["message"]
                    .as_str()
                    .unwrap_or("?")
                    .chars()
                    .take(40)
                    .collect()
            } else {
                error["extensions"]["code"]
                    .as_str()
                    .unwrap_or("?")
                    .to_owned()
            };
            format!("before execution: {what}")
        }
        Some(error) => error["extensions"]["code"]
            .as_str()
            .unwrap_or("?")
            .to_owned(),
    }
}

async fn still_answers(app: &TestApp) {
    let answer = app.gql(None, "{ __typename }", json!({})).await;
    assert_eq!(answer.data()["__typename"], "Query");
    let health = app
        .http
        .get(format!("{}/health", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
}
