//! The command: the shared command line, one session, the report on stdout, the exit code.
//!
//! The same behaviour as the wasmtime host's `main.rs`, with what WASI can and cannot see:
//! /etc/resolv.conf is read only when a preopened directory makes it visible, and the
//! terminal checks use `wasi:cli/terminal-stdout` and `terminal-stderr`.

use std::io::Write;

use acme_preflight::cli::{self, Command, Invocation};
use wasi::cli::{terminal_stderr, terminal_stdout};

use crate::session::{run_session, Observer};

/// Exit code of a usage error.
pub const USAGE: u8 = 2;

/// Exit code of a failure of the host or of the checker.
pub const FAILURE: u8 = 3;

/// The widest progress line, in characters (a wrapped line could not be cleared).
const PROGRESS_WIDTH: usize = 79;

/// Where the default resolver is read from, when a preopened directory makes it visible.
const RESOLV_CONF: &str = "/etc/resolv.conf";

/// Runs the command with `args` (without the program name); the exit code, or one with a
/// message for standard error.
pub fn run(args: &[String]) -> Result<u8, (u8, String)> {
    let resolv_conf = std::fs::read_to_string(RESOLV_CONF).ok();
    match cli::parse_args(args, resolv_conf.as_deref()) {
        Ok(Command::Print(text)) => {
            print_out(&text);
            Ok(0)
        }
        Ok(Command::Run(invocation)) => validate(*invocation),
        Err(message) => Err((USAGE, message)),
    }
}

/// Runs the session and prints its report; the exit code is the report's.
fn validate(invocation: Invocation) -> Result<u8, (u8, String)> {
    let Some(resolver) = invocation.resolver else {
        return Err((USAGE, no_resolver()));
    };
    let mut options = invocation.options;
    options.seed = wasi::random::random::get_random_u64();
    let mut line = ProgressLine {
        enabled: terminal_stderr::get_terminal_stderr().is_some(),
        shown: None,
    };
    let report = run_session(invocation.job, options, Some(resolver), &mut line)
        .map_err(|error| (FAILURE, error.to_string()))?;
    let color = terminal_stdout::get_terminal_stdout().is_some()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    print_out(&cli::render(&report, invocation.output, color));
    Ok(cli::exit_code(&report))
}

/// Why there is no resolver, and the two ways to give one.
fn no_resolver() -> String {
    format!(
        "no DNS resolver: pass --resolver <IP[:PORT]>, or preopen the directory of \
         {RESOLV_CONF} (wasmtime run --dir /etc::/etc ...) so its first nameserver is used"
    )
}

/// Writes `text` to standard output, ending it with a newline. A closed pipe is not an error.
pub fn print_out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = stdout.write_all(b"\n");
    }
    let _ = stdout.flush();
}

/// The live progress line on standard error (a terminal only).
struct ProgressLine {
    enabled: bool,
    /// The line on the terminal now, if any.
    shown: Option<String>,
}

impl Observer for ProgressLine {
    fn waiting(&mut self, activity: &str) {
        if !self.enabled {
            return;
        }
        let line = progress_text(activity);
        if self.shown.as_ref() != Some(&line) {
            let _ = write!(std::io::stderr(), "\r\x1b[2K{line}");
            self.shown = Some(line);
        }
    }

    fn finished(&mut self) {
        if self.shown.take().is_some() {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

/// The activity as one terminal line: no control characters, at most [`PROGRESS_WIDTH`].
fn progress_text(activity: &str) -> String {
    activity
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(PROGRESS_WIDTH)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_lines() {
        let long = "x".repeat(PROGRESS_WIDTH + 1);
        let (wide, cut) = ("é".repeat(PROGRESS_WIDTH + 1), "é".repeat(PROGRESS_WIDTH));
        let rows = [
            // Plain text passes.
            (
                "connecting to 198.51.100.10:80",
                "connecting to 198.51.100.10:80",
            ),
            // Control characters cannot move the cursor or ring the bell.
            ("a\rb\x1b[2Kc\n\x07", "a b [2Kc  "),
            // 78, 79, 80 characters: cut at 79.
            (&long[..PROGRESS_WIDTH - 1], &long[..PROGRESS_WIDTH - 1]),
            (&long[..PROGRESS_WIDTH], &long[..PROGRESS_WIDTH]),
            (&long[..], &long[..PROGRESS_WIDTH]),
            // Characters, not bytes, are counted.
            (wide.as_str(), cut.as_str()),
        ];
        for (activity, expected) in rows {
            assert_eq!(progress_text(activity), expected, "{activity:?}");
        }
    }

    #[test]
    fn usage_errors_exit_2_before_any_io() {
        let rows: [(&[&str], &str); 4] = [
            // No command at all.
            (&[], "missing command"),
            // Unknown option: the shared parser's text.
            (&["--bogus"], "unknown option \"--bogus\""),
            // An identifier the parser refuses.
            (&["validate", "*.example.com"], "wildcard"),
            // A flag without its value.
            (
                &["validate", "example.com", "--resolver"],
                "--resolver needs a value",
            ),
        ];
        for (args, fragment) in rows {
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            match run(&args) {
                Err((code, message)) => {
                    assert_eq!(code, USAGE, "{args:?}");
                    assert!(message.contains(fragment), "{args:?}: {message}");
                }
                Ok(code) => panic!("{args:?}: exit {code}"),
            }
        }
    }

    #[test]
    fn the_no_resolver_message_names_both_ways() {
        let text = no_resolver();
        assert!(
            text.starts_with("no DNS resolver: pass --resolver"),
            "{text}"
        );
        assert!(text.contains("--dir /etc::/etc"), "{text}");
    }
}
