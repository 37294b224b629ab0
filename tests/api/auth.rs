//! Logging in, tokens and their abuse.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use serde_json::json;
use skillpath::auth::Role;
use skillpath::auth::tokens::TokenKeys;
use skillpath::config::Secret;

use crate::helpers::{PASSWORD, TOKEN_SECRET, gid, spawn_app};

const ME: &str = "{ me { id email role } }";
const REFRESH: &str =
    "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }";

#[tokio::test]
async fn a_person_logs_in_and_me_answers_with_their_account() {
    let app = spawn_app().await;
    let ada = app.person("ada@example.com", Role::Employee, None).await;
    // Emails match case-insensitively.
    let session = app.login("ADA@Example.com").await;
    assert_eq!(session["user"]["id"], gid("User", ada.id));
    let token = session["accessToken"].as_str().unwrap();
    let me = app.gql(Some(token), ME, json!({})).await;
    assert_eq!(me.data()["me"]["email"], "ada@example.com");
    assert_eq!(me.data()["me"]["role"], "EMPLOYEE");
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    app.person("ada@example.com", Role::Employee, None).await;
    let wrong = app.login_with("ada@example.com", "not the password").await;
    let unknown = app.login_with("nobody@example.com", PASSWORD).await;
    assert_eq!(wrong.code(), "UNAUTHENTICATED");
    assert_eq!(unknown.code(), "UNAUTHENTICATED");
    assert_eq!(wrong.message(), unknown.message());
}

