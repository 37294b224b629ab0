//! What integrators and operators meet at the HTTP level: GraphQL over HTTP
//! media types and status codes, CORS, persisted queries, compression,
//! probes and metrics.

use serde_json::{Value, json};
use skillpath::auth::Role;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

async fn post_accepting(app: &TestApp, accept: &str, body: Value) -> (u16, String, Value) {
    let res = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("accept", accept)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    (status, content_type, res.json().await.unwrap())
}

#[tokio::test]
async fn a_client_asking_for_graphql_response_json_gets_the_spec_status_codes() {
    let app = spawn_app().await;
    // A document that does not parse, one that does not validate, and a
    // variable of the wrong type: the request never ran, so 400 and no data.
    for body in [
        json!({"query": "{ me { id "}),
        json!({"query": "{ noSuchField }"}),
        json!({"query": "query($n: Int!) { users(first: $n) { totalCount } }", "variables": {"n": "x"}}),
    ] {
        let (status, content_type, answer) = post_accepting(&app, GRAPHQL_RESPONSE, body).await;
        assert_eq!(status, 400, "{answer:#}");
        assert!(content_type.starts_with(GRAPHQL_RESPONSE), "{content_type}");
        assert!(answer.get("data").is_none(), "{answer:#}");
        assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    // A request that ran and failed in a resolver is a GraphQL answer: 200.
    let (status, content_type, answer) =
        post_accepting(&app, GRAPHQL_RESPONSE, json!({"query": "{ me { id } }"})).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with(GRAPHQL_RESPONSE));
    assert_eq!(answer["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    // A legacy client keeps application/json and 200.
    let (status, content_type, answer) = post_accepting(
        &app,
        "application/json",
        json!({"query": "{ noSuchField }"}),
    )
    .await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/json"));
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn bodies_that_are_not_graphql_requests_get_a_coded_json_error() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.base);
    let plain = app
        .http
        .post(&url)
        .header("content-type", "text/plain")
        .body(r#"{"query":"{ __typename }"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status().as_u16(), 415);
    let body: Value = plain.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    for broken in ["{not json", r#"[{"query":"{ __typename }"}]"#] {
        let res = app
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(broken)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 400, "{broken}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
}

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.http
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.base))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn cross_origin_access_is_for_configured_origins_only() {
    let closed = spawn_app().await;
    let answer = preflight(&closed, "http://app.example").await;
    assert!(
        answer
            .headers()
            .get("access-control-allow-origin")
            .is_none(),
        "no origin is allowed by default"
    );

    let open = spawn_app_with(|s| s.cors_allowed_origins = vec!["http://app.example".into()]).await;
    let allowed = preflight(&open, "http://app.example").await;
    assert!(allowed.status().is_success());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://app.example"
    );
    let methods = allowed.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(methods.contains("POST"), "{methods}");
    let other = preflight(&open, "http://evil.example").await;
    assert!(other.headers().get("access-control-allow-origin").is_none());
    // The real request from the allowed origin carries the header too.
    let real = open
        .http
        .post(format!("{}/graphql", open.base))
        .header("origin", "http://app.example")
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        real.headers()["access-control-allow-origin"],
        "http://app.example"
    );
}

#[tokio::test]
async fn apollo_clients_can_send_a_hash_instead_of_the_query() {
    let app = spawn_app().await;
    let query = "{ __typename }";
    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(query.as_bytes()))
    };
    let persisted = json!({"persistedQuery": {"version": 1, "sha256Hash": hash}});
    let unknown = app
        .http
        .post(format!("{}/graphql", app.base))
        .json(&json!({"extensions": persisted}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound");
    let registered = app
        .http
        .post(format!("{}/graphql", app.base))
        .json(&json!({"query": query, "extensions": persisted}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(registered["data"]["__typename"], "Query");
    let by_hash = app
        .http
        .post(format!("{}/graphql", app.base))
        .json(&json!({"extensions": persisted}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(by_hash["data"]["__typename"], "Query", "{by_hash:#}");
}

#[tokio::test]
async fn large_answers_are_compressed_for_clients_that_accept_it() {
    let app = spawn_app().await;
    let res = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("accept-encoding", "gzip")
        .json(&json!({"query": "{ framework { roles { key levels { key } } } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
}

#[tokio::test]
async fn liveness_and_readiness_are_separate_probes() {
    let app = spawn_app().await;
    for path in ["/livez", "/readyz", "/health"] {
        let res = app
            .http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], "ok", "{path}");
    }
}

#[tokio::test]
async fn metrics_show_the_operations_just_served() {
    let app = spawn_app().await;
    app.person("ada@example.com", Role::Employee, None).await;
    let token = app.token("ada@example.com").await;
    for _ in 0..3 {
        app.gql(Some(&token), "query WhoAmI { me { id } }", json!({}))
            .await
            .data();
    }
    app.gql(None, "query Anonymous { me { id } }", json!({}))
        .await;
    app.login_with("ada@example.com", "not her password at all")
        .await;
    let text = app
        .http
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#"skillpath_graphql_requests_total{operation="WhoAmI",outcome="ok"} 3"#),
        "{text}"
    );
    assert!(
        text.contains(
            r#"skillpath_graphql_requests_total{operation="Anonymous",outcome="UNAUTHENTICATED"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"skillpath_graphql_request_duration_seconds_count{operation="WhoAmI"} 3"#)
    );
    assert!(text.contains("skillpath_login_failures_total 1"), "{text}");
    assert!(text.contains(r#"skillpath_db_pool_connections{state="max"}"#));
    assert!(text.contains(r#"skillpath_outbox{measure="depth"}"#));
    assert!(text.contains(r#"skillpath_http_responses_total{route="/graphql",status="200"}"#));
}

#[tokio::test]
async fn errors_speak_the_callers_language_with_the_same_codes() {
    let app = spawn_app().await;
    let ask = |lang: &'static str| {
        let app = &app;
        async move {
            app.http
                .post(format!("{}/graphql", app.base))
                .header("accept-language", lang)
                .json(&json!({"query": "{ me { id } }"}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let zh = ask("zh-CN,zh;q=0.9").await;
    assert_eq!(zh["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert_eq!(
        zh["errors"][0]["message"],
        "请先登录：发送 `Authorization: Bearer <accessToken>`"
    );
    let en = ask("en-GB").await;
    assert_eq!(en["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert!(
        en["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("sign in first")
    );
    // A validation problem, field by field, for a signed-in zh-CN person.
    let li = app.person("li@example.com", Role::Hr, None).await;
    let token = app.token("li@example.com").await;
    app.gql(
        Some(&token),
        "mutation($id: ID!) { updateUser(id: $id, input: {locale: ZH_CN}) { id } }",
        json!({"id": li.id.to_string()}),
    )
    .await
    .data();
    let bad = app
        .gql(Some(&token), "{ user(id: \"abc\") { id } }", json!({}))
        .await;
    assert_eq!(bad.code(), "BAD_USER_INPUT");
    assert_eq!(
        bad.message(),
        "输入有误：id：不是有效的 ID",
        "{:#}",
        bad.body
    );
}
