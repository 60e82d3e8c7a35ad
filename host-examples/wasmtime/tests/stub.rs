//! Host behaviour that the real checker never triggers, through a scripted stand-in component
//! (`tests/stub-component/`, built here for wasm32-wasip2 on first use, or taken from
//! `$ACME_PREFLIGHT_STUB_COMPONENT`).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use support::{http_server, run_with, squeezed};

/// The key authorization the stub compares the body with.
const KEY_AUTHORIZATION: &str = "token.thumbprint";

/// The stand-in component, built once per test process.
fn stub() -> &'static Path {
    static STUB: OnceLock<PathBuf> = OnceLock::new();
    STUB.get_or_init(|| {
        if let Some(path) =
            std::env::var_os("ACME_PREFLIGHT_STUB_COMPONENT").filter(|v| !v.is_empty())
        {
            return PathBuf::from(path);
        }
        let manifest = manifest_dir().join("tests/stub-component/Cargo.toml");
        let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("stub-component");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "--release",
                "--target",
                "wasm32-wasip2",
                "--manifest-path",
            ])
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .expect("run cargo");
        assert!(
            status.success(),
            "building {} failed (is the wasm32-wasip2 target installed?)",
            manifest.display()
        );
        target.join("wasm32-wasip2/release/acme_preflight_stub_component.wasm")
    })
}

fn run(args: &[&str]) -> support::Run {
    run_with(stub(), args)
}

#[test]
fn contract_breaches_and_traps() {
    let rows = [
        // A panic in the component is a trap: exit 3, with the panic message from its stderr.
        ("panic", 3, "stub asked to panic"),
        // `session.start` refuses the job: its message, exit 2.
        ("reject", 2, "stub rejects this job"),
        // `pending([])` with nothing outstanding would wait forever: exit 3.
        ("stall", 3, "no request is outstanding"),
        // `api-misuse` means a host bug: printed, exit 3.
        ("misuse", 3, "API misuse: ApiMisuse::TimeWentBackwards"),
        // Two requests with one id: the component broke the contract, exit 3.
        ("reuse", 3, "reused request id 1"),
    ];
    for (identifier, code, message) in rows {
        let run = run(&["validate", identifier]);
        assert_eq!(run.code, Some(code), "{identifier}: {run:?}");
        assert!(run.stderr.contains(message), "{identifier}: {run:?}");
        assert!(run.stdout.is_empty(), "{identifier}: {run:?}");
    }
}

#[test]
fn resolv_conf_reaches_parse_args() {
    let run = run(&["--resolv-conf"]);
    // The host passes /etc/resolv.conf verbatim, or nothing when it cannot read it.
    let expected =
        std::fs::read_to_string("/etc/resolv.conf").unwrap_or_else(|_| "none".to_string());
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout.trim_end(), expected.trim_end(), "{run:?}");
}

#[test]
fn printed_text_ends_with_one_newline() {
    let run = run(&["--help"]);
    // "stub help" has no newline: the host adds exactly one.
    assert_eq!(run.stdout, "stub help\n");
}

#[test]
fn http_exchange_on_loopback() {
    let (server, seen) = http_server("127.0.0.1:0", KEY_AUTHORIZATION);
    let target = format!("ip:{}", server.address);
    let args = [
        "validate",
        &target,
        "--token",
        "token",
        "--key-authorization",
        KEY_AUTHORIZATION,
        "--json",
    ];
    let run = run(&args);
    // connect, send, receive to end of stream, close, sleep: the body matches, exit 0.
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        squeezed(&run.stdout).contains(r#""status":"valid""#),
        "{run:?}"
    );
    let heads = seen.lock().expect("log").clone();
    assert!(
        heads
            .iter()
            .any(|h| h.starts_with("GET /.well-known/acme-challenge/token HTTP/1.1\r\n")),
        "{heads:?}"
    );
}

#[test]
fn refused_connection_is_a_verdict_not_a_failure() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let target = format!("ip:{closed}");
    let run = run(&["validate", &target, "--json"]);
    // The refusal travels to the component as `dial-error.refused`; the report says invalid.
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("Refused"), "{run:?}");
}

#[test]
fn human_output_has_no_colour_on_a_pipe() {
    let run = run(&["validate", "sleep:1"]);
    // stdout is a pipe here: `render` gets color = false.
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout
            .starts_with("ChallengeStatus::Valid color=false\n"),
        "{run:?}"
    );
}

/// This crate's folder as `cargo` gives it to the running test: the checkout being tested
/// (a target folder shared by two checkouts may hold a binary compiled in the other one).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
