//! Access tokens (short-lived HS256 JWTs) and refresh tokens (opaque random
//! strings, stored only as their SHA-256).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Secret;

const ISSUER: &str = "skillpath";
/// Clock skew tolerated between servers, in seconds.
const LEEWAY_SECS: u64 = 30;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the access token has expired")]
    Expired,
    #[error("the access token is not valid")]
    Invalid,
}

#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_ttl: Duration,
    /// HMAC key for signed download links, derived from the token secret
    /// (a distinct key, so a link signature is never a valid JWT signature).
    link_key: [u8; 32],
}

impl TokenKeys {
    pub fn new(secret: &Secret, access_ttl: Duration) -> Self {
        // The algorithm is pinned: a token claiming `alg: none` or an RSA
        // algorithm is refused before its signature is even looked at.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = LEEWAY_SECS;
        Self {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
            access_ttl,
            link_key: Sha256::new()
                .chain_update(b"skillpath signed links\0")
                .chain_update(secret.expose().as_bytes())
                .finalize()
                .into(),
        }
    }

    /// HMAC-SHA256 of `message` with the link key, URL-safe base64.
    pub fn sign_link(&self, message: &str) -> String {
        use hmac::Mac;
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&self.link_key)
            .expect("HMAC takes keys of any length");
        mac.update(message.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Checks a link signature in constant time.
    pub fn verify_link(&self, message: &str, signature: &str) -> bool {
        use hmac::Mac;
        let Ok(given) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&self.link_key)
            .expect("HMAC takes keys of any length");
        mac.update(message.as_bytes());
        mac.verify_slice(&given).is_ok()
    }

    pub fn issue_access(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(String, DateTime<Utc>)> {
        let expires_at = now + self.access_ttl;
        let claims = Claims {
            sub: user_id.to_string(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            iss: ISSUER.into(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, expires_at))
    }

    /// The user id a valid token speaks for.
    pub fn verify_access(&self, token: &str) -> Result<i64, TokenError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?;
        let issued_in_future = data.claims.iat > Utc::now().timestamp() + LEEWAY_SECS as i64;
        if issued_in_future {
            return Err(TokenError::Invalid);
        }
        data.claims.sub.parse().map_err(|_| TokenError::Invalid)
    }
}

/// A new opaque token (256 random bits) for refresh, invitation or reset links.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored instead of an opaque token. A plain SHA-256 suffices: the
/// token has 256 bits of entropy, so there is nothing to brute-force.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh random secret for the embedded mode's token key.
pub fn generate_secret() -> Secret {
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    Secret::new(URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> TokenKeys {
        TokenKeys::new(&Secret::new(secret.repeat(32)), Duration::minutes(15))
    }

    #[test]
    fn a_token_round_trips() {
        let keys = keys("a");
        let (token, _) = keys.issue_access(42, Utc::now()).unwrap();
        assert_eq!(keys.verify_access(&token), Ok(42));
    }

    #[test]
    fn expired_and_foreign_tokens_are_refused() {
        let (old, _) = keys("a")
            .issue_access(1, Utc::now() - Duration::hours(1))
            .unwrap();
        assert_eq!(keys("a").verify_access(&old), Err(TokenError::Expired));
        let (other, _) = keys("b").issue_access(1, Utc::now()).unwrap();
        assert_eq!(keys("a").verify_access(&other), Err(TokenError::Invalid));
    }

    #[test]
    fn refresh_tokens_hash_stably() {
        let token = random_token();
        assert_eq!(token_hash(&token), token_hash(&token));
        assert_ne!(token, random_token());
        assert_eq!(token_hash(&token).len(), 64);
    }
}
