//! `acme-preflight serve` end to end: the HTTP API answers with exactly the CLI's JSON, and
//! refuses bad requests with the component's problem documents.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use support::{component, dns_responder, http_server, rerun_in_namespace, run, Namespace};

const TOKEN: &str = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";
const KEY_AUTHORIZATION: &str =
    "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";
const NAME: &str = "preflight-host-test.org";

/// A running `serve`, killed when dropped.
struct Served {
    child: Child,
    address: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `acme-preflight serve` on a free loopback port with `flags`.
fn serve(flags: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_acme-preflight"))
        .arg("serve")
        .args(["--listen", "127.0.0.1:0"])
        .args(flags)
        .env("ACME_PREFLIGHT_COMPONENT", component())
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/component-cache"),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let mut line = String::new();
    let stderr = child.stderr.take().expect("stderr");
    BufReader::new(stderr)
        .read_line(&mut line)
        .expect("first line");
    let address = line
        .trim()
        .strip_prefix("acme-preflight: listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_string();
    Served { child, address }
}

/// One raw request; returns the status, the head and the body.
fn request(address: &str, raw: &[u8]) -> (u16, String, String) {
    let mut stream = TcpStream::connect(address).expect("connect to serve");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    stream.write_all(raw).expect("send");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {response:?}"));
    (status, head.to_string(), body.to_string())
}

fn post(address: &str, path: &str, body: &str) -> (u16, String, String) {
    let raw = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    request(address, raw.as_bytes())
}

fn problem(kind: &str, detail: &str, status: u16) -> String {
    format!("{{\"type\":\"urn:ietf:params:acme:error:{kind}\",\"detail\":\"{detail}\",\"status\":{status}}}")
}

#[test]
fn refuses_bad_requests_with_problem_documents() {
    let served = serve(&["--resolver", "127.0.0.1:9"]);
    let address = served.address.as_str();
    let ok = format!(
        r#""identifier":"{NAME}","token":"{TOKEN}","keyAuthorization":"{KEY_AUTHORIZATION}""#
    );
    let rows = [
        // Unknown endpoint, bad JSON, unknown field: the component's words.
        ("/v1/nope", "{}".to_string(), 404, problem("malformed", "no endpoint \\\"/v1/nope\\\": use POST /v1/validate or POST /v1/diagnose", 404)),
        ("/v1/validate", "{".to_string(), 400, problem("malformed", "the request body is not JSON: expected a member name in double quotes at byte 1", 400)),
        ("/v1/validate", format!("{{{ok},\"json\":1}}"), 400, problem("malformed", "unknown field \\\"json\\\"; the fields are identifier, token, keyAuthorization, resolver, connectTimeout, deadline, allowReserved, policy, challenge, expect", 400)),
        // Reserved space is refused unless the deployment allows it.
        ("/v1/validate", format!("{{{ok},\"allowReserved\":\"127.0.0.0/8\"}}"), 403, problem("unauthorized", "allowReserved: 127.0.0.0/8 is reserved address space this deployment does not allow (it allows none)", 403)),
        // One byte over the size limit.
        ("/v1/validate", format!("{{{ok}}}{}", " ".repeat(16 * 1024 + 1 - ok.len() - 2)), 413, problem("malformed", "the request body is longer than 16384 bytes", 413)),
    ];
    for (path, body, status, expected) in rows {
        let (got, head, text) = post(address, path, &body);
        assert_eq!(
            (got, text.as_str()),
            (status, expected.as_str()),
            "{path} {head}"
        );
        assert!(
            head.contains("Content-Type: application/problem+json"),
            "{head}"
        );
    }
    // Not POST; chunked bodies.
    let (status, head, _) = request(address, b"GET /v1/validate HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(status, 405, "{head}");
    assert!(head.contains("Allow: POST"), "{head}");
    let chunked = b"POST /v1/validate HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    assert_eq!(request(address, chunked).0, 411);
}

#[test]
fn answers_with_the_cli_json() {
    // The resolver's port is closed: a DNS networking error, the same on both paths.
    let served = serve(&["--resolver", "127.0.0.1:9"]);
    let body = format!(
        r#"{{"identifier":"{NAME}","token":"{TOKEN}","keyAuthorization":"{KEY_AUTHORIZATION}"}}"#
    );
    let (status, head, json) = post(&served.address, "/v1/validate", &body);
    let cli = run(&[
        "validate",
        NAME,
        "--token",
        TOKEN,
        "--key-authorization",
        KEY_AUTHORIZATION,
        "--resolver",
        "127.0.0.1:9",
        "--json",
    ]);
    assert_eq!(status, 200, "{head}");
    assert_eq!(json, cli.stdout);
    assert!(
        head.contains(&format!(
            "X-Acme-Preflight-Exit: {}",
            cli.code.unwrap_or(-1)
        )),
        "{head}"
    );
}

#[test]
fn validates_through_the_api_in_a_network_namespace() {
    match rerun_in_namespace("validates_through_the_api_in_a_network_namespace") {
        Namespace::Inside => validate_against_local_servers(),
        Namespace::Passed => {}
        Namespace::Unavailable(reason) => {
            println!("SKIPPED validates_through_the_api_in_a_network_namespace: {reason}");
        }
    }
}

/// Inside a private network namespace: DNS on 127.0.0.1:<any>, HTTP on 127.0.0.1:80.
fn validate_against_local_servers() {
    let dns = dns_responder("127.0.0.1:0", NAME);
    let resolver = dns.address.to_string();
    let (_http, _) = http_server("127.0.0.1:80", KEY_AUTHORIZATION);
    let served = serve(&["--resolver", &resolver, "--allow-reserved", "127.0.0.0/8"]);
    let body = format!(
        r#"{{"identifier":"{NAME}","token":"{TOKEN}","keyAuthorization":"{KEY_AUTHORIZATION}"}}"#
    );
    let (status, head, json) = post(&served.address, "/v1/validate", &body);
    let cli = run(&[
        "validate",
        NAME,
        "--token",
        TOKEN,
        "--key-authorization",
        KEY_AUTHORIZATION,
        "--resolver",
        &resolver,
        "--allow-reserved",
        "127.0.0.0/8",
        "--json",
    ]);
    assert_eq!(cli.code, Some(0), "{cli:?}");
    assert_eq!(
        (status, json.as_str()),
        (200, cli.stdout.as_str()),
        "{head}"
    );
    assert!(head.contains("X-Acme-Preflight-Exit: 0"), "{head}");
    // Narrowing the deployment's blocks to none: the address is reserved again.
    let narrowed = body.replace('}', r#","allowReserved":[]}"#);
    let (_, _, json) = post(&served.address, "/v1/validate", &narrowed);
    assert!(json.contains(r#""status":"invalid""#), "{json}");
}
