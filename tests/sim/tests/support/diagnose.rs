//! The diagnose runner: a case runs on the native core and in the component, both must give
//! the identical report, then the verdict and the finding codes are checked.
#![allow(dead_code)] // Every scenario file compiles the support module; only diagnose.rs uses this.

use acme_preflight::cli::{exit_code, render, OutputFormat};
use acme_preflight::report::Verdict;
use acme_preflight_sim::{certs, Reply, RunOutcome, World};

use super::ALLOW;

/// One diagnose scenario.
pub struct DiagnoseCase {
    /// The failure mode or a sentence.
    pub name: &'static str,
    /// The network.
    pub world: World,
    /// The identifier to diagnose.
    pub identifier: &'static str,
    /// Extra command-line words (e.g. `--expect`).
    pub extra: &'static [&'static str],
    /// The expected verdict.
    pub verdict: Verdict,
    /// The expected finding codes, in the report's order (errors, warnings, infos).
    pub codes: &'static [&'static str],
}

/// The command line of a case.
pub fn args(case: &DiagnoseCase) -> Vec<String> {
    let mut words = vec!["diagnose", case.identifier, "--allow-reserved", ALLOW];
    words.extend_from_slice(case.extra);
    words.into_iter().map(str::to_string).collect()
}

/// Runs the case natively.
pub fn run_native(case: &DiagnoseCase) -> RunOutcome {
    super::run_native_args(case.name, &args(case), &case.world)
}

/// Runs the case inside the component.
pub fn run_component(case: &DiagnoseCase) -> RunOutcome {
    super::run_component_args(case.name, &args(case), &case.world)
}

/// Runs every case both ways and checks everything; reports all failures at once.
pub fn check_diagnoses(cases: Vec<DiagnoseCase>) {
    let mut failures = Vec::new();
    for case in &cases {
        let native = run_native(case);
        let component = run_component(case);
        if native != component {
            failures.push(format!(
                "{}: the component and the native core differ:\n  native:    {}\n  component: {}",
                case.name,
                native.report.to_json(),
                component.report.to_json()
            ));
            continue;
        }
        if let Err(why) = check(case, &native) {
            let shown = render(&native.report, OutputFormat::Human, false);
            failures.push(format!("{}: {why}\n{shown}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} diagnoses failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn check(case: &DiagnoseCase, outcome: &RunOutcome) -> Result<(), String> {
    let report = &outcome.report;
    let Some(diagnosis) = &report.diagnosis else {
        return Err("no diagnosis in the report".to_string());
    };
    if diagnosis.verdict != case.verdict {
        return Err(format!(
            "verdict {:?}, expected {:?}",
            diagnosis.verdict, case.verdict
        ));
    }
    let codes: Vec<&str> = diagnosis.findings.iter().map(|f| f.code.as_str()).collect();
    if codes != case.codes {
        return Err(format!(
            "codes\n    got      {codes:?}\n    expected {:?}",
            case.codes
        ));
    }
    let expected_exit = match case.verdict {
        Verdict::Pass => 0,
        Verdict::Fail => 1,
        Verdict::PassWithFallback | Verdict::Intermittent => 4,
    };
    if exit_code(report) != expected_exit {
        return Err(format!("exit code {}", exit_code(report)));
    }
    Ok(())
}

// The scenarios' network pieces.

/// A scenario name or address.
pub const HOST: &str = "example.com";
/// A scenario name or address.
pub const V6: &str = "2001:db8::7";
/// A scenario name or address.
pub const V6_B: &str = "2001:db8::8";
/// A scenario name or address.
pub const V4: &str = "198.51.100.7";
/// A scenario name or address.
pub const V4_B: &str = "198.51.100.8";
/// A scenario name or address.
pub const WWW: &str = "www.example.com";
/// A scenario name or address.
pub const WWW_V6: &str = "2001:db8::9";
/// A scenario name or address.
pub const WWW_V4: &str = "198.51.100.9";

/// The site's answer to a missing file.
pub fn site_404() -> Reply {
    Reply::response(
        404,
        &[("Server", "nginx/1.24"), ("Content-Type", "text/html")],
        b"<h1>example.com: no such page</h1>",
    )
}

/// Another server's answer to a missing file.
pub fn other_404() -> Reply {
    Reply::response(404, &[("Server", "Apache/2.4"), ("Content-Type", "text/html")], b"<html><body>The requested URL was not found on this server. Apache default.</body></html>")
}

pub fn dual() -> World {
    World::new().a(HOST, &[V4]).aaaa(HOST, &[V6])
}

pub fn healthy(world: World, address: &str) -> World {
    world.serve_with(address, &[], site_404())
}

/// Port 80 of `address` redirects everything to `https://example.com/`.
pub fn to_https(world: World, address: &str) -> World {
    world.serve_with(address, &[], Reply::redirect(301, "https://example.com/"))
}

/// The site over HTTPS on port 443 of `address`, 404 for everything.
pub fn https_site(world: World, address: &str) -> World {
    world.serve_tls(address, certs::site(&[HOST]), &[])
}

/// 404 with a 5000-byte body of which only the first 1400 bytes ever arrive.
pub fn stalled_page() -> Reply {
    let mut bytes = b"HTTP/1.1 404 Not Found\r\nServer: nginx/1.24\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 1400));
    Reply::BytesThenHang(bytes)
}
