//! Benchmark: diagnosis of a domain with three dead addresses (two AAAA, one A, all dropping
//! SYNs) in the simulator. Prints Let's Encrypt's (virtual) time per diagnosis, which must be
//! about one connect timeout however many addresses there are, and the wall time per
//! diagnosis on the native core and in the component.
//!
//! `cargo run --profile host -p acme-preflight-sim --example diagnose_bench [-- ROUNDS]`
//! (`make bench`). `--show` prints the human report of one diagnosis instead.

use std::path::PathBuf;
use std::time::Instant;

use acme_preflight::cli::{parse_args, render, Command, OutputFormat};
use acme_preflight::Session;
use acme_preflight_sim::{run, ComponentLoader, NativeDriver, RunOutcome, World};

const ARGS: [&str; 4] = [
    "diagnose",
    "example.com",
    "--allow-reserved",
    "198.51.100.0/24,2001:db8::/32",
];

fn world(dead: usize) -> World {
    let v6: Vec<String> = (1..=dead.div_ceil(2))
        .map(|i| format!("2001:db8::{i}"))
        .collect();
    let v4: Vec<String> = (1..=dead / 2).map(|i| format!("198.51.100.{i}")).collect();
    let v6: Vec<&str> = v6.iter().map(String::as_str).collect();
    let v4: Vec<&str> = v4.iter().map(String::as_str).collect();
    // No listener anywhere: every address drops SYNs.
    World::new().a("example.com", &v4).aaaa("example.com", &v6)
}

fn native(world: &World) -> RunOutcome {
    let args: Vec<String> = ARGS.iter().map(|a| a.to_string()).collect();
    let Ok(Command::Run(invocation)) = parse_args(&args, None) else {
        panic!("the arguments do not parse");
    };
    let mut driver = NativeDriver(Session::new(invocation.job, invocation.options));
    run(world, &mut driver).expect("the diagnosis runs")
}

fn component_loader() -> Option<ComponentLoader> {
    let path = std::env::var_os("ACME_PREFLIGHT_COMPONENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../../dist/acme-preflight.wasm"));
    ComponentLoader::new(&path)
        .map_err(|e| eprintln!("component skipped: {e}"))
        .ok()
}

fn main() {
    let rounds: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    if std::env::args().any(|a| a == "--show") {
        let outcome = native(&world(3));
        print!("{}", render(&outcome.report, OutputFormat::Human, false));
        return;
    }
    println!(
        "diagnose, dead addresses (AAAA then A), virtual = Let's Encrypt's clock in the simulator"
    );
    println!(
        "{:>5} {:>12} {:>14} {:>12} {:>16}",
        "dead", "virtual ms", "predicted ms", "native ms", "component ms"
    );
    let loader = component_loader();
    for dead in [1usize, 2, 3, 6] {
        let world = world(dead);
        let started = Instant::now();
        let mut outcome = None;
        for _ in 0..rounds {
            outcome = Some(native(&world));
        }
        let native_ms = started.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds);
        let outcome = outcome.expect("at least one round");
        let predicted = outcome
            .report
            .diagnosis
            .as_ref()
            .map_or(0, |d| d.predicted_ms);
        let component_ms = loader.as_ref().map(|loader| {
            let started = Instant::now();
            for _ in 0..rounds {
                let mut driver = loader.start(&ARGS).expect("the component starts");
                run(&world, &mut driver).expect("the diagnosis runs");
            }
            started.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds)
        });
        println!(
            "{dead:>5} {:>12} {predicted:>14} {native_ms:>12.2} {:>16}",
            outcome.elapsed_ms,
            component_ms.map_or("-".to_string(), |ms| format!("{ms:.2}"))
        );
    }
}

/// This crate's folder as `cargo` gives it to the running test: the checkout being tested
/// (a target folder shared by two checkouts may hold a binary compiled in the other one).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
