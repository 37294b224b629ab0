//! The time the domain lives in: "now" and "today" for due dates, expiry,
//! time at level, reminders and retention.
//!
//! One `Clock` is built with the application and carried in its state. It
//! reads the system time unless a test moves it (`advance`, `set_today`):
//! then the server it belongs to, its requests and its jobs all see the
//! moved time, so a test says "a year later" instead of writing dates in
//! the past into the database.
//!
//! Services ask `clock::now()` / `clock::today()`. The application installs
//! its clock for the task that serves a request or runs a job (`Clock::scope`),
//! as it does the audit scope: services keep their signatures, and two test
//! servers in one process each keep their own time. Outside any scope (CLI
//! commands, benches) it is the system time.
//!
//! Not everything follows it: token and link expiry, login throttling, mail
//! leases and the audit trail's timestamps are measured against the wall
//! clock on purpose (see the comments there).

use std::future::Future;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Where "now" comes from. Cheap to clone; clones share one setting.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// `None`: the system time, unmovable. `Some`: the system time shifted
    /// by an offset a test sets; time keeps running, so rows written one
    /// after the other still have increasing timestamps.
    shift: Option<Arc<Mutex<Duration>>>,
}

impl Clock {
    /// The system time. What the server runs on.
    pub fn system() -> Self {
        Self { shift: None }
    }

    /// The system time until moved: for tests.
    pub fn adjustable() -> Self {
        Self {
            shift: Some(Arc::new(Mutex::new(Duration::zero()))),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset()
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// Moves time on (or back, with a negative duration). Does nothing to a
    /// system clock, which cannot be moved.
    pub fn advance(&self, by: Duration) {
        if let Some(shift) = &self.shift {
            let mut shift = shift.lock().unwrap_or_else(|e| e.into_inner());
            *shift += by;
        }
    }

    /// Moves time so that today is `day`, keeping the time of day.
    pub fn set_today(&self, day: NaiveDate) {
        self.advance(day - self.today());
    }

    fn offset(&self) -> Duration {
        match &self.shift {
            None => Duration::zero(),
            Some(shift) => *shift.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Runs `work` with this clock as the one `clock::now()` reads.
    pub async fn scope<F: Future>(self, work: F) -> F::Output {
        CURRENT.scope(self, work).await
    }
}

tokio::task_local! {
    static CURRENT: Clock;
}

/// The clock of the task: the application's within a request or a job, the
/// system's elsewhere.
pub fn current() -> Clock {
    CURRENT.try_with(Clone::clone).unwrap_or_default()
}

/// Now, by the current clock.
pub fn now() -> DateTime<Utc> {
    CURRENT.try_with(Clock::now).unwrap_or_else(|_| Utc::now())
}

/// Today (UTC), by the current clock.
pub fn today() -> NaiveDate {
    now().date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_system_clock_cannot_be_moved() {
        let clock = Clock::system();
        clock.advance(Duration::days(400));
        assert!((clock.now() - Utc::now()).num_seconds().abs() < 5);
    }

    #[test]
    fn clones_of_an_adjustable_clock_move_together() {
        let clock = Clock::adjustable();
        let same = clock.clone();
        let day = NaiveDate::from_ymd_opt(2031, 2, 3).unwrap();
        clock.set_today(day);
        assert_eq!(same.today(), day);
        same.advance(Duration::days(1));
        assert_eq!(clock.today(), day.succ_opt().unwrap());
    }

    #[tokio::test]
    async fn services_read_the_clock_of_their_scope() {
        let clock = Clock::adjustable();
        clock.advance(Duration::days(365));
        let inside = clock.clone().scope(async { today() }).await;
        assert_eq!(inside, clock.today());
        assert_eq!(today(), Utc::now().date_naive());
    }
}
