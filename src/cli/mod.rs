//! The command line every host shares: parsing, rendering and exit codes.
//!
//! ```text
//! acme-preflight validate <identifier> --token <TOKEN> --key-authorization <KEYAUTH>
//! acme-preflight diagnose <identifier> [--expect PATH=CONTENT]
//! ```

mod args;
mod duration;
mod identifier;

pub(crate) mod render;
mod resolv_conf;

use std::net::SocketAddr;

pub use args::{parse_args, USAGE};
pub use duration::parse_duration;
pub use identifier::parse_identifier;
pub use render::render_human;
pub use resolv_conf::first_nameserver;

use crate::job::{Job, Options};
use crate::report::{ProblemType, Report, Status, Verdict};

/// How to print a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// A readable account.
    Human,
    /// The challenge object as JSON.
    Json,
}

/// A parsed command line, ready to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    /// What to do.
    pub job: Job,
    /// Session settings.
    pub options: Options,
    /// How to print.
    pub output: OutputFormat,
    /// Where DNS queries go.
    pub resolver: Option<SocketAddr>,
}

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Run a session.
    Run(Box<Invocation>),
    /// Print this text and exit 0.
    Print(String),
}

/// Renders a report in `format`, ending with a newline.
pub fn render(report: &Report, format: OutputFormat, color: bool) -> String {
    match (format, &report.diagnosis) {
        (OutputFormat::Json, _) => format!("{}\n", report.to_json()),
        (OutputFormat::Human, Some(diagnosis)) => {
            crate::diagnose::human::render(report, diagnosis, color)
        }
        (OutputFormat::Human, None) => render_human(report, color),
    }
}

/// The exit code for a report: 0 valid, 1 invalid, 3 when the checker could not predict.
/// For a diagnosis: 0 pass, 1 fail, 4 pass-with-fallback or intermittent (3 likewise).
pub fn exit_code(report: &Report) -> u8 {
    let internal = report
        .problem
        .as_ref()
        .is_some_and(|p| p.problem_type == ProblemType::ServerInternal);
    if let (Some(diagnosis), false) = (&report.diagnosis, internal) {
        return match diagnosis.verdict {
            Verdict::Pass => 0,
            Verdict::Fail => 1,
            Verdict::PassWithFallback | Verdict::Intermittent => 4,
        };
    }
    match (&report.status, &report.problem) {
        (Status::Valid, _) => 0,
        (Status::Invalid, Some(problem)) if problem.problem_type == ProblemType::ServerInternal => {
            3
        }
        (Status::Invalid, _) => 1,
    }
}
