//! Shared by the comparison tests: where the programs are, how to run them in the testbed's
//! client namespace, the arguments of a validation, and how human output is compared.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use testbed::Testbed;

/// The wasmtime-cli version the project pins.
pub const WASMTIME_VERSION: &str = "48.0.8";

/// The token every case validates.
pub const TOKEN: &str = "cmd-token_0123456789";
/// What the testbed's servers append to the token.
pub const THUMBPRINT: &str = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

/// The testbed's resolver.
pub const RESOLVER: &str = "198.51.100.53";
/// The reserved blocks the testbed's servers live in.
pub const ALLOW: &str = "198.51.100.0/24,2001:db8::/32";

/// `wasmtime run` with what the component needs: sockets (TCP and UDP) to any address.
pub const WASMTIME_FLAGS: [&str; 2] = ["-S", "inherit-network=y"];

/// `validate <domain> --token ... --key-authorization ... [--resolver ...] --allow-reserved ...`.
pub fn validate_args(domain: &str, extra: &[&str], resolver: bool) -> Vec<String> {
    let key_authorization = format!("{TOKEN}.{THUMBPRINT}");
    let mut args = vec![
        "validate",
        domain,
        "--token",
        TOKEN,
        "--key-authorization",
        &key_authorization,
        "--allow-reserved",
        ALLOW,
    ];
    if resolver {
        args.extend(["--resolver", RESOLVER]);
    }
    args.extend_from_slice(extra);
    args.iter().map(|a| a.to_string()).collect()
}

/// Human output without what differs between any two runs: the elapsed times and remaining
/// timeouts of the "Step by step" lines are masked and those lines sorted; the rest is kept.
pub fn comparable(stdout: &[u8]) -> String {
    let text = String::from_utf8_lossy(stdout);
    let mut out: Vec<String> = Vec::new();
    let mut steps: Vec<String> = Vec::new();
    for line in text.split('\n') {
        match step_line(line) {
            Some(step) => steps.push(step),
            None => {
                steps.sort();
                out.append(&mut steps);
                out.push(line.to_string());
            }
        }
    }
    steps.sort();
    out.append(&mut steps);
    out.join("\n")
}

/// A "Step by step" line (`   10.001s connect to ... (timeout 9769 ms)`) with its time and
/// timeout masked; `None` for any other line.
pub fn step_line(line: &str) -> Option<String> {
    let (time, event) = line.trim_start().split_once("s ")?;
    let (whole, millis) = time.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || millis.len() != 3 || !digits(millis) {
        return None;
    }
    let masked = match event.split_once("(timeout ") {
        Some((before, after)) => match after.split_once(" ms)") {
            Some((ms, rest)) if digits(ms) => format!("{before}(timeout # ms){rest}"),
            _ => event.to_string(),
        },
        None => event.to_string(),
    };
    Some(format!("#.###s {masked}"))
}

/// Runs `argv` in the client namespace and measures how long it took.
pub fn timed(bed: &Testbed, argv: &[String]) -> (Output, Duration) {
    let started = Instant::now();
    let output = run(bed, argv);
    (output, started.elapsed())
}

/// Runs `argv` in the client namespace.
pub fn run(bed: &Testbed, argv: &[String]) -> Output {
    bed.run_in_client(argv)
        .unwrap_or_else(|e| panic!("run {argv:?} in the client namespace: {e}"))
}

/// The programs under test.
pub struct Tools {
    /// The wasmtime binary.
    pub wasmtime: PathBuf,
    /// The command component.
    pub component: PathBuf,
    /// The Rust host.
    pub host: PathBuf,
}

impl Tools {
    /// Finds all three, failing with what to do when one is missing.
    pub fn find() -> Tools {
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
            .unwrap_or_else(|| PathBuf::from("/root/.cache"));
        let wasmtime = path_from("ACME_PREFLIGHT_WASMTIME")
            .unwrap_or_else(|| cache.join("acme-preflight/tools/bin/wasmtime"));
        let dist = manifest_dir().join("../../dist");
        let component = path_from("ACME_PREFLIGHT_CLI_WASM")
            .unwrap_or_else(|| dist.join("acme-preflight-cli.wasm"));
        let host = path_from("ACME_PREFLIGHT_BIN").unwrap_or_else(|| dist.join("acme-preflight"));
        let version = Command::new(&wasmtime)
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
            .unwrap_or_default();
        assert!(
            version.starts_with(&format!("wasmtime {WASMTIME_VERSION}")),
            "wasmtime-cli {WASMTIME_VERSION} not found at {} (got {version:?}): run \
             host-examples/wasi-command/install-wasmtime-cli.sh or set ACME_PREFLIGHT_WASMTIME",
            wasmtime.display()
        );
        for (what, path) in [("command component", &component), ("Rust host", &host)] {
            assert!(
                path.is_file(),
                "the {what} is missing at {}: run `make build`",
                path.display()
            );
        }
        Tools {
            wasmtime,
            component,
            host,
        }
    }

    /// `wasmtime run <flags> <component> <args>`.
    pub fn component_argv(&self, flags: &[&str], args: &[String]) -> Vec<String> {
        let mut argv = vec![self.wasmtime.display().to_string(), "run".to_string()];
        argv.extend(WASMTIME_FLAGS.iter().map(|f| f.to_string()));
        argv.extend(flags.iter().map(|f| f.to_string()));
        argv.push(self.component.display().to_string());
        argv.extend(args.iter().cloned());
        argv
    }

    /// Runs both CLIs once outside the testbed, so that their compilation caches (wasmtime's,
    /// and the Rust host's for its checker component) are filled before the cases start all
    /// at once on two cores.
    pub fn warm_up(&self) {
        let version = ["--version".to_string()];
        let host = vec![self.host.display().to_string(), version[0].clone()];
        for argv in [self.component_argv(&[], &version), host] {
            let started = Instant::now();
            let output = Command::new(&argv[0])
                .args(&argv[1..])
                .output()
                .unwrap_or_else(|e| panic!("run {}: {e}", argv[0]));
            assert!(
                output.status.success(),
                "`{}` failed: {}",
                argv.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
            eprintln!(
                "warm-up of {} (compile or load from cache): {:.1} s",
                argv[0],
                started.elapsed().as_secs_f64()
            );
        }
    }
}

/// A path from the environment, when set and not empty.
fn path_from(variable: &str) -> Option<PathBuf> {
    std::env::var_os(variable)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The demo scenario file.
pub fn demo_scenario() -> PathBuf {
    manifest_dir().join("../../tests/testbed/scenarios/demo.json")
}

/// This crate's folder as `cargo` gives it to the running test: the checkout being tested
/// (a target folder shared by two checkouts may hold a binary compiled in the other one).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
