//! `acme-preflight`: predicts what Let's Encrypt's HTTP-01 validation will do for a domain.
//!
//! The command line, the checking and the output all come from the checker component; this
//! binary only finds the component, performs its I/O and prints what it renders.
//!
//! The component is taken from the first of:
//! 1. `--component PATH`, as the first argument (`--component=PATH` too);
//! 2. the `ACME_PREFLIGHT_COMPONENT` environment variable (a path);
//! 3. the copy compiled into the binary (feature `embed`, or `ACME_PREFLIGHT_EMBED=<path>` at
//!    build time; see `build.rs`);
//! 4. `acme-preflight.wasm` next to the executable.
//!
//! Exit codes: 0 valid (or `--help`/`--version`), 1 invalid, 2 usage error, 3 failure of the
//! host or the component.

use std::env;
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

mod serve;

use acme_preflight_host::{
    run_session, std_socket_addr, Cache, Checker, Command, Instance, Invocation, Observer,
    SessionError,
};

/// The environment variable naming the component file.
const COMPONENT_VAR: &str = "ACME_PREFLIGHT_COMPONENT";

/// The file name looked for next to the executable.
const COMPONENT_FILE: &str = "acme-preflight.wasm";

/// Exit code of a usage error.
const USAGE: u8 = 2;

/// Exit code of a failure of the host or of the component.
const FAILURE: u8 = 3;

/// The widest progress line, in characters (a wrapped line could not be cleared).
const PROGRESS_WIDTH: usize = 79;

fn main() -> ExitCode {
    match run() {
        Ok(code) => ExitCode::from(code),
        Err((code, message)) => {
            eprintln!("acme-preflight: {}", message.trim_end());
            ExitCode::from(code)
        }
    }
}

/// Everything but printing the final failure: an exit code, or one with a message.
fn run() -> Result<u8, (u8, String)> {
    let mut args = arguments()?;
    let component = component_flag(&mut args)?;
    let checker = load_checker(component).map_err(|message| (FAILURE, message))?;
    if args.first().map(String::as_str) == Some("serve") {
        return serve::run(checker, args.get(1..).unwrap_or_default());
    }
    let mut instance = checker.instantiate().map_err(|e| {
        (
            FAILURE,
            format!("cannot instantiate the checker component: {e:#}"),
        )
    })?;
    let resolv_conf = std::fs::read_to_string("/etc/resolv.conf").ok();
    match instance.parse_args(&args, resolv_conf.as_deref()) {
        Ok(Ok(Command::Print(text))) => {
            print_out(&text);
            Ok(0)
        }
        Ok(Ok(Command::Run(invocation))) => validate(&mut instance, invocation),
        Ok(Err(message)) => Err((USAGE, message)),
        Err(error) => Err(trapped(&instance, error)),
    }
}

/// The arguments without the program name; each must be UTF-8.
fn arguments() -> Result<Vec<String>, (u8, String)> {
    env::args_os()
        .skip(1)
        .map(|arg: OsString| {
            arg.into_string().map_err(|raw| {
                (
                    USAGE,
                    format!("argument is not UTF-8: {}", raw.to_string_lossy()),
                )
            })
        })
        .collect()
}

/// Removes a leading `--component PATH` or `--component=PATH` and returns the path.
fn component_flag(args: &mut Vec<String>) -> Result<Option<PathBuf>, (u8, String)> {
    let Some(first) = args.first() else {
        return Ok(None);
    };
    if let Some(path) = first.strip_prefix("--component=") {
        let path = PathBuf::from(path);
        args.remove(0);
        return Ok(Some(path));
    }
    if first != "--component" {
        return Ok(None);
    }
    if args.len() < 2 {
        return Err((USAGE, "--component needs a path".to_string()));
    }
    let path = PathBuf::from(args.remove(1));
    args.remove(0);
    Ok(Some(path))
}

/// Finds and compiles (or loads precompiled) the component.
fn load_checker(flag: Option<PathBuf>) -> Result<Checker, String> {
    let from_env = env::var_os(COMPONENT_VAR)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let path = match flag.or(from_env) {
        Some(path) => path,
        None => {
            if let Some(wasm) = embedded() {
                return Checker::load(wasm, &Cache::Default)
                    .map_err(|e| format!("cannot load the embedded checker component: {e:#}"));
            }
            beside_executable()?
        }
    };
    Checker::load_file(&path, &Cache::Default).map_err(|e| {
        format!(
            "cannot load the checker component {}: {e:#}",
            path.display()
        )
    })
}

