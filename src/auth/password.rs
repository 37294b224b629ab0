//! Argon2id password hashing, always off the async runtime.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use anyhow::{Context, anyhow};
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};

use super::hash_threads::HashThreads;
use crate::config::{PasswordHashing, Secret};
use crate::error::{Error, Result};

/// A password that met the rules. Parsing is the only way to get one.
pub struct Password(Secret);

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<Self> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(Error::invalid(
                "password",
                format!("must be at least {} characters", Self::MIN_CHARS),
            ));
        }
        if chars > Self::MAX_CHARS {
            return Err(Error::invalid(
                "password",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        if is_common(raw) {
            return Err(Error::invalid(
                "password",
                "is one of the most common passwords: choose another",
            ));
        }
        Ok(Self(Secret::new(raw)))
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

/// Common passwords long enough to pass the length rule (see the file's header).
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// Compared case-insensitively, ignoring surrounding spaces: "Qwertyuiop"
/// is as guessable as "qwertyuiop".
fn is_common(raw: &str) -> bool {
    let candidate = raw.trim().to_lowercase();
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .any(|common| common == candidate)
}

#[derive(Clone)]
pub struct PasswordHasher {
    inner: Arc<Inner>,
}

struct Inner {
    argon2: Argon2<'static>,
    /// One thread per core but one (see `hash_threads`): hashes beyond that
    /// wait their turn (first come, first served) instead of piling up
    /// blocking threads at 19 MiB each, which let a login storm take the
    /// process to gigabytes and starve every other request.
    threads: HashThreads,
    /// Verified against when the email is unknown, so the answer takes as long
    /// as for a real account and does not reveal which emails exist.
    dummy_hash: String,
    stats: HashingStats,
}

/// What the hasher has done: for tests and metrics.
#[derive(Default)]
struct HashingStats {
    runs: AtomicU64,
    running: AtomicUsize,
    peak: AtomicUsize,
}

impl PasswordHasher {
    pub fn new(cost: PasswordHashing) -> anyhow::Result<Self> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| anyhow!("argon2 parameters: {e}"))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy_hash = argon2
            .hash_password(b"not a real password: timing equaliser")
            .map_err(|e| anyhow!("argon2: {e}"))?
            .to_string();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Self {
            inner: Arc::new(Inner {
                argon2,
                dummy_hash,
                threads: HashThreads::start(cores.saturating_sub(1).max(1))
                    .context("password hashing threads")?,
                stats: HashingStats::default(),
            }),
        })
    }

    /// How many hashes and verifications have run.
    pub fn runs(&self) -> u64 {
        self.inner.stats.runs.load(Ordering::SeqCst)
    }

    /// The most that ever ran at once (never more than the hashing threads).
    pub fn peak_concurrency(&self) -> usize {
        self.inner.stats.peak.load(Ordering::SeqCst)
    }

    /// Runs `work` on a hashing thread, in turn.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Inner) -> anyhow::Result<T> + Send + 'static,
    ) -> Result<T> {
        let inner = self.inner.clone();
        let done = self
            .inner
            .threads
            .run(move || {
                let stats = &inner.stats;
                let running = stats.running.fetch_add(1, Ordering::SeqCst) + 1;
                stats.peak.fetch_max(running, Ordering::SeqCst);
                let done = work(&inner);
                stats.running.fetch_sub(1, Ordering::SeqCst);
                stats.runs.fetch_add(1, Ordering::SeqCst);
                done
            })
            .await??;
        Ok(done)
    }

    pub async fn hash(&self, password: &Password) -> Result<String> {
        let password = password.expose().to_owned();
        self.run(move |inner| {
            inner
                .argon2
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| anyhow!("argon2 hash: {e}"))
        })
        .await
    }

    /// True when `password` matches `stored`. With no stored hash (unknown
    /// account, or one that never set a password) it still does the work.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool> {
        let password = password.to_owned();
        let stored = stored.map(str::to_owned);
        self.run(move |inner| {
            let (hash, real) = match &stored {
                Some(hash) => (hash.as_str(), true),
                None => (inner.dummy_hash.as_str(), false),
            };
            let parsed = PasswordHash::new(hash).map_err(|e| anyhow!("stored hash: {e}"))?;
            // The stored hash carries its own parameters, so hashes made at an
            // older cost still verify after the cost is raised.
            let ok = inner
                .argon2
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            anyhow::Ok(ok && real)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let hasher = PasswordHasher::new(PasswordHashing::FAST_FOR_TESTS).unwrap();
        let password = Password::parse("correct horse battery").unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$"));
        assert!(
            hasher
                .verify("correct horse battery", Some(&hash))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("wrong horse battery", Some(&hash))
                .await
                .unwrap()
        );
        assert!(!hasher.verify("correct horse battery", None).await.unwrap());
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("long enough now").is_ok());
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for common in [
            "password123",
            "Password123",
            "QWERTYUIOP",
            " 1234567890 ",
            "iloveyou123",
        ] {
            let err = Password::parse(common).err().expect(common);
            assert!(err.to_string().contains("most common"), "{common}: {err}");
        }
        assert!(Password::parse("correct horse battery staple").is_ok());
    }
}
