//! The command component against the Rust host on the end-to-end testbed: for every name of the
//! demo scenario (and of `faults.json`, which reaches the driver's other paths: DNS over TCP
//! after truncation, resets, early close, receive timeouts, ICMP unreachable, chunked, gzipped
//! and slow bodies, a closed port, a silent resolver; no fault races the client, so both CLIs
//! must see the same events), the same exit code and the same stdout bytes in JSON; in human
//! form the same text once the times of the "Step by step" account are masked and its lines
//! sorted (they carry elapsed times, and events that complete together may be listed in either
//! order, by either CLI, from one run to the next).
//!
//! Needs root (network namespaces, as in CI), wasmtime-cli 48.0.8 (`install-wasmtime-cli.sh`),
//! `dist/acme-preflight-cli.wasm` and `dist/acme-preflight` (`make build`). A missing piece
//! fails the test with what to do: nothing is skipped.
//!
//! Overrides: `ACME_PREFLIGHT_WASMTIME` (the wasmtime binary), `ACME_PREFLIGHT_CLI_WASM` (the
//! component), `ACME_PREFLIGHT_BIN` (the Rust host).

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use support::{comparable, demo_scenario, run, step_line, timed, validate_args, Tools};
use testbed::{Scenario, Testbed};

/// Every name of the demo scenario, healthy or faulty.
pub const DOMAINS: [&str; 12] = [
    "dual.example.com",
    "www.example.com",
    "example.com",
    "v6-timeout.example.com",
    "v6-refused.example.com",
    "v6-404.example.net",
    "v6-timeout-redirect.example.net",
    "v6-only.example.org",
    "v4-only.example.org",
    "servfail.example.org",
    "dnssec-bogus.example.org",
    "nxdomain.example.org",
];

/// One comparison: the same arguments to both CLIs.
struct Case {
    label: String,
    args: Vec<String>,
    /// Human output: compare it with times masked (see [`comparable`]).
    human: bool,
    /// Extra `wasmtime run` flags (before the component).
    wasmtime_flags: Vec<String>,
    /// Compare standard error too (usage errors: the message is the same).
    compare_stderr: bool,
}

/// Every name of `faults.json`, each a different path through the driver.
const FAULT_DOMAINS: [&str; 10] = [
    "tc.example.com",
    "reset.example.com",
    "close.example.com",
    "hang.example.com",
    "unreachable.example.com",
    "chunked-gzip.example.com",
    "slow.example.com",
    "raw.example.com",
    "port-closed.example.com",
    "dns-timeout.example.com",
];

#[test]
fn command_component_matches_the_rust_host_on_the_demo_network() {
    compare_all(&demo_scenario(), demo_cases());
}

#[test]
fn command_component_matches_the_rust_host_on_faults() {
    let faults = manifest_dir().join("tests/faults.json");
    let cases = FAULT_DOMAINS
        .iter()
        .map(|domain| Case {
            label: format!("{domain} (json)"),
            args: validate_args(domain, &["--json"], true),
            human: false,
            wasmtime_flags: Vec::new(),
            compare_stderr: true,
        })
        .collect();
    compare_all(&faults, cases);
}

/// Starts a testbed for `scenario` and runs every case in a thread of its own.
fn compare_all(scenario: &Path, cases: Vec<Case>) {
    let tools = Tools::find();
    tools.warm_up();
    let scenario = Scenario::load(scenario).expect("scenario");
    let bed = Testbed::start(&scenario).expect("testbed (needs root)");
    let started = Instant::now();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = cases
            .into_iter()
            .map(|case| {
                let (bed, tools) = (&bed, &tools);
                scope.spawn(move || compare(bed, tools, &case))
            })
            .collect();
        runs.into_iter()
            .filter_map(|run| run.join().expect("case thread"))
            .collect()
    });
    eprintln!("all cases: {:.1} s", started.elapsed().as_secs_f64());
    assert!(
        failures.is_empty(),
        "{} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn human_output_is_compared_without_times() {
    let rows = [
        // Times and remaining timeouts are masked.
        (
            "    0.009s connect to [2001:db8:1::11]:80 (timeout 10000 ms)",
            Some("#.###s connect to [2001:db8:1::11]:80 (timeout # ms)"),
        ),
        ("   10.010s connected to x", Some("#.###s connected to x")),
        // Other lines are not step lines.
        ("Step by step:", None),
        ("  1. GET http://x/ from 198.51.100.10 (IPv4)", None),
        ("0.5s too few digits", None),
        ("", None),
    ];
    for (line, expected) in rows {
        assert_eq!(step_line(line).as_deref(), expected, "{line:?}");
    }
    // Steps listed in another order compare equal; a different verdict does not.
    let a = b"VALID\n\nStep by step:\n    0.001s DNS A x: 1\n    0.002s DNS AAAA x: 2\n";
    let b = b"VALID\n\nStep by step:\n    0.101s DNS AAAA x: 2\n    0.101s DNS A x: 1\n";
    let c = b"INVALID\n\nStep by step:\n    0.001s DNS A x: 1\n    0.002s DNS AAAA x: 2\n";
    assert_eq!(comparable(a), comparable(b));
    assert_ne!(comparable(a), comparable(c));
}