/// The component compiled into the binary, if any.
fn embedded() -> Option<&'static [u8]> {
    #[cfg(acme_preflight_embedded)]
    return Some(include_bytes!(env!("ACME_PREFLIGHT_EMBEDDED_PATH")));
    #[cfg(not(acme_preflight_embedded))]
    None
}

/// `acme-preflight.wasm` next to the executable, when it exists.
fn beside_executable() -> Result<PathBuf, String> {
    let exe = env::current_exe().map_err(|e| format!("cannot locate the executable: {e}"))?;
    let path = exe.with_file_name(COMPONENT_FILE);
    if path.is_file() {
        return Ok(path);
    }
    Err(format!(
        "cannot find the checker component: pass --component PATH, set {COMPONENT_VAR}, \
         or put {COMPONENT_FILE} at {}",
        path.display()
    ))
}

/// Runs the session and prints its report; the exit code is the component's.
fn validate(instance: &mut Instance, invocation: Invocation) -> Result<u8, (u8, String)> {
    let mut options = invocation.options;
    options.seed = getrandom::u64().map_err(|e| (FAILURE, format!("no random seed: {e}")))?;
    let resolver = invocation.resolver.as_ref().map(std_socket_addr);
    let mut line = ProgressLine {
        enabled: std::io::stderr().is_terminal(),
        shown: None,
    };
    let report =
        run_session(instance, &invocation.job, &options, resolver, &mut line).map_err(|error| {
            match error {
                SessionError::Rejected(message) => (USAGE, message),
                other => (FAILURE, other.to_string()),
            }
        })?;
    let color =
        std::io::stdout().is_terminal() && env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let text = instance.render(&report, invocation.output, color);
    let text = text.map_err(|e| trapped(instance, e))?;
    let code = instance
        .exit_code(&report)
        .map_err(|e| trapped(instance, e))?;
    print_out(&text);
    Ok(code)
}

/// A trap of the component, with what it wrote to standard error.
fn trapped(instance: &Instance, error: wasmtime::Error) -> (u8, String) {
    (
        FAILURE,
        SessionError::Trap(error, instance.stderr()).to_string(),
    )
}

/// Writes `text` to standard output, ending it with a newline. A closed pipe is not an error.
fn print_out(text: &str) {
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
        // The text comes from the component: no control characters reach the terminal.
        let line: String = activity
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(PROGRESS_WIDTH)
            .collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// One case of `component_flag`.
    struct Row {
        args: &'static [&'static str],
        /// The path taken, or the exit code of the usage error.
        expected: Result<Option<&'static str>, u8>,
        /// The arguments left for `parse-args`.
        rest: &'static [&'static str],
    }

    #[test]
    fn component_flag_rows() {
        let rows = [
            // No arguments at all.
            Row {
                args: &[],
                expected: Ok(None),
                rest: &[],
            },
            // Separate value; the rest is left for parse-args.
            Row {
                args: &["--component", "c.wasm", "--help"],
                expected: Ok(Some("c.wasm")),
                rest: &["--help"],
            },
            // Joined value.
            Row {
                args: &["--component=c.wasm", "validate"],
                expected: Ok(Some("c.wasm")),
                rest: &["validate"],
            },
            // Joined but empty: an empty path, which then fails to load (exit 3).
            Row {
                args: &["--component="],
                expected: Ok(Some("")),
                rest: &[],
            },
            // Flag without a value: usage error.
            Row {
                args: &["--component"],
                expected: Err(USAGE),
                rest: &["--component"],
            },
            // Only the first argument counts: a token may start with "--".
            Row {
                args: &["validate", "--component", "x"],
                expected: Ok(None),
                rest: &["validate", "--component", "x"],
            },
            // A longer flag that merely starts alike is not ours.
            Row {
                args: &["--components", "x"],
                expected: Ok(None),
                rest: &["--components", "x"],
            },
        ];
        for row in rows {
            let mut owned: Vec<String> = row.args.iter().map(|a| a.to_string()).collect();
            let got = component_flag(&mut owned).map_err(|(code, _)| code);
            let expected = row.expected.map(|path| path.map(PathBuf::from));
            assert_eq!(got, expected, "{:?}", row.args);
            assert_eq!(owned, row.rest, "{:?}", row.args);
        }
    }
}
