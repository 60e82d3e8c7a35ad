//! Self-tests: bring small scenarios up and probe them from the client namespace.
//! They need root (CI runs as root) and `ip`/`nft` (scripts/install-deps.sh).

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use testbed::dns::{client, wire};
use testbed::scenario::Firewall;
use testbed::{Event, Scenario, Testbed};

const SCENARIO: &str = r#"{
  "lifetime_secs": 60,
  "thumbprint": "THUMB",
  "dns": {
    "records": {
      "tok.example.com": {"A": ["198.51.100.10"], "AAAA": ["2001:db8:1::10"]},
      "www.example.com": {"CNAME": "alias.example.net"},
      "alias.example.net": {"CNAME": "tok.example.com"},
      "example.com": {"CAA": ["0 issue \"letsencrypt.org\""]},
      "tc.example.com": {"A": ["198.51.100.10"]}
    },
    "faults": [
      {"name": "servfail.example.com", "action": "servfail"},
      {"name": "bogus.example.com", "action": "servfail", "ede": {"code": 6, "text": "DNSSEC Bogus"}},
      {"name": "tc.example.com", "action": "truncate"},
      {"name": "quiet.example.com", "action": "timeout"},
      {"name": "slow.example.com", "action": "nodata", "delay_ms": 200}
    ]
  },
  "endpoints": [
    {"addresses": ["198.51.100.10", "2001:db8:1::10"], "ports": [80, 443], "routes": [
      {"prefix": "/.well-known/acme-challenge/", "response": {"token": true}},
      {"path": "/redirect", "response": {"status": 301, "headers": [["Location", "https://tok.example.com/x"]]}},
      {"path": "/chunked", "response": {"body": "hello", "framing": "chunked", "gzip": true}},
      {"path": "/slow", "response": {"body": "abcd", "slow": {"chunk_bytes": 1, "interval_ms": 100}}},
      {"path": "/hang", "response": {"action": "hang"}},
      {"path": "/close", "response": {"action": "close"}},
      {"path": "/raw", "response": {"action": "raw", "body": "HTTP/1.0 200 OK\r\n\r\nraw"}}]},
    {"addresses": ["198.51.100.20", "2001:db8:1::20"], "firewall": "drop"},
    {"addresses": ["198.51.100.21", "2001:db8:1::21"], "firewall": "reset"},
    {"addresses": ["198.51.100.22"], "firewall": "unreachable"},
    {"addresses": ["198.51.100.23"], "on_connect": "reset"}
  ]
}"#;

fn start() -> Testbed {
    let scenario = Scenario::parse(SCENARIO).expect("scenario");
    Testbed::start(&scenario).unwrap_or_else(|e| panic!("{e} (these tests need root and ip/nft)"))
}

fn addr(text: &str) -> SocketAddr {
    text.parse().expect("socket address")
}