#[test]
fn without_a_resolver_the_component_asks_for_one() {
    let tools = Tools::find();
    let scenario = Scenario::load(&demo_scenario()).expect("demo scenario");
    let bed = Testbed::start(&scenario).expect("testbed (needs root)");
    // No --resolver and no preopened /etc: the component cannot see /etc/resolv.conf.
    let args = validate_args("dual.example.com", &["--json"], false);
    let output = run(&bed, &tools.component_argv(&[], &args));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(output.stdout.is_empty(), "nothing on stdout");
    assert!(
        stderr.starts_with("acme-preflight: no DNS resolver: pass --resolver"),
        "{stderr}"
    );
    assert!(stderr.contains("--dir /etc::/etc"), "{stderr}");
}

#[test]
fn without_network_access_the_component_fails_with_3() {
    let tools = Tools::find();
    // No `-S inherit-network=y`: wasmtime refuses every socket address. Nothing is sent, so
    // no testbed is needed.
    let args = validate_args("dual.example.com", &["--json"], true);
    let output = Command::new(&tools.wasmtime)
        .arg("run")
        .arg(&tools.component)
        .args(&args)
        .output()
        .expect("run wasmtime");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "stderr: {stderr}");
    assert!(output.stdout.is_empty(), "no verdict on stdout");
    assert!(
        stderr.starts_with("acme-preflight: the WebAssembly runtime denied network access"),
        "{stderr}"
    );
    assert!(stderr.contains("-S inherit-network=y"), "{stderr}");
}

/// The demo comparisons: each name in JSON and in human form, the default resolver read from
/// a preopened /etc, printed texts, and usage errors.
fn demo_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for domain in DOMAINS {
        for (form, extra) in [("json", &["--json"][..]), ("human", &[][..])] {
            cases.push(Case {
                label: format!("{domain} ({form})"),
                args: validate_args(domain, extra, true),
                human: form == "human",
                wasmtime_flags: Vec::new(),
                compare_stderr: false,
            });
        }
    }
    // The default resolver: the namespace's /etc/resolv.conf names the test DNS server.
    cases.push(Case {
        label: "dual.example.com (resolv.conf)".to_string(),
        args: validate_args("dual.example.com", &["--json"], false),
        human: false,
        wasmtime_flags: vec!["--dir".to_string(), "/etc::/etc".to_string()],
        compare_stderr: false,
    });
    let printed: [&[&str]; 4] = [
        &["--help"],
        &["--version"],
        &["validate", "https://dual.example.com/x"],
        &["validate", "dual.example.com", "--token"],
    ];
    for args in printed {
        cases.push(Case {
            label: args.join(" "),
            args: args.iter().map(|a| a.to_string()).collect(),
            human: false,
            wasmtime_flags: Vec::new(),
            compare_stderr: true,
        });
    }
    cases
}

/// Runs a case with both CLIs at once; a description of any difference.
fn compare(bed: &Testbed, tools: &Tools, case: &Case) -> Option<String> {
    let mut host_argv = vec![tools.host.display().to_string()];
    host_argv.extend(case.args.iter().cloned());
    let flags: Vec<&str> = case.wasmtime_flags.iter().map(String::as_str).collect();
    let component_argv = tools.component_argv(&flags, &case.args);
    let (host, component) = std::thread::scope(|scope| {
        let host = scope.spawn(|| timed(bed, &host_argv));
        let component = timed(bed, &component_argv);
        (host.join().expect("host thread"), component)
    });
    eprintln!(
        "{}: host {:.1} s, component {:.1} s, exit {:?}",
        case.label,
        host.1.as_secs_f64(),
        component.1.as_secs_f64(),
        component.0.status.code()
    );
    let (host, component) = (host.0, component.0);
    let same_stdout = if case.human {
        comparable(&host.stdout) == comparable(&component.stdout)
    } else {
        host.stdout == component.stdout
    };
    let same = same_stdout
        && host.status.code() == component.status.code()
        && (!case.compare_stderr || host.stderr == component.stderr);
    (!same).then(|| {
        format!(
            "{}:\n  host      exit {:?} stdout {:?} stderr {:?}\n  \
             component exit {:?} stdout {:?} stderr {:?}",
            case.label,
            host.status.code(),
            String::from_utf8_lossy(&host.stdout),
            String::from_utf8_lossy(&host.stderr),
            component.status.code(),
            String::from_utf8_lossy(&component.stdout),
            String::from_utf8_lossy(&component.stderr),
        )
    })
}

/// This crate's folder as `cargo` gives it to the running test: the checkout being tested
/// (a target folder shared by two checkouts may hold a binary compiled in the other one).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
