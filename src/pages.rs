//! The two pages the links in emails open, served by the backend so that an
//! invitation or a reset works without a separate front end: a form that
//! sets the password through the GraphQL mutation, in the recipient's
//! language, with no external assets. A configured front-end URL replaces
//! them in the mails (`SKILLPATH_FRONTEND_URL`).

use minijinja::{AutoEscape, Environment, context};
use poem::http::{StatusCode, header};
use poem::web::Query;
use poem::{IntoResponse, Request, Response, handler};
use serde::{Deserialize, Serialize};

use crate::auth::Locale;

const PAGE: &str = include_str!("../assets/pages/account-link.html");

#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    token: Option<String>,
    lang: Option<String>,
}

#[derive(Clone, Copy)]
enum Purpose {
    Invitation,
    Reset,
}

/// The words on a page, in one language.
#[derive(Serialize)]
struct Text {
    title: &'static str,
    intro: &'static str,
    password: &'static str,
    confirm: &'static str,
    rule: &'static str,
    submit: &'static str,
    working: &'static str,
    done: &'static str,
    mismatch: &'static str,
    no_token: &'static str,
    unreachable: &'static str,
}

fn text(purpose: Purpose, locale: Locale) -> Text {
    match (purpose, locale) {
        (Purpose::Invitation, Locale::En) => Text {
            title: "Welcome to Skillpath",
            intro: "Choose a password for your new account.",
            done: "Your account is ready. You can now sign in with your email address and this password.",
            ..english()
        },
        (Purpose::Reset, Locale::En) => Text {
            title: "Choose a new password",
            intro: "Set a new password for your Skillpath account. You will be signed out everywhere else.",
            done: "Your password has been changed. Sign in with your new password.",
            ..english()
        },
        (Purpose::Invitation, Locale::ZhCn) => Text {
            title: "欢迎使用 Skillpath",
            intro: "请为您的新账号设置密码。",
            done: "账号已就绪。现在可以用您的邮箱地址和这个密码登录。",
            ..chinese()
        },
        (Purpose::Reset, Locale::ZhCn) => Text {
            title: "设置新密码",
            intro: "为您的 Skillpath 账号设置新密码。其他设备上的登录将全部退出。",
            done: "密码已修改。请用新密码登录。",
            ..chinese()
        },
    }
}

fn english() -> Text {
    Text {
        title: "",
        intro: "",
        password: "New password",
        confirm: "Repeat the password",
        rule: "At least 10 characters; a common password is refused.",
        submit: "Set password",
        working: "Saving…",
        done: "",
        mismatch: "The two passwords differ.",
        no_token: "This link is incomplete: open the link from your email again.",
        unreachable: "Skillpath could not be reached. Please try again in a moment.",
    }
}

fn chinese() -> Text {
    Text {
        title: "",
        intro: "",
        password: "新密码",
        confirm: "再次输入密码",
        rule: "至少 10 个字符；过于常见的密码会被拒绝。",
        submit: "设置密码",
        working: "正在保存…",
        done: "",
        mismatch: "两次输入的密码不一致。",
        no_token: "链接不完整：请重新打开邮件中的链接。",
        unreachable: "暂时无法连接 Skillpath，请稍后再试。",
    }
}

const ACCEPT: &str = "mutation($token: String!, $password: String!) { acceptInvitation(token: $token, password: $password) { accessToken } }";
const RESET: &str = "mutation($token: String!, $password: String!) { resetPassword(token: $token, password: $password) }";

fn render(purpose: Purpose, req: &Request, query: &LinkQuery) -> Response {
    let locale = query
        .lang
        .as_deref()
        .and_then(Locale::from_tag)
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
        .unwrap_or_default();
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    let mutation = match purpose {
        Purpose::Invitation => ACCEPT,
        Purpose::Reset => RESET,
    };
    // A token is opaque URL-safe text; anything else is no token at all.
    let token = query
        .token
        .as_deref()
        .filter(|t| !t.is_empty() && t.len() <= 200)
        .filter(|t| {
            t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    let words = text(purpose, locale);
    let rendered = env.render_str(
        PAGE,
        context! {
            lang => locale.tag(),
            t => minijinja::value::Serde(&words),
            token => token,
            token_js => script_value(&token),
            mutation_js => script_value(&mutation),
            text_js => script_value(&words),
        },
    );
    match rendered {
        Ok(html) => Response::builder()
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            // The page runs only its own inline script and talks only to us;
            // the token in the URL must not leak through a Referer.
            .header(
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
            )
            .header(header::REFERRER_POLICY, "no-referrer")
            .header(header::CACHE_CONTROL, "no-store")
            .body(html),
        Err(err) => {
            tracing::error!(error = %err, "account link page did not render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A value as a JavaScript literal that is safe inside `<script>`: JSON with
/// `<` escaped, so no text can close the script element.
fn script_value(value: &impl Serialize) -> minijinja::Value {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
    minijinja::Value::from_safe_string(json.replace('<', "\\u003c"))
}

#[handler]
pub fn accept_invitation(req: &Request, Query(query): Query<LinkQuery>) -> Response {
    render(Purpose::Invitation, req, &query)
}

#[handler]
pub fn reset_password(req: &Request, Query(query): Query<LinkQuery>) -> Response {
    render(Purpose::Reset, req, &query)
}
