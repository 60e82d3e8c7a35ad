//! Test servers and helpers for the `acme-preflight` binary: a DNS responder, an HTTP server,
//! a bounded process runner and a private network namespace.
// Each test crate uses part of this module.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long one run of the binary may take before the test kills it.
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// What a finished run of the binary printed, and its exit code.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The component under test: `$ACME_PREFLIGHT_COMPONENT`, else `dist/acme-preflight.wasm`.
pub fn component() -> PathBuf {
    let path = std::env::var_os("ACME_PREFLIGHT_COMPONENT")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../../dist/acme-preflight.wasm"));
    assert!(
        path.is_file(),
        "the checker component is missing at {}: build it (cd /work/main && cargo build --target \
         wasm32-wasip2 --release, then copy it to dist/) or set ACME_PREFLIGHT_COMPONENT",
        path.display()
    );
    path
}

/// Runs the binary with `args`, the component from [`component`] and a private cache.
pub fn run(args: &[&str]) -> Run {
    run_with(&component(), args)
}

/// Runs the binary with `args` and the component at `component`.
pub fn run_with(component: &std::path::Path, args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_acme-preflight"));
    command
        .args(args)
        .env("ACME_PREFLIGHT_COMPONENT", component);
    run_command(command)
}

/// Runs `command` with a private cache, killing it after [`RUN_LIMIT`].
pub fn run_command(mut command: Command) -> Run {
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("component-cache");
    command
        .env("XDG_CACHE_HOME", cache)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawn acme-preflight");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = thread::spawn(move || read_all(&mut stdout));
    let err = thread::spawn(move || read_all(&mut stderr));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            break child.wait().expect("wait after kill");
        }
        thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

fn read_all(reader: &mut impl Read) -> String {
    let mut bytes = Vec::new();
    let _ = reader.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `text` without ASCII whitespace, to look for JSON members whatever the formatting.
pub fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_ascii_whitespace()).collect()
}

/// A server thread that stops when dropped.
pub struct Server {
    pub address: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A UDP DNS responder on `bind`: `A` for `name` is 127.0.0.1; every other question about any
/// name is answered NODATA (no error, no answers).
pub fn dns_responder(bind: &str, name: &str) -> Server {
    let socket = UdpSocket::bind(bind).expect("bind DNS responder");
    socket
        .set_read_timeout(Some(Duration::from_millis(50)))
        .expect("read timeout");
    let address = socket.local_addr().expect("DNS address");
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let name = name.to_ascii_lowercase();
    let thread = thread::spawn(move || {
        let mut buffer = [0u8; 512];
        while !stopped.load(Ordering::SeqCst) {
            let Ok((length, peer)) = socket.recv_from(&mut buffer) else {
                continue;
            };
            if let Some(answer) = dns_answer(&buffer[..length], &name) {
                let _ = socket.send_to(&answer, peer);
            }
        }
    });
    Server {
        address,
        stop,
        thread: Some(thread),
    }
}

/// The answer to one query, or `None` when it is not a query with one question.
fn dns_answer(query: &[u8], name: &str) -> Option<Vec<u8>> {
    let header = query.get(..12)?;
    if header[2] & 0x80 != 0 || header[4..6] != [0, 1] {
        return None;
    }
    let mut at = 12;
    let mut labels = Vec::new();
    loop {
        let length = usize::from(*query.get(at)?);
        at += 1;
        if length == 0 {
            break;
        }
        if length > 63 {
            return None;
        }
        labels.push(String::from_utf8_lossy(query.get(at..at + length)?).to_ascii_lowercase());
        at += length;
    }
    let qtype = u16::from_be_bytes([*query.get(at)?, *query.get(at + 1)?]);
    let question = query.get(12..at + 4)?;
    let asked = labels.join(".");
    let is_a = qtype == 1 && asked == name.trim_end_matches('.');
    let mut answer = Vec::new();
    answer.extend_from_slice(&header[..2]);
    // QR, AA, RD copied; RA; RCODE 0.
    answer.push(0x84 | (header[2] & 0x01));
    answer.push(0x80);
    answer.extend_from_slice(&[0, 1, 0, u8::from(is_a), 0, 0, 0, 0]);
    answer.extend_from_slice(question);
    if is_a {
        // Pointer to the question name, type A, class IN, TTL 60, 4 bytes: 127.0.0.1.
        answer.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]);
    }
    Some(answer)
}

/// An HTTP/1.1 server on `bind` answering every request with 200 and `body`; it records the
/// head of each request.
pub fn http_server(bind: &str, body: &str) -> (Server, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind(bind).expect("bind HTTP server");
    listener.set_nonblocking(true).expect("nonblocking");
    let address = listener.local_addr().expect("HTTP address");
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let body = body.to_string();
    let thread = thread::spawn(move || {
        while !stopped.load(Ordering::SeqCst) {
            match listener.accept() {
                Ok((mut stream, _)) => {
                    let head = serve_one(&mut stream, &body);
                    log.lock().expect("log").push(head);
                }
                Err(_) => thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    (
        Server {
            address,
            stop,
            thread: Some(thread),
        },
        seen,
    )
}

/// Reads one request head (bounded) and writes the response; returns the head.
fn serve_one(stream: &mut std::net::TcpStream, body: &str) -> String {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut chunk = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    }
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
    String::from_utf8_lossy(&head).into_owned()
}

/// Set in the environment of a test process re-run inside its own network namespace.
pub const IN_NAMESPACE: &str = "ACME_PREFLIGHT_TEST_IN_NAMESPACE";

/// Brings the namespace's loopback interface up (it starts down).
const LOOPBACK_UP: &str = "ip link set lo up";

/// Outcome of [`rerun_in_namespace`].
pub enum Namespace {
    /// This process is the one inside the namespace: do the work.
    Inside,
    /// The re-run inside a namespace passed.
    Passed,
    /// Namespaces are unavailable here, for this reason.
    Unavailable(String),
}

/// Re-runs the test `name` of this test binary inside `unshare --user --map-root-user --net`
/// (a private loopback where binding port 80 works), with the loopback interface up.
pub fn rerun_in_namespace(name: &str) -> Namespace {
    if std::env::var_os(IN_NAMESPACE).is_some() {
        return Namespace::Inside;
    }
    let probe = Command::new("unshare")
        .args([
            "--user",
            "--map-root-user",
            "--net",
            "sh",
            "-c",
            LOOPBACK_UP,
        ])
        .output();
    match probe {
        Err(error) => return Namespace::Unavailable(format!("cannot run unshare: {error}")),
        Ok(out) if !out.status.success() => {
            return Namespace::Unavailable(format!(
                "unshare --user --map-root-user --net sh -c '{LOOPBACK_UP}' failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
        Ok(_) => {}
    }
    let test_binary = std::env::current_exe().expect("current test binary");
    let mut command = Command::new("unshare");
    command
        .args(["--user", "--map-root-user", "--net", "sh", "-c"])
        .arg(format!("{LOOPBACK_UP} && exec \"$@\""))
        .arg("sh")
        .arg(test_binary)
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env(IN_NAMESPACE, "1");
    let run = run_command(command);
    assert_eq!(
        run.code,
        Some(0),
        "the test failed inside its network namespace:\n{run:?}"
    );
    assert!(
        run.stdout.contains("1 passed"),
        "the test did not run inside its namespace:\n{run:?}"
    );
    Namespace::Passed
}

/// This crate's folder as `cargo` gives it to the running test: the checkout being tested
/// (a target folder shared by two checkouts may hold a binary compiled in the other one).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
