//! When servers stop: a stop flag, a hard deadline, and a cap on worker threads.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Most connection/delay worker threads alive at once; more are turned away.
pub const MAX_WORKERS: usize = 256;
/// How often loops look at the stop flag.
pub const TICK: Duration = Duration::from_millis(50);

/// Shared by every server thread of one testbed.
#[derive(Debug)]
pub struct Lifetime {
    stop: AtomicBool,
    deadline: Instant,
    workers: AtomicUsize,
}

impl Lifetime {
    /// A lifetime ending `max` from now at the latest.
    pub fn new(max: Duration) -> Arc<Lifetime> {
        Arc::new(Lifetime {
            stop: AtomicBool::new(false),
            deadline: Instant::now() + max,
            workers: AtomicUsize::new(0),
        })
    }

    /// Asks every loop to end.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Whether loops must end now.
    pub fn is_over(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || Instant::now() >= self.deadline
    }

    /// The hard deadline.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Sleeps `duration` in ticks; false when the lifetime ended first.
    pub fn sleep(&self, duration: Duration) -> bool {
        let end = Instant::now() + duration;
        loop {
            if self.is_over() {
                return false;
            }
            let now = Instant::now();
            if now >= end {
                return true;
            }
            thread::sleep(TICK.min(end - now));
        }
    }

    /// Runs `work` on a new worker thread unless [`MAX_WORKERS`] are busy (then returns false).
    pub fn spawn_worker<F>(self: &Arc<Self>, name: &str, work: F) -> bool
    where
        F: FnOnce() + Send + 'static,
    {
        let previous = self.workers.fetch_add(1, Ordering::SeqCst);
        if previous >= MAX_WORKERS || self.is_over() {
            self.workers.fetch_sub(1, Ordering::SeqCst);
            return false;
        }
        let me = Arc::clone(self);
        let spawned = thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                work();
                me.workers.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            self.workers.fetch_sub(1, Ordering::SeqCst);
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_ends_sleep() {
        let life = Lifetime::new(Duration::from_millis(60));
        let start = Instant::now();
        assert!(!life.sleep(Duration::from_secs(5)));
        assert!(start.elapsed() < Duration::from_secs(1));
        assert!(life.is_over());
    }

    #[test]
    fn stop_flag_ends_sleep_and_refuses_workers() {
        let life = Lifetime::new(Duration::from_secs(60));
        assert!(life.sleep(Duration::from_millis(1)));
        life.stop();
        assert!(!life.sleep(Duration::from_secs(5)));
        assert!(!life.spawn_worker("w", || {}));
    }

    #[test]
    fn worker_cap() {
        let life = Lifetime::new(Duration::from_secs(60));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let rx = Arc::new(std::sync::Mutex::new(rx));
        for _ in 0..MAX_WORKERS {
            let rx = Arc::clone(&rx);
            assert!(life.spawn_worker("w", move || {
                let _ = rx.lock().map(|r| r.recv_timeout(Duration::from_secs(5)));
            }));
        }
        // N + 1: refused while N are busy.
        assert!(!life.spawn_worker("w", || {}));
        for _ in 0..MAX_WORKERS {
            let _ = tx.send(());
        }
        life.stop();
    }
}
