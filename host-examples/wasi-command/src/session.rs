//! The step loop: one session of the checker driven to its report (as the wasmtime host's
//! `session.rs`, with the core linked in instead of called through a component).

use std::fmt;
use std::net::SocketAddr;

use acme_preflight::io::Completion;
use acme_preflight::{ApiMisuse, Job, Options, Report, Session, Step};

use crate::driver::Driver;

/// How long a session runs before the [`Observer`] hears about its waits, in milliseconds.
const QUIET_START_MS: u64 = 1000;

/// How often a long wait wakes to refresh the [`Observer`], in milliseconds.
const TICK_MS: u64 = 250;

/// How long past the session's own deadline the host waits for its report, in milliseconds.
const GRACE_MS: u64 = 30_000;

/// Hears about long waits, to show a progress line.
pub trait Observer {
    /// The session, running for more than a second, is waiting; `activity` is its own account.
    /// Called every quarter second while it waits.
    fn waiting(&mut self, activity: &str);

    /// The session is over (report or error): remove whatever `waiting` showed.
    fn finished(&mut self);
}

/// Why a session ended without a report: a failure of the checker or of this host.
#[derive(Debug)]
pub enum SessionError {
    /// The session said the host broke the step contract: a host bug.
    ApiMisuse(ApiMisuse),
    /// The session broke the step contract (it reused a request id), as described.
    Contract(String),
    /// The session waits for nothing: no request is outstanding and it is not done.
    Stalled,
    /// The session ran past its deadline plus a grace period (milliseconds) without finishing.
    Overtime(u64),
    /// The runtime refused the session's sockets: the report would blame the domain.
    NetworkDenied,
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::ApiMisuse(misuse) => {
                write!(f, "host bug: the checker reports API misuse: {misuse:?}")
            }
            SessionError::Contract(what) => {
                write!(f, "the checker component broke the step contract: {what}")
            }
            SessionError::Stalled => {
                f.write_str("the checker waits, but no request is outstanding")
            }
            SessionError::Overtime(after_ms) => {
                write!(f, "the checker did not finish within {after_ms} ms")
            }
            SessionError::NetworkDenied => f.write_str(
                "the WebAssembly runtime denied network access (wasi:sockets access-denied): \
                 run with `wasmtime run -S inherit-network=y ...`",
            ),
        }
    }
}

impl std::error::Error for SessionError {}

/// Runs one session of `job` to its report, performing its I/O with DNS sent to `resolver`.
pub fn run_session(
    job: Job,
    options: Options,
    resolver: Option<SocketAddr>,
    observer: &mut dyn Observer,
) -> Result<Report, SessionError> {
    let mut driver = Driver::new(resolver);
    let limit_ms = u64::from(options.deadline_ms).saturating_add(GRACE_MS);
    let mut session = Session::new(job, options);
    let result = drive(&mut session, &mut driver, limit_ms, observer);
    observer.finished();
    result
}

/// Steps until the report, handing each batch of completions back.
fn drive(
    session: &mut Session,
    driver: &mut Driver,
    limit_ms: u64,
    observer: &mut dyn Observer,
) -> Result<Report, SessionError> {
    let mut completions = Vec::new();
    loop {
        match session.step(driver.now_ms(), completions) {
            Ok(Step::Done(report)) => return Ok(report),
            Ok(Step::Pending(requests)) => {
                driver.submit(requests).map_err(SessionError::Contract)?
            }
            Err(misuse) => return Err(SessionError::ApiMisuse(misuse)),
        }
        completions = next_batch(session, driver, limit_ms, observer)?;
        if driver.denied() {
            return Err(SessionError::NetworkDenied);
        }
    }
}

/// Waits for the next completions, telling `observer` once the session has run for a while.
fn next_batch(
    session: &Session,
    driver: &mut Driver,
    limit_ms: u64,
    observer: &mut dyn Observer,
) -> Result<Vec<Completion>, SessionError> {
    loop {
        if driver.outstanding() == 0 {
            return Err(SessionError::Stalled);
        }
        let batch = driver.wait(TICK_MS);
        if !batch.is_empty() {
            return Ok(batch);
        }
        if driver.now_ms() > limit_ms {
            return Err(SessionError::Overtime(limit_ms));
        }
        if driver.now_ms() >= QUIET_START_MS {
            observer.waiting(&session.activity());
        }
    }
}
