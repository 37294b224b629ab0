//! Short-lived signed links, so a browser can open a download or an `<img>`
//! without a bearer header. A link carries the caller's id, an expiry and an
//! HMAC over (path, query, caller, expiry); it authenticates the caller and
//! nothing more: the caller is loaded afresh and their reach re-checked when
//! the link is used, so a link never shows more than its owner may see now.

use chrono::{DateTime, Duration, Utc};

use super::tokens::TokenKeys;
use crate::error::{Error, Result};

/// How long a signed link works.
pub const LINK_MINUTES: i64 = 5;
/// The paths a link may be made for.
pub const SIGNABLE: [&str; 2] = ["/exports/", "/charts/"];

const USER: &str = "link_user";
const EXPIRES: &str = "link_expires";
const SIG: &str = "link_sig";

/// The query pairs other than the link's own, sorted, as the signature sees them.
fn canonical(path: &str, pairs: &[(String, String)], user: i64, expires: i64) -> String {
    let mut own: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != USER && k != EXPIRES && k != SIG)
        .collect();
    own.sort();
    let query: Vec<String> = own.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{path}\n{}\n{user}\n{expires}", query.join("&"))
}

fn pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (p.to_owned(), String::new()),
        })
        .collect()
}

/// A link to `path_and_query` for `user_id`, valid until the time returned.
pub fn sign(
    keys: &TokenKeys,
    path_and_query: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>)> {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    if !SIGNABLE.iter().any(|p| path.starts_with(p)) || path.contains("..") {
        return Err(Error::invalid(
            "path",
            "links are made for /exports/… and /charts/… paths only",
        ));
    }
    let expires = now + Duration::minutes(LINK_MINUTES);
    let pairs = pairs(query);
    let sig = keys.sign_link(&canonical(path, &pairs, user_id, expires.timestamp()));
    let own = format!(
        "{USER}={user_id}&{EXPIRES}={}&{SIG}={sig}",
        expires.timestamp()
    );
    let url = if query.is_empty() {
        format!("{path}?{own}")
    } else {
        format!("{path}?{query}&{own}")
    };
    Ok((url, expires))
}

/// Whether the request carries a link signature at all.
pub fn is_signed(query: &str) -> bool {
    pairs(query).iter().any(|(k, _)| k == SIG)
}

/// The caller a signed link was made for, if it is intact and unexpired.
pub fn verify(keys: &TokenKeys, path: &str, query: &str, now: DateTime<Utc>) -> Result<i64> {
    let bad = Error::Unauthenticated("this link is not valid: ask for a new one");
    let pairs = pairs(query);
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let (Some(user), Some(expires), Some(sig)) = (
        get(USER).and_then(|v| v.parse::<i64>().ok()),
        get(EXPIRES).and_then(|v| v.parse::<i64>().ok()),
        get(SIG),
    ) else {
        return Err(bad);
    };
    if !keys.verify_link(&canonical(path, &pairs, user, expires), sig) {
        return Err(bad);
    }
    if expires < now.timestamp() {
        return Err(Error::Unauthenticated(
            "this link has expired: ask for a new one",
        ));
    }
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn keys() -> TokenKeys {
        TokenKeys::new(&Secret::new("k".repeat(40)), Duration::minutes(15))
    }

    #[test]
    fn a_link_works_until_it_expires_and_not_once_changed() {
        // Wall time, like every token (see `session`).
        let now = Utc::now();
        let (bare, _) = sign(&keys(), "/exports/people", 7, now).unwrap();
        let (path, query) = bare.split_once('?').unwrap();
        assert_eq!(verify(&keys(), path, query, now).unwrap(), 7);
        let (url, _) = sign(&keys(), "/exports/people?format=xlsx", 7, now).unwrap();
        let (path, query) = url.split_once('?').unwrap();
        assert_eq!(verify(&keys(), path, query, now).unwrap(), 7);
        let later = now + Duration::minutes(LINK_MINUTES + 1);
        assert!(verify(&keys(), path, query, later).is_err());
        let other_user = query.replace("link_user=7", "link_user=8");
        assert!(verify(&keys(), path, &other_user, now).is_err());
        let other_format = query.replace("format=xlsx", "format=csv");
        assert!(verify(&keys(), path, &other_format, now).is_err());
        assert!(verify(&keys(), "/exports/other", query, now).is_err());
        assert!(sign(&keys(), "/graphql", 7, now).is_err());
    }
}
