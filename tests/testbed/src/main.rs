//! `testbed`: bring a scenario's network up and run a command in its client namespace.

use std::process::ExitCode;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use testbed::dns::{client, wire};
use testbed::{netns, sys, Scenario, Testbed};

const USAGE: &str = "\
usage:
  testbed run <scenario.json> [-v] [--log] -- <command> [args...]
      bring the network up, run the command in the client namespace (stdout/stderr pass
      through), tear down; exits with the command's status
  testbed up <scenario.json> [-v] [--log]
      bring the network up and keep it until Ctrl-C/SIGTERM or the scenario's lifetime ends
  testbed check <scenario.json>
      validate a scenario and list what it serves
  testbed query <server-ip> <name> <A|AAAA|CNAME|CAA|TXT> [--tcp] [--timeout-ms N]
      one DNS query (run it inside the client namespace)
  testbed cleanup
      remove namespaces left by testbed processes that are gone
Without root, `run` and `up` re-execute themselves under
`unshare --user --map-root-user --net --mount`.";

/// Environment marker set on the re-executed, unshared process.
const UNSHARED_ENV: &str = "TESTBED_UNSHARED";

static SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(signal: i32) {
    SIGNAL.store(signal, Ordering::SeqCst);
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => with_root(&args, || run(&args[1..])),
        Some("up") => with_root(&args, || up(&args[1..])),
        Some("check") => check(&args[1..]),
        Some("query") => query(&args[1..]),
        Some("cleanup") => {
            for name in netns::remove_stale() {
                println!("removed {name}");
            }
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(USAGE.to_string()),
    };
    result.unwrap_or_else(|message| {
        eprintln!("testbed: {message}");
        ExitCode::from(2)
    })
}

/// Runs `body` as root, re-executing under `unshare` when not root.
fn with_root(
    args: &[String],
    body: impl FnOnce() -> Result<ExitCode, String>,
) -> Result<ExitCode, String> {
    if sys::is_root() {
        return body();
    }
    if std::env::var_os(UNSHARED_ENV).is_some() {
        return Err("not root even after unshare: user namespaces are disabled here".to_string());
    }
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    // A private tmpfs on /run lets `ip netns add` create /run/netns as the mapped root.
    let status = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--net", "--mount", "sh", "-c"])
        .arg("mount -t tmpfs tmpfs /run && exec \"$0\" \"$@\"")
        .arg(me)
        .args(args)
        .env(UNSHARED_ENV, "1")
        .status()
        .map_err(|e| format!("needs root, and `unshare` failed: {e}"))?;
    Ok(ExitCode::from(
        status.code().map_or(1, |c| c.clamp(0, 255) as u8),
    ))
}

struct Options {
    scenario: Scenario,
    verbose: bool,
    log: bool,
    command: Vec<String>,
}

fn options(args: &[String]) -> Result<Options, String> {
    let (own, command) = match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], args[i + 1..].to_vec()),
        None => (args, Vec::new()),
    };
    let mut path = None;
    let (mut verbose, mut log) = (false, false);
    for arg in own {
        match arg.as_str() {
            "-v" | "--verbose" => verbose = true,
            "--log" => log = true,
            other if path.is_none() && !other.starts_with('-') => path = Some(other),
            other => return Err(format!("unexpected argument {other:?}\n{USAGE}")),
        }
    }
    let path = path.ok_or_else(|| USAGE.to_string())?;
    let scenario = Scenario::load(path.as_ref()).map_err(|e| e.to_string())?;
    Ok(Options {
        scenario,
        verbose,
        log,
        command,
    })
}

fn start(options: &Options) -> Result<Testbed, String> {
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: the handler only stores to an atomic.
        unsafe {
            libc::signal(
                signal,
                on_signal as extern "C" fn(i32) as libc::sighandler_t,
            )
        };
    }
    let bed = Testbed::start(&options.scenario).map_err(|e| e.to_string())?;
    if options.verbose {
        eprintln!(
            "testbed: up in {} ms: server ns {}, client ns {}, DNS {}",
            bed.setup_time().as_millis(),
            bed.server_ns(),
            bed.client_ns(),
            bed.dns_server()
        );
    }
    Ok(bed)
}

