//! [`Testbed`]: the scenario's network, up while the value lives.

use std::ffi::OsStr;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::dns::server::DnsServer;
use crate::dns::zone::Zone;
use crate::http::HttpServer;
use crate::lifetime::{Lifetime, TICK};
use crate::log::{Event, EventLog};
use crate::netns::{self, Names};
use crate::scenario::{Firewall, Scenario};
use crate::{firewall, sys};

/// Why the testbed could not do something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "testbed: {}", self.0)
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(message: String) -> Error {
        Error(message)
    }
}

/// A running test network: two namespaces, the DNS and HTTP servers, the firewall.
///
/// Dropping it stops the servers and removes the namespaces (also during a panic's unwind);
/// a watchdog process removes them if this process dies without unwinding.
pub struct Testbed {
    names: Names,
    scenario: Arc<Scenario>,
    life: Arc<Lifetime>,
    log: Arc<EventLog>,
    watchdog: Option<Child>,
    setup_time: Duration,
}

impl Testbed {
    /// Brings the scenario's network up; returns when every server is listening.
    pub fn start(scenario: &Scenario) -> Result<Testbed, Error> {
        let started = Instant::now();
        scenario.validate().map_err(|e| Error(e.to_string()))?;
        netns::preflight()?;
        netns::remove_stale();
        let names = Names::fresh();
        let lifetime = Duration::from_secs(scenario.lifetime_secs);
        let watchdog = netns::spawn_watchdog(&names, lifetime)?;
        let mut testbed = Testbed {
            names,
            scenario: Arc::new(scenario.clone()),
            life: Lifetime::new(lifetime),
            log: Arc::new(EventLog::default()),
            watchdog: Some(watchdog),
            setup_time: Duration::ZERO,
        };
        netns::create(&testbed.names, scenario)?;
        testbed.start_servers()?;
        testbed.setup_time = started.elapsed();
        Ok(testbed)
    }

    fn start_servers(&self) -> Result<(), Error> {
        let dns = DnsServer::new(
            Zone::new(&self.scenario.dns),
            Arc::clone(&self.life),
            Arc::clone(&self.log),
        );
        let http = HttpServer::new(
            Arc::clone(&self.scenario),
            Arc::clone(&self.life),
            Arc::clone(&self.log),
        )?;
        let mut ports: Vec<u16> = self.scenario.sockets().map(|(_, p, _)| p).collect();
        ports.sort_unstable();
        ports.dedup();
        let dns_addresses = self.scenario.dns.addresses.clone();
        let path = self.names.server_path();
        let boot = std::thread::spawn(move || -> Result<(), String> {
            sys::enter_netns(&path).map_err(|e| format!("enter server namespace: {e}"))?;
            for addr in dns_addresses {
                dns.serve(addr)
                    .map_err(|e| format!("DNS on {addr}:53: {e}"))?;
            }
            for port in ports {
                http.serve(port)
                    .map_err(|e| format!("HTTP on port {port}: {e}"))?;
            }
            Ok(())
        });
        match boot.join() {
            Ok(result) => result.map_err(Error),
            Err(_) => Err(Error("server start-up panicked".to_string())),
        }
    }

    /// Server namespace name (for `ip netns exec`).
    pub fn server_ns(&self) -> &str {
        &self.names.server
    }

    /// Client namespace name (for `ip netns exec`).
    pub fn client_ns(&self) -> &str {
        &self.names.client
    }

    /// The first DNS server address, port 53.
    pub fn dns_server(&self) -> SocketAddr {
        let addr = self
            .scenario
            .dns
            .addresses
            .first()
            .copied()
            .unwrap_or(crate::net_plan::DNS_ADDRESSES[0]);
        SocketAddr::new(addr, 53)
    }

    /// How long [`Testbed::start`] took.
    pub fn setup_time(&self) -> Duration {
        self.setup_time
    }

    /// The scenario being served.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// DNS queries and HTTP connections seen so far.
    pub fn events(&self) -> Vec<Event> {
        self.log.snapshot()
    }

    /// A command that runs `argv` in the client namespace (via `ip netns exec`, so the
    /// namespace's `resolv.conf` points at the test DNS server). Configure and spawn it yourself.
    pub fn client_command<S: AsRef<OsStr>>(&self, argv: &[S]) -> Command {
        let mut command = Command::new("ip");
        command
            .args(["netns", "exec", &self.names.client])
            .args(argv);
        command
    }

    /// Runs `argv` in the client namespace, capturing its output; killed after the testbed's
    /// remaining lifetime.
    pub fn run_in_client<S: AsRef<OsStr>>(&self, argv: &[S]) -> Result<Output, Error> {
        let left = self
            .life
            .deadline()
            .saturating_duration_since(Instant::now());
        self.run_in_client_timeout(argv, left)
    }

    /// Runs `argv` in the client namespace, capturing its output; killed after `timeout`
    /// (then the status is the kill's).
    pub fn run_in_client_timeout<S: AsRef<OsStr>>(
        &self,
        argv: &[S],
        timeout: Duration,
    ) -> Result<Output, Error> {
        let mut child = self
            .client_command(argv)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Error(format!("spawn in client namespace: {e}")))?;
        let stdout = collect(child.stdout.take());
        let stderr = collect(child.stderr.take());
        let status = wait_bounded(&mut child, timeout).map_err(|e| Error(format!("wait: {e}")))?;
        let join = |h: std::thread::JoinHandle<Vec<u8>>| h.join().unwrap_or_default();
        Ok(Output {
            status,
            stdout: join(stdout),
            stderr: join(stderr),
        })
    }

    /// Runs `work` on a thread inside the client namespace (sockets it opens live there)
    /// and returns its result.
    pub fn in_client<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let path = self.names.client_path();
        let job = std::thread::spawn(move || -> Result<T, String> {
            sys::enter_netns(&path).map_err(|e| format!("enter client namespace: {e}"))?;
            Ok(work())
        });
        match job.join() {
            Ok(result) => result.map_err(Error),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }

    /// Moves `addr`:`port` to another firewall fault while the testbed runs.
    pub fn set_firewall(&self, addr: IpAddr, port: u16, fault: Firewall) -> Result<(), Error> {
        let script = firewall::set_element(addr, port, fault);
        netns::run(
            Command::new("ip").args(["netns", "exec", &self.names.server, "nft", "-f", "-"]),
            &script,
        )?;
        Ok(())
    }

    /// Stops everything now (the same as dropping).
    pub fn stop(self) {}

    fn teardown(&mut self) {
        self.life.stop();
        netns::remove(&self.names);
        if let Some(mut watchdog) = self.watchdog.take() {
            // The watchdog leads its own process group (it and its `sleep`).
            if let Ok(pgid) = i32::try_from(watchdog.id()) {
                // SAFETY: signals the process group this testbed created.
                unsafe { libc::kill(-pgid, libc::SIGKILL) };
            }
            let _ = watchdog.wait();
        }
    }
}

impl Drop for Testbed {
    fn drop(&mut self) {
        self.teardown();
    }
}

fn collect(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut out);
        }
        out
    })
}

/// Waits for `child` at most `timeout`, then kills it.
pub fn wait_bounded(
    child: &mut Child,
    timeout: Duration,
) -> std::io::Result<std::process::ExitStatus> {
    let end = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if Instant::now() >= end {
            let _ = child.kill();
            return child.wait();
        }
        std::thread::sleep(TICK.min(Duration::from_millis(10)));
    }
}
