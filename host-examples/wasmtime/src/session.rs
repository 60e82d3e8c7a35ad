//! The step loop: one session of the component driven to its report.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::{
    ApiMisuse, Completion, Driver, Instance, Job, Options, Progress, Session, ValidationReport,
};

/// How long a session runs before the [`Observer`] hears about its waits.
const QUIET_START: Duration = Duration::from_secs(1);

/// How often a long wait wakes to refresh the [`Observer`].
const TICK: Duration = Duration::from_millis(250);

/// How long past the session's own deadline the host waits for its report before giving up.
const GRACE: Duration = Duration::from_secs(30);

/// Hears about long waits, to show a progress line.
pub trait Observer {
    /// The session, running for more than a second, is waiting; `activity` is its own account
    /// (`session.activity`). Called every quarter second while it waits.
    fn waiting(&mut self, activity: &str);

    /// The session is over (report or error): remove whatever `waiting` showed.
    fn finished(&mut self);
}

/// An [`Observer`] that shows nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Quiet;

impl Observer for Quiet {
    fn waiting(&mut self, _activity: &str) {}
    fn finished(&mut self) {}
}

/// Why a session ended without a report. Each is a failure of the component or of the host,
/// never a verdict on the identifier.
#[derive(Debug)]
pub enum SessionError {
    /// The component trapped (it panicked, or a call failed); with what it wrote to stderr.
    Trap(wasmtime::Error, String),
    /// `session.start` refused the job or the options, with its message.
    Rejected(String),
    /// `session.step` said the host broke the step contract: a host bug.
    ApiMisuse(ApiMisuse),
    /// The component broke the step contract (it reused a request id), as described.
    Contract(String),
    /// The session waits for nothing: no request is outstanding and it is not done.
    Stalled,
    /// The session ran past its deadline plus a grace period without finishing.
    Overtime(Duration),
    /// The host could not start its I/O runtime.
    Io(std::io::Error),
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::Trap(error, stderr) if stderr.trim().is_empty() => {
                write!(f, "the checker component failed: {error:#}")
            }
            SessionError::Trap(error, stderr) => {
                let stderr = stderr.trim();
                write!(f, "the checker component failed:\n{stderr}\n{error:#}")
            }
            SessionError::Rejected(message) => f.write_str(message),
            SessionError::ApiMisuse(misuse) => {
                write!(f, "host bug: the checker reports API misuse: {misuse:?}")
            }
            SessionError::Contract(what) => {
                write!(f, "the checker component broke the step contract: {what}")
            }
            SessionError::Stalled => {
                f.write_str("the checker waits, but no request is outstanding")
            }
            SessionError::Overtime(after) => {
                write!(
                    f,
                    "the checker did not finish within {} ms",
                    after.as_millis()
                )
            }
            SessionError::Io(error) => write!(f, "cannot start the I/O runtime: {error}"),
        }
    }
}

impl std::error::Error for SessionError {}

/// Runs one session of `job` to its report, performing its I/O with DNS sent to `resolver`.
pub fn run_session(
    instance: &mut Instance,
    job: &Job,
    options: &Options,
    resolver: Option<SocketAddr>,
    observer: &mut dyn Observer,
) -> Result<ValidationReport, SessionError> {
    let mut driver = Driver::new(resolver).map_err(SessionError::Io)?;
    let session = match instance.start(job, options) {
        Ok(Ok(session)) => session,
        Ok(Err(message)) => return Err(SessionError::Rejected(message)),
        Err(error) => return Err(trap(instance, error)),
    };
    let limit = Duration::from_millis(u64::from(options.deadline_ms)).saturating_add(GRACE);
    let result = drive(instance, &session, &mut driver, limit, observer);
    observer.finished();
    drop(driver);
    // The resource lives in the instance; a failure to drop it changes nothing for the caller.
    let _ = instance.drop_session(session);
    result
}

/// Steps until the report, handing each batch of completions back.
fn drive(
    instance: &mut Instance,
    session: &Session,
    driver: &mut Driver,
    limit: Duration,
    observer: &mut dyn Observer,
) -> Result<ValidationReport, SessionError> {
    let mut completions = Vec::new();
    loop {
        let progress = match instance.step(session, driver.now_ms(), &completions) {
            Ok(Ok(progress)) => progress,
            Ok(Err(misuse)) => return Err(SessionError::ApiMisuse(misuse)),
            Err(error) => return Err(trap(instance, error)),
        };
        match progress {
            Progress::Done(report) => return Ok(report),
            Progress::Pending(requests) => {
                driver.submit(requests).map_err(SessionError::Contract)?
            }
        }
        completions = next_batch(instance, session, driver, limit, observer)?;
    }
}

/// Waits for the next completions, telling `observer` once the session has run for a while.
fn next_batch(
    instance: &mut Instance,
    session: &Session,
    driver: &mut Driver,
    limit: Duration,
    observer: &mut dyn Observer,
) -> Result<Vec<Completion>, SessionError> {
    loop {
        if driver.outstanding() == 0 {
            return Err(SessionError::Stalled);
        }
        let batch = driver.wait(TICK);
        if !batch.is_empty() {
            return Ok(batch);
        }
        if Duration::from_millis(driver.now_ms()) > limit {
            return Err(SessionError::Overtime(limit));
        }
        if Duration::from_millis(driver.now_ms()) >= QUIET_START {
            match instance.activity(session) {
                Ok(activity) => observer.waiting(&activity),
                Err(error) => return Err(trap(instance, error)),
            }
        }
    }
}

/// A trap, with the component's stderr.
fn trap(instance: &Instance, error: wasmtime::Error) -> SessionError {
    SessionError::Trap(error, instance.stderr())
}