/// GET `path` with a raw socket; returns the bytes received until EOF.
fn get(to: SocketAddr, path: &str, timeout: Duration) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect_timeout(&to, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: tok.example.com\r\nAccept: */*\r\n\r\n"
    )?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out)?;
    Ok(out)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn dns_answers_and_faults() {
    let bed = start();
    let results = bed
        .in_client(|| {
            let t = Duration::from_millis(400);
            let v4 = addr("198.51.100.53:53");
            let v6 = addr("[2001:db8::53]:53");
            let ask = |server, name: &str, qtype, tcp| client::query(server, name, qtype, tcp, t);
            vec![
                ask(v4, "tok.example.com", wire::TYPE_A, false),
                ask(v6, "tok.example.com", wire::TYPE_AAAA, false),
                ask(v4, "www.example.com", wire::TYPE_AAAA, true),
                ask(v4, "example.com", wire::TYPE_CAA, false),
                ask(v4, "servfail.example.com", wire::TYPE_A, false),
                ask(v4, "bogus.example.com", wire::TYPE_A, false),
                ask(v4, "nope.example.com", wire::TYPE_A, false),
                ask(v4, "tc.example.com", wire::TYPE_A, false),
                ask(v4, "tc.example.com", wire::TYPE_A, true),
                ask(v4, "quiet.example.com", wire::TYPE_A, false),
            ]
        })
        .expect("client thread");
    let ok = |i: usize| {
        results[i]
            .as_ref()
            .unwrap_or_else(|e| panic!("query {i}: {e}"))
    };
    assert_eq!(
        ok(0).answers[0].rdata,
        wire::Rdata::A("198.51.100.10".parse().unwrap())
    );
    assert_eq!(
        ok(1).answers[0].rdata,
        wire::Rdata::Aaaa("2001:db8:1::10".parse().unwrap())
    );
    // CNAME chain over TCP: two aliases, then the address.
    let kinds: Vec<u16> = ok(2).answers.iter().map(|r| r.rdata.rtype()).collect();
    assert_eq!(kinds, [wire::TYPE_CNAME, wire::TYPE_CNAME, wire::TYPE_AAAA]);
    assert!(
        matches!(&ok(3).answers[0].rdata, wire::Rdata::Caa(c) if c.tag == "issue" && c.value == b"letsencrypt.org")
    );
    assert_eq!(ok(4).rcode, 2);
    assert_eq!(
        (ok(5).rcode, ok(5).ede.clone()),
        (2, vec![(6, "DNSSEC Bogus".to_string())])
    );
    assert_eq!(ok(6).rcode, 3);
    assert!(
        ok(7).tc && ok(7).answers.is_empty(),
        "UDP answer is truncated"
    );
    assert!(!ok(8).tc && ok(8).answers.len() == 1, "TCP answer is whole");
    let err = results[9].as_ref().expect_err("no answer");
    assert!(
        matches!(err.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock),
        "{err}"
    );
}

#[test]
fn dns_delay_is_applied() {
    let bed = start();
    let (elapsed, rcode) = bed
        .in_client(|| {
            let begun = Instant::now();
            let answer = client::query(
                addr("198.51.100.53:53"),
                "slow.example.com",
                wire::TYPE_A,
                false,
                Duration::from_secs(2),
            );
            (begun.elapsed(), answer.map(|a| a.rcode))
        })
        .unwrap();
    assert_eq!(rcode.unwrap(), 0);
    assert!(
        elapsed >= Duration::from_millis(200) && elapsed < Duration::from_millis(1500),
        "{elapsed:?}"
    );
}

#[test]
fn firewall_faults() {
    let bed = start();
    let connect = |to: &'static str| {
        bed.in_client(move || {
            let begun = Instant::now();
            let result = TcpStream::connect_timeout(&addr(to), Duration::from_millis(400));
            (result.map(|_| ()).map_err(|e| e.kind()), begun.elapsed())
        })
        .unwrap()
    };
    let quick = Duration::from_millis(200);
    // Dropped SYNs: the connect times out.
    let (result, took) = connect("198.51.100.20:80");
    assert_eq!(result, Err(ErrorKind::TimedOut));
    assert!(took >= Duration::from_millis(350), "{took:?}");
    let (result, _) = connect("[2001:db8:1::20]:80");
    assert_eq!(result, Err(ErrorKind::TimedOut));
    // TCP reset: refused at once, both families.
    let (result, took) = connect("198.51.100.21:80");
    assert_eq!(
        (result, took < quick),
        (Err(ErrorKind::ConnectionRefused), true)
    );
    let (result, took) = connect("[2001:db8:1::21]:80");
    assert_eq!(
        (result, took < quick),
        (Err(ErrorKind::ConnectionRefused), true)
    );
    // ICMP host unreachable.
    let (result, took) = connect("198.51.100.22:80");
    assert_eq!(
        (result, took < quick),
        (Err(ErrorKind::HostUnreachable), true)
    );
    // An address no endpoint serves is refused too.
    let (result, _) = connect("198.51.100.99:80");
    assert_eq!(result, Err(ErrorKind::ConnectionRefused));
    // Faults can be switched while the testbed runs.
    bed.set_firewall("198.51.100.10".parse().unwrap(), 80, Firewall::Reset)
        .unwrap();
    assert_eq!(
        connect("198.51.100.10:80").0,
        Err(ErrorKind::ConnectionRefused)
    );
    bed.set_firewall("198.51.100.10".parse().unwrap(), 80, Firewall::None)
        .unwrap();
    assert_eq!(connect("198.51.100.10:80").0, Ok(()));
}

#[test]
fn http_behaviours() {
    let bed = start();
    let t = Duration::from_millis(600);
    let fetch = |to: &'static str, path: &'static str| {
        bed.in_client(move || get(addr(to), path, t)).unwrap()
    };
    let token = text(&fetch("198.51.100.10:80", "/.well-known/acme-challenge/T0k3n").unwrap());
    assert!(
        token.starts_with("HTTP/1.1 200 OK\r\n") && token.ends_with("\r\n\r\nT0k3n.THUMB"),
        "{token}"
    );
    let v6 = text(&fetch("[2001:db8:1::10]:80", "/.well-known/acme-challenge/x").unwrap());
    assert!(v6.ends_with("x.THUMB"), "{v6}");
    let redirect = text(&fetch("198.51.100.10:80", "/redirect").unwrap());
    assert!(
        redirect.starts_with(
            "HTTP/1.1 301 Moved Permanently\r\nLocation: https://tok.example.com/x\r\n"
        ),
        "{redirect}"
    );
    let missing = text(&fetch("198.51.100.10:80", "/missing").unwrap());
    assert!(
        missing.starts_with("HTTP/1.1 404 Not Found\r\n"),
        "{missing}"
    );
    let chunked = text(&fetch("198.51.100.10:80", "/chunked").unwrap());
    assert!(
        chunked.contains("Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"),
        "{chunked}"
    );
    assert_eq!(
        text(&fetch("198.51.100.10:80", "/raw").unwrap()),
        "HTTP/1.0 200 OK\r\n\r\nraw"
    );
    // Closed without a response: EOF, no bytes.
    assert_eq!(fetch("198.51.100.10:80", "/close").unwrap(), b"");
    // Hang: the read times out.
    let hang = fetch("198.51.100.10:80", "/hang").expect_err("hang");
    assert!(
        matches!(hang.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{hang}"
    );
    // Reset right after connect.
    let reset = fetch("198.51.100.23:80", "/").expect_err("reset");
    assert_eq!(reset.kind(), ErrorKind::ConnectionReset);
    // Slow body: 4 pieces 100 ms apart.
    let begun = Instant::now();
    let slow = text(&fetch("198.51.100.10:80", "/slow").unwrap());
    assert!(
        slow.ends_with("abcd") && begun.elapsed() >= Duration::from_millis(400),
        "{slow}"
    );
    // The log names the dialled address of each connection.
    let seen = bed.events().iter().any(|e| {
        matches!(e, Event::Http { local, outcome, .. }
        if *local == addr("[2001:db8:1::10]:80") && outcome == "200")
    });
    assert!(seen, "{:#?}", bed.events());
}

#[test]
fn curl_through_the_test_dns() {
    if Command::new("curl").arg("--version").output().is_err() {
        eprintln!("skipped: curl is not installed (the raw-socket tests cover HTTP)");
        return;
    }
    let bed = start();
    let curl = |args: &[&str]| {
        let mut argv = vec!["curl", "-sS", "-m", "3"];
        argv.extend_from_slice(args);
        let out = bed.run_in_client(&argv).expect("curl");
        (out.status.success(), text(&out.stdout), text(&out.stderr))
    };
    let (ok, body, err) = curl(&["http://www.example.com/.well-known/acme-challenge/abc"]);
    assert!(ok && body == "abc.THUMB", "{body} {err}");
    if cfg!(feature = "tls") {
        let (ok, body, _) = curl(&[
            "-k",
            "https://tok.example.com/.well-known/acme-challenge/abc",
        ]);
        assert!(ok && body == "abc.THUMB", "https: {body}");
    }
    let (_, head, _) = curl(&[
        "-4",
        "-D-",
        "-o/dev/null",
        "http://tok.example.com/redirect",
    ]);
    assert!(
        head.contains("Location: https://tok.example.com/x"),
        "{head}"
    );
    let (ok, _, err) = curl(&["http://servfail.example.com/"]);
    assert!(!ok && err.contains("Could not resolve host"), "{err}");
}

fn netns_list() -> String {
    text(
        &Command::new("ip")
            .args(["netns", "list"])
            .output()
            .expect("ip")
            .stdout,
    )
}

#[test]
fn namespaces_are_removed_on_drop_and_on_panic() {
    let bed = start();
    let (server, client) = (bed.server_ns().to_string(), bed.client_ns().to_string());
    assert!(netns_list().contains(&server) && netns_list().contains(&client));
    let begun = Instant::now();
    drop(bed);
    assert!(begun.elapsed() < Duration::from_secs(2));
    assert!(!netns_list().contains(&server) && !netns_list().contains(&client));
    let names = std::panic::catch_unwind(|| {
        let bed = start();
        let names = (bed.server_ns().to_string(), bed.client_ns().to_string());
        std::panic::panic_any(names);
    })
    .expect_err("panicked");
    let (server, client) = names
        .downcast_ref::<(String, String)>()
        .expect("names")
        .clone();
    assert!(!netns_list().contains(&server) && !netns_list().contains(&client));
}

#[test]
fn cli_run_passes_the_exit_status() {
    let dir = std::env::temp_dir().join(format!("testbed-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.json");
    std::fs::write(&path, SCENARIO).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_testbed"))
        .arg("run")
        .arg(&path)
        .args(["-v", "--", "sh", "-c", "ip -brief addr show eth0; exit 3"])
        .output()
        .expect("testbed binary");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("198.51.100.254/32"),
        "{}",
        text(&out.stdout)
    );
    // `-v` names the namespaces; both are gone once the command returned.
    let stderr = text(&out.stderr);
    let server = stderr
        .split("server ns ")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .expect("-v output");
    assert!(
        server.starts_with("tb") && !netns_list().contains(server),
        "{stderr}"
    );
}

#[test]
fn servers_survive_garbage() {
    let bed = start();
    let answered = bed
        .in_client(|| {
            // Deterministic pseudo-random bytes (LCG), 200 datagrams and a few bad streams.
            let mut seed = 0x2545_f491_u32;
            let mut next = move || {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (seed >> 16) as u8
            };
            let udp = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
            for i in 0..200usize {
                let packet: Vec<u8> = (0..i % 64).map(|_| next()).collect();
                let _ = udp.send_to(&packet, "198.51.100.53:53");
            }
            for to in ["198.51.100.53:53", "198.51.100.10:80", "198.51.100.10:443"] {
                if let Ok(mut s) = TcpStream::connect_timeout(&addr(to), Duration::from_secs(1)) {
                    let junk: Vec<u8> = (0..300).map(|_| next()).collect();
                    let _ = s.write_all(&[0xff, 0xff]).and_then(|_| s.write_all(&junk));
                }
            }
            let t = Duration::from_secs(1);
            let dns = client::query(
                addr("198.51.100.53:53"),
                "tok.example.com",
                wire::TYPE_A,
                false,
                t,
            );
            let http = get(addr("198.51.100.10:80"), "/.well-known/acme-challenge/z", t);
            (
                dns.is_ok(),
                http.map(|b| text(&b).ends_with("z.THUMB")).unwrap_or(false),
            )
        })
        .unwrap();
    assert_eq!(answered, (true, true));
}
