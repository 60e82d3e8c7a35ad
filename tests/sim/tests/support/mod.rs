//! Shared by the scenario tables: run a case on the native core and on the component, check
//! that both give the identical report, then check the expectation.

use std::path::PathBuf;
use std::sync::OnceLock;

use acme_preflight::cli::{parse_args, Command};
use acme_preflight::{ProblemType, Session, Status};
use acme_preflight_sim::{run, ComponentLoader, NativeDriver, RunOutcome, World};

pub mod diagnose;

/// The identifier's token and key authorization used by every case.
pub const TOKEN: &str = "tok";
/// `<token>.<thumbprint>`.
pub const KEY_AUTHORIZATION: &str = "tok.thumb";
/// The challenge path.
pub const PATH: &str = "/.well-known/acme-challenge/tok";
/// The test networks: reserved, so they are allowed explicitly, as Boulder's tests allow loopback.
pub const ALLOW: &str = "198.51.100.0/24,2001:db8::/32";

/// One scenario and what Let's Encrypt does with it.
pub struct Case {
    /// Boulder's test name or a sentence.
    pub name: &'static str,
    /// The network.
    pub world: World,
    /// The identifier to validate.
    pub identifier: &'static str,
    /// Extra command-line words (e.g. `--policy boulder-pr8905`).
    pub extra: &'static [&'static str],
    /// Valid, or the problem type and the full detail.
    pub expect: Result<(), (ProblemType, String)>,
    /// Each validation record as (url, addressUsed), in order.
    pub records: Vec<(String, &'static str)>,
}

/// `http://<host><PATH>`.
pub fn url(host: &str) -> String {
    format!("http://{host}{PATH}")
}

/// The built component, compiled once per test binary.
pub fn component() -> &'static ComponentLoader {
    static LOADER: OnceLock<ComponentLoader> = OnceLock::new();
    LOADER.get_or_init(|| {
        let path = std::env::var_os("ACME_PREFLIGHT_COMPONENT")
            .map(PathBuf::from)
            .unwrap_or_else(|| manifest_dir().join("../../dist/acme-preflight.wasm"));
        ComponentLoader::new(&path).unwrap_or_else(|e| panic!("{e}: run `make build` first"))
    })
}

fn args(case: &Case) -> Vec<String> {
    let mut words = vec![
        "validate",
        case.identifier,
        "--token",
        TOKEN,
        "--key-authorization",
        KEY_AUTHORIZATION,
        "--allow-reserved",
        ALLOW,
    ];
    words.extend_from_slice(case.extra);
    words.into_iter().map(str::to_string).collect()
}

/// Runs the case natively.
pub fn run_native(case: &Case) -> RunOutcome {
    run_native_args(case.name, &args(case), &case.world)
}

/// Runs the case inside the component.
pub fn run_component(case: &Case) -> RunOutcome {
    run_component_args(case.name, &args(case), &case.world)
}

/// Runs a command line natively against `world`.
pub fn run_native_args(name: &str, args: &[String], world: &World) -> RunOutcome {
    let Ok(Command::Run(invocation)) = parse_args(args, None) else {
        panic!("{name}: the arguments do not parse");
    };
    let mut driver = NativeDriver(Session::new(invocation.job, invocation.options));
    run(world, &mut driver).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Runs a command line inside the component against `world`.
pub fn run_component_args(name: &str, args: &[String], world: &World) -> RunOutcome {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut driver = component()
        .start(&words)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    run(world, &mut driver).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Runs every case both ways and checks everything; reports all failures at once.
pub fn check_all(cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in &cases {
        let native = run_native(case);
        let component = run_component(case);
        if native != component {
            failures.push(format!("{}: the component and the native core differ:\n  native:    {:?}\n  component: {:?}", case.name, native, component));
            continue;
        }
        if let Err(why) = check(case, &native) {
            failures.push(format!(
                "{}: {why}\n  report: {}",
                case.name,
                native.report.to_json()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn check(case: &Case, outcome: &RunOutcome) -> Result<(), String> {
    let report = &outcome.report;
    match (&case.expect, &report.problem) {
        (Ok(()), None) if report.status == Status::Valid => {}
        (Err((problem_type, detail)), Some(problem)) if report.status == Status::Invalid => {
            if problem.problem_type != *problem_type {
                return Err(format!(
                    "problem type {:?}, expected {problem_type:?}",
                    problem.problem_type
                ));
            }
            if problem.detail != *detail {
                return Err(format!(
                    "detail\n    got      {:?}\n    expected {detail:?}",
                    problem.detail
                ));
            }
        }
        _ => {
            return Err(format!(
                "status {:?} with {:?}, expected {:?}",
                report.status, report.problem, case.expect
            ))
        }
    }
    let records: Vec<(String, String)> = report
        .records
        .iter()
        .map(|r| {
            (
                r.url.clone().unwrap_or_default(),
                r.address_used.map(|a| a.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = case
        .records
        .iter()
        .map(|(u, a)| (u.clone(), a.to_string()))
        .collect();
    if records != expected {
        return Err(format!(
            "records\n    got      {records:?}\n    expected {expected:?}"
        ));
    }
    Ok(())
}

/// This crate's folder as `cargo` gives it to the running test: the checkout being tested
/// (a target folder shared by two checkouts may hold a binary compiled in the other one).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
