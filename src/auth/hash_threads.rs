//! The threads that hash passwords: one per core but one, at the lowest
//! scheduling priority.
//!
//! Argon2 is meant to take all the CPU it is given. On the blocking pool, a
//! login storm kept every core busy hashing and `me` waited behind it (p99
//! 6.7x its quiet value on two cores, `cargo bench --bench login_storm`).
//! Here the hashes run on their own threads, one core is always left to the
//! requests, the rest wait in order, and the hashing threads run at nice 19:
//! when a request needs a core, the kernel gives it; when nothing else runs,
//! logins get the cores they have.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce() + Send>;

/// The lowest priority. Raising it back would need privileges, which is why
/// the threads are the hasher's own rather than the shared blocking pool's.
const NICE: i32 = 19;

pub(crate) struct HashThreads {
    jobs: Mutex<Sender<Job>>,
}

impl HashThreads {
    /// Starts `count` threads; they end when this value is dropped.
    pub(crate) fn start(count: usize) -> std::io::Result<Self> {
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..count.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || {
                    lower_priority();
                    work(&queue);
                })?;
        }
        Ok(Self {
            jobs: Mutex::new(jobs),
        })
    }

    /// Runs `job` on a hashing thread and waits for it without blocking the
    /// runtime.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(job());
        });
        self.jobs
            .lock()
            .map_err(|_| anyhow::anyhow!("password hashing queue poisoned"))?
            .send(job)
            .map_err(|_| anyhow::anyhow!("password hashing threads stopped"))?;
        result
            .await
            .map_err(|_| anyhow::anyhow!("password hashing job lost"))
    }
}

fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        // Hold the lock only to take the next job, not while hashing.
        let next = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match next {
            Ok(job) => job(),
            Err(_) => return, // the hasher is gone
        }
    }
}

fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority take no pointers; on Linux,
    // PRIO_PROCESS with a thread id changes that thread only. Failure leaves
    // the default priority, which is only slower for other requests.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, NICE);
    }
}
