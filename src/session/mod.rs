//! `Session`: one prediction, driven by the host one `step` at a time.
//!
//! ```text
//!   host                                   session
//!    |  step(now, [])  ------------------>  | policy runs until it needs I/O
//!    |  <------------------ Pending([connect #1, dns #2, ...])
//!    |  performs them concurrently          |
//!    |  step(now, [#2 answered]) -------->  | policy continues
//!    |  ...                                 |
//!    |  <------------------------- Done(report)
//! ```
//!
//! The policy is an ordinary `async` function over [`Network`](crate::network::Network); this
//! module is its executor. It polls the policy on every step (every combinator polls all of
//! its children) and again, before answering the host, while a poll woke something (a task
//! that filed a result another task of the same pass waits for), and never reads a clock: time
//! is `now_ms` from the host.

mod reactor;

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use crate::challenge;
use crate::io::{Completion, Outbound, RequestId};
use crate::job::{Job, Options};
use crate::report::Report;

pub use reactor::SessionConnection;
use reactor::{Reactor, SessionNetwork};

/// What the session needs next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Perform these new requests, then step again with completions.
    Pending(Vec<Outbound>),
    /// The prediction is complete.
    Done(Report),
}

/// The host broke the step contract; the session is unusable afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiMisuse {
    /// A completion names a request that was never issued or was already completed.
    UnknownRequest(RequestId),
    /// A completion's outcome does not answer its request's kind.
    MismatchedOutcome(RequestId),
    /// A completion answers a close request, which gets none.
    CompletedClose(RequestId),
    /// The clock went backwards.
    TimeWentBackwards,
    /// `step` after `Done`, or after an earlier misuse.
    AlreadyFinished,
}

impl fmt::Display for ApiMisuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiMisuse::UnknownRequest(id) => {
                write!(f, "completion for request {id}, which is not outstanding")
            }
            ApiMisuse::MismatchedOutcome(id) => {
                write!(f, "completion for request {id} does not match its kind")
            }
            ApiMisuse::CompletedClose(id) => {
                write!(f, "completion for close request {id}; close gets none")
            }
            ApiMisuse::TimeWentBackwards => write!(f, "now-ms is smaller than in the last step"),
            ApiMisuse::AlreadyFinished => write!(f, "step called after the session finished"),
        }
    }
}

/// Polls of one step at the most: each repeat needs a task to have woken another.
const MAX_POLLS_PER_STEP: u32 = 64;

/// A waker that only remembers that it was woken.
#[derive(Default)]
struct WokenFlag(AtomicBool);

impl Wake for WokenFlag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Polls `policy` until it is done or a poll wakes nothing more.
fn poll_settled<F: Future + ?Sized>(mut policy: Pin<&mut F>) -> Poll<F::Output> {
    let flag = Arc::new(WokenFlag::default());
    let waker = Waker::from(Arc::clone(&flag));
    let mut cx = Context::from_waker(&waker);
    for _ in 1..MAX_POLLS_PER_STEP {
        flag.0.store(false, Ordering::Relaxed);
        let polled = policy.as_mut().poll(&mut cx);
        if polled.is_ready() || !flag.0.load(Ordering::Relaxed) {
            return polled;
        }
    }
    policy.as_mut().poll(&mut cx)
}

/// One prediction in progress.
pub struct Session {
    reactor: Rc<RefCell<Reactor>>,
    policy: Option<Pin<Box<dyn Future<Output = Report>>>>,
    started: bool,
}

impl Session {
    /// A session for `job` with `options`. Nothing runs until the first `step`.
    pub fn new(job: Job, options: Options) -> Session {
        let reactor = Rc::new(RefCell::new(Reactor::new(options.seed)));
        let network = SessionNetwork {
            reactor: reactor.clone(),
        };
        let policy = Box::pin(challenge::run(network, job, options));
        Session {
            reactor,
            policy: Some(policy),
            started: false,
        }
    }

    /// Hands back completions and the host's clock; returns new requests or the report.
    pub fn step(&mut self, now_ms: u64, completions: Vec<Completion>) -> Result<Step, ApiMisuse> {
        if self.policy.is_none() {
            return Err(ApiMisuse::AlreadyFinished);
        }
        if let Err(misuse) = self.accept(now_ms, completions) {
            self.policy = None;
            return Err(misuse);
        }
        let Some(policy) = self.policy.as_mut() else {
            return Err(ApiMisuse::AlreadyFinished);
        };
        match poll_settled(policy.as_mut()) {
            Poll::Ready(mut report) => {
                report.trace = std::mem::take(&mut self.reactor.borrow_mut().trace);
                self.finish();
                Ok(Step::Done(report))
            }
            Poll::Pending => {
                let mut reactor = self.reactor.borrow_mut();
                if reactor.is_idle() {
                    // A policy waiting on nothing can never finish: a bug in the checker.
                    let mut report = challenge::stalled();
                    report.trace = std::mem::take(&mut reactor.trace);
                    drop(reactor);
                    self.policy = None;
                    return Ok(Step::Done(report));
                }
                Ok(Step::Pending(reactor.take_issued()))
            }
        }
    }

    /// One line saying what the session waits for.
    pub fn activity(&self) -> String {
        let reactor = self.reactor.borrow();
        match reactor.trace.last() {
            Some(event) => event.message.clone(),
            None => "starting".to_string(),
        }
    }

    fn accept(&mut self, now_ms: u64, completions: Vec<Completion>) -> Result<(), ApiMisuse> {
        let mut reactor = self.reactor.borrow_mut();
        reactor.set_now(now_ms, !self.started)?;
        self.started = true;
        for completion in completions {
            reactor.accept(completion)?;
        }
        Ok(())
    }

    fn finish(&mut self) {
        // Dropping the policy closes its connections; those close requests are moot now.
        self.policy = None;
        let _ = self.reactor.borrow_mut().take_issued();
    }
}

#[cfg(test)]
mod tests;