#[tokio::test]
async fn repeated_failures_are_refused_until_the_window_ends() {
    let app = spawn_app().await;
    app.person("ada@example.com", Role::Employee, None).await;
    for _ in 0..skillpath::auth::throttle::PAIR_LIMIT {
        let wrong = app.login_with("ada@example.com", "guess guess guess").await;
        assert_eq!(wrong.code(), "UNAUTHENTICATED");
    }
    // The right password, from the address that kept guessing: refused
    // without being checked, with the time to wait.
    let answer = app.login_with("ada@example.com", PASSWORD).await;
    assert_eq!(answer.code(), "RATE_LIMITED");
    let retry_after = answer.body["errors"][0]["extensions"]["retryAfter"]
        .as_i64()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry_after), "{retry_after}");
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_family() {
    let app = spawn_app().await;
    app.person("ada@example.com", Role::Employee, None).await;
    let first = app.login("ada@example.com").await;
    let first_refresh = first["refreshToken"].as_str().unwrap();

    let second = app.gql(None, REFRESH, json!({"t": first_refresh})).await;
    let second = second.data()["refreshToken"].clone();
    let second_refresh = second["refreshToken"].as_str().unwrap();
    assert_ne!(first_refresh, second_refresh);
    let me = app.gql(second["accessToken"].as_str(), ME, json!({})).await;
    me.data();

    // The spent token is presented again: refused, and the family is revoked,
    // so the token that was issued in exchange stops working too.
    let reuse = app.gql(None, REFRESH, json!({"t": first_refresh})).await;
    assert_eq!(reuse.code(), "UNAUTHENTICATED");
    let after = app.gql(None, REFRESH, json!({"t": second_refresh})).await;
    assert_eq!(after.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    app.person("ada@example.com", Role::Employee, None).await;
    let session = app.login("ada@example.com").await;
    let refresh = session["refreshToken"].as_str().unwrap();
    let out = app
        .gql(
            None,
            "mutation($t: String!) { logout(refreshToken: $t) }",
            json!({"t": refresh}),
        )
        .await;
    assert_eq!(out.data()["logout"], true);
    let again = app.gql(None, REFRESH, json!({"t": refresh})).await;
    assert_eq!(again.code(), "UNAUTHENTICATED");
    let garbage = app.gql(None, REFRESH, json!({"t": "not-a-token"})).await;
    assert_eq!(garbage.code(), "UNAUTHENTICATED");
}

fn forged(header: serde_json::Value, claims: serde_json::Value, signature: &str) -> String {
    let h = URL_SAFE_NO_PAD.encode(header.to_string());
    let c = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{h}.{c}.{signature}")
}

#[tokio::test]
async fn bad_access_tokens_are_refused() {
    let app = spawn_app().await;
    let ada = app.person("ada@example.com", Role::Employee, None).await;
    let admin = app.person("root@example.com", Role::Admin, None).await;
    let now = Utc::now();

    let ours = TokenKeys::new(&Secret::new(TOKEN_SECRET), Duration::minutes(15));
    let (expired, _) = ours.issue_access(ada.id, now - Duration::hours(2)).unwrap();
    let theirs = TokenKeys::new(
        &Secret::new("another-secret-another-secret-012345"),
        Duration::minutes(15),
    );
    let (wrong_key, _) = theirs.issue_access(ada.id, now).unwrap();
    // Ada's valid token with the subject changed to the admin's id.
    let (valid, _) = ours.issue_access(ada.id, now).unwrap();
    let parts: Vec<&str> = valid.split('.').collect();
    let claims = json!({"sub": admin.id.to_string(), "iat": now.timestamp(), "exp": now.timestamp() + 900, "iss": "skillpath"});
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    let alg_none = forged(json!({"alg": "none", "typ": "JWT"}), claims.clone(), "");

    for (what, token) in [
        ("expired", expired.as_str()),
        ("signed with another key", wrong_key.as_str()),
        ("tampered", tampered.as_str()),
        ("alg none", alg_none.as_str()),
        ("garbage", "abc.def.ghi"),
    ] {
        let me = app.gql(Some(token), ME, json!({})).await;
        assert_eq!(me.code(), "UNAUTHENTICATED", "{what} token was accepted");
        assert!(me.body["data"].is_null(), "{what}: no data may be returned");
    }
}

#[tokio::test]
async fn a_deactivated_account_loses_access_at_once() {
    let app = spawn_app().await;
    app.person("root@example.com", Role::Admin, None).await;
    let ada = app.person("ada@example.com", Role::Employee, None).await;
    let ada_session = app.login("ada@example.com").await;
    let admin = app.token("root@example.com").await;
    let off = app
        .gql(
            Some(&admin),
            "mutation($id: ID!) { updateUser(id: $id, input: {active: false}) { active } }",
            json!({"id": ada.id.to_string()}),
        )
        .await;
    assert_eq!(off.data()["updateUser"]["active"], false);
    let me = app
        .gql(ada_session["accessToken"].as_str(), ME, json!({}))
        .await;
    assert_eq!(me.code(), "UNAUTHENTICATED");
    let refresh = app
        .gql(None, REFRESH, json!({"t": ada_session["refreshToken"]}))
        .await;
    assert_eq!(refresh.code(), "UNAUTHENTICATED");
    let login = app.login_with("ada@example.com", PASSWORD).await;
    assert_eq!(login.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn health_graphiql_and_get_queries_work_over_http() {
    let app = spawn_app().await;
    let health = app
        .http
        .get(format!("{}/health", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.json::<serde_json::Value>().await.unwrap()["database"],
        "ok"
    );

    // GraphiQL and every script it loads come from this server: it works offline.
    let page = app
        .http
        .get(format!("{}/graphiql", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let sources: Vec<&str> = html
        .split('"')
        .filter(|s| s.ends_with(".js") || s.ends_with(".css"))
        .collect();
    assert_eq!(sources.len(), 4, "{sources:?}");
    for source in sources {
        assert!(
            source.starts_with("/graphiql/assets/"),
            "{source} is not served locally"
        );
        let asset = app
            .http
            .get(format!("{}{source}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(asset.status(), 200, "{source}");
        assert!(asset.bytes().await.unwrap().len() > 1000, "{source}");
    }

    let get = app
        .http
        .get(format!("{}/graphql", app.base))
        .query(&[("query", "{ __typename }")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        get.json::<serde_json::Value>().await.unwrap()["data"]["__typename"],
        "Query"
    );

    // GET may only read: a mutation over GET is refused without running.
    let mutation = app
        .http
        .get(format!("{}/graphql", app.base))
        .query(&[("query", "mutation { logout(refreshToken: \"x\") }")])
        .send()
        .await
        .unwrap();
    assert_eq!(mutation.status(), 405);
}

#[tokio::test]
async fn overly_deep_queries_are_refused_with_a_code() {
    let app = spawn_app().await;
    app.person("ada@example.com", Role::Employee, None).await;
    let token = app.token("ada@example.com").await;
    let mut query = String::from("{ me { id } }");
    for _ in 0..20 {
        query = query.replacen("{ id }", "{ manager { id } }", 1);
    }
    let answer = app.gql(Some(&token), &query, json!({})).await;
    assert_eq!(answer.code(), "BAD_USER_INPUT");
    assert!(
        answer.message().to_lowercase().contains("nested too deep")
            || answer.message().to_lowercase().contains("depth"),
        "{}",
        answer.message()
    );
}
