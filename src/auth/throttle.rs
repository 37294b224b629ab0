//! Slows down repeated failed logins per account and per client address.
//!
//! Kept in memory: it bounds online guessing on one server process. Each
//! process of a multi-process deployment throttles on its own, which still
//! caps the guessing rate at (processes × allowed rate).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures older than this are forgotten.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures allowed at full speed before answers slow down.
const FREE_FAILURES: u32 = 3;
const BASE_DELAY: Duration = Duration::from_millis(250);
const MAX_DELAY: Duration = Duration::from_secs(8);
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    /// How long to wait before answering an attempt for these keys.
    pub fn delay(&self, keys: &[String]) -> Duration {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        keys.iter()
            .filter_map(|k| failures.get(k))
            .filter(|(_, last)| now.duration_since(*last) < WINDOW)
            .map(|(count, _)| delay_after(*count))
            .max()
            .unwrap_or_default()
    }

    pub fn record_failure(&self, keys: &[String]) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if failures.len() > MAX_ENTRIES {
            failures.retain(|_, (_, last)| now.duration_since(*last) < WINDOW);
        }
        for key in keys {
            let entry = failures.entry(key.clone()).or_insert((0, now));
            if now.duration_since(entry.1) >= WINDOW {
                entry.0 = 0;
            }
            entry.0 += 1;
            entry.1 = now;
        }
    }

    pub fn record_success(&self, key: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(key);
    }
}

/// 0 for the first few failures, then doubling from 250 ms up to 8 s.
fn delay_after(failures: u32) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::ZERO;
    }
    let doublings = (failures - FREE_FAILURES).min(10);
    (BASE_DELAY * 2u32.pow(doublings)).min(MAX_DELAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_with_failures_and_resets_on_success() {
        let throttle = LoginThrottle::default();
        let keys = vec!["account:a@b.c".to_string(), "addr:127.0.0.1".to_string()];
        for _ in 0..3 {
            assert_eq!(throttle.delay(&keys), Duration::ZERO);
            throttle.record_failure(&keys);
        }
        assert_eq!(throttle.delay(&keys), BASE_DELAY);
        throttle.record_failure(&keys);
        assert_eq!(throttle.delay(&keys), BASE_DELAY * 2);
        throttle.record_success("account:a@b.c");
        // The address still carries its failures.
        assert_eq!(throttle.delay(&keys), BASE_DELAY * 2);
        assert_eq!(delay_after(40), MAX_DELAY);
    }
}