fn finish(bed: Testbed, options: &Options) {
    if options.log {
        for event in bed.events() {
            eprintln!("testbed: {event}");
        }
    }
    let begun = Instant::now();
    drop(bed);
    if options.verbose {
        eprintln!("testbed: down in {} ms", begun.elapsed().as_millis());
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let options = options(args)?;
    if options.command.is_empty() {
        return Err(format!("run needs `-- <command>`\n{USAGE}"));
    }
    let bed = start(&options)?;
    let deadline = Instant::now() + Duration::from_secs(options.scenario.lifetime_secs);
    let spawned = bed.client_command(&options.command).spawn();
    let code = match spawned {
        Err(e) => {
            eprintln!("testbed: cannot run {:?}: {e}", options.command);
            127
        }
        Ok(mut child) => loop {
            if let Ok(Some(status)) = child.try_wait() {
                break status.code().unwrap_or(1);
            }
            let signal = SIGNAL.load(Ordering::SeqCst);
            if signal != 0 || Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                if signal != 0 {
                    eprintln!("testbed: command stopped (signal {signal})");
                    break 128 + signal;
                }
                eprintln!("testbed: command stopped (the scenario's lifetime is over)");
                break 124;
            }
            std::thread::sleep(Duration::from_millis(10));
        },
    };
    finish(bed, &options);
    Ok(ExitCode::from(code.clamp(0, 255) as u8))
}

fn up(args: &[String]) -> Result<ExitCode, String> {
    let options = options(args)?;
    let bed = start(&options)?;
    println!("server namespace: {}", bed.server_ns());
    println!("client namespace: {}", bed.client_ns());
    println!("dns server:       {}", bed.dns_server());
    println!(
        "try: ip netns exec {} curl -v http://<name>/",
        bed.client_ns()
    );
    let deadline = Instant::now() + Duration::from_secs(options.scenario.lifetime_secs);
    while SIGNAL.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    finish(bed, &options);
    Ok(ExitCode::SUCCESS)
}

fn check(args: &[String]) -> Result<ExitCode, String> {
    let options = options(args)?;
    let s = &options.scenario;
    println!(
        "lifetime {} s, DNS on {:?}, {} names, {} DNS faults",
        s.lifetime_secs,
        s.dns.addresses,
        s.dns.records.len(),
        s.dns.faults.len()
    );
    for (addr, port, endpoint) in s.sockets() {
        let tls = if endpoint.tls_on(port) { " tls" } else { "" };
        println!(
            "{:>28} port {port:<5}{tls} firewall {:?} [{}]",
            addr.to_string(),
            endpoint.firewall,
            endpoint.name
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn query(args: &[String]) -> Result<ExitCode, String> {
    let [server, name, qtype, rest @ ..] = args else {
        return Err(USAGE.to_string());
    };
    let server: std::net::IpAddr = server
        .parse()
        .map_err(|e| format!("server {server:?}: {e}"))?;
    let code = wire::qtype_code(qtype).ok_or_else(|| format!("unknown type {qtype}"))?;
    let tcp = rest.iter().any(|a| a == "--tcp");
    let timeout_ms = match rest.iter().position(|a| a == "--timeout-ms") {
        Some(i) => rest
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or("--timeout-ms needs a number")?,
        None => 2000,
    };
    let timeout = Duration::from_millis(timeout_ms);
    let answer = client::query((server, 53).into(), name, code, tcp, timeout)
        .map_err(|e| format!("query: {e}"))?;
    let mut text = format!(
        "rcode {} tc {} ede {:?}\n",
        answer.rcode, answer.tc, answer.ede
    );
    for record in &answer.answers {
        text.push_str(&format!(
            "{} {} {}\n",
            record.name,
            record.ttl,
            show(&record.rdata)
        ));
    }
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
    Ok(ExitCode::SUCCESS)
}

fn show(rdata: &wire::Rdata) -> String {
    match rdata {
        wire::Rdata::A(a) => format!("A {a}"),
        wire::Rdata::Aaaa(a) => format!("AAAA {a}"),
        wire::Rdata::Cname(c) => format!("CNAME {c}"),
        wire::Rdata::Caa(c) => format!(
            "CAA {} {} \"{}\"",
            c.flags,
            c.tag,
            String::from_utf8_lossy(&c.value)
        ),
        wire::Rdata::Txt(t) => format!("TXT \"{}\"", String::from_utf8_lossy(t)),
        wire::Rdata::Other(t, raw) => format!("TYPE{t} {} bytes", raw.len()),
    }
}
