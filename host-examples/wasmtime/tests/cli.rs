//! The `acme-preflight` binary end to end, with the checker component from `dist/` (or
//! `$ACME_PREFLIGHT_COMPONENT`).

mod support;

use support::{dns_responder, http_server, rerun_in_namespace, run, squeezed, Namespace};

/// A token of the length Boulder issues (32 random bytes in base64url).
const TOKEN: &str = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";

/// `TOKEN` and an account key thumbprint.
const KEY_AUTHORIZATION: &str =
    "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

/// The identifier the test DNS responder knows.
const NAME: &str = "preflight-host-test.org";

#[test]
fn help_prints_and_exits_0() {
    let run = run(&["--help"]);
    // `print(text)` goes to stdout, exit 0.
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(!run.stdout.trim().is_empty(), "{run:?}");
}

#[test]
fn usage_error_exits_2() {
    let run = run(&["--no-such-option-anywhere"]);
    // `parse-args` errors go to stderr, exit 2, nothing on stdout.
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(!run.stderr.trim().is_empty(), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
}

#[test]
fn missing_component_exits_3() {
    let run = run(&["--component", "/nonexistent/acme-preflight.wasm", "--help"]);
    // `--component` wins over the environment; a file that is not there is a host failure.
    assert_eq!(run.code, Some(3), "{run:?}");
    assert!(
        run.stderr.contains("/nonexistent/acme-preflight.wasm"),
        "{run:?}"
    );
}

#[test]
fn component_flag_with_equals_sign() {
    let path = support::component();
    let flag = format!("--component={}", path.display());
    let run = run(&[&flag, "--help"]);
    // `--component=PATH` is the same as `--component PATH`.
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn component_flag_needs_a_path() {
    let run = run(&["--component"]);
    // A flag without its value is a usage error of the host itself.
    assert_eq!(run.code, Some(2), "{run:?}");
}

#[test]
fn validates_in_a_network_namespace() {
    match rerun_in_namespace("validates_in_a_network_namespace") {
        Namespace::Inside => validate_against_local_servers(),
        Namespace::Passed => {}
        Namespace::Unavailable(reason) => {
            println!("SKIPPED validates_in_a_network_namespace: network namespaces unavailable: {reason}");
        }
    }
}

/// Inside a private network namespace: DNS on 127.0.0.1:<any>, HTTP on 127.0.0.1:80.
fn validate_against_local_servers() {
    let dns = dns_responder("127.0.0.1:0", NAME);
    let resolver = dns.address.to_string();
    let args = |key_authorization: &'static str, json: bool| {
        let mut args = vec![
            "validate".to_string(),
            NAME.to_string(),
            "--token".to_string(),
            TOKEN.to_string(),
            "--key-authorization".to_string(),
            key_authorization.to_string(),
            "--resolver".to_string(),
            resolver.clone(),
            "--allow-reserved".to_string(),
            "127.0.0.0/8".to_string(),
        ];
        if json {
            args.push("--json".to_string());
        }
        args
    };
    let (http, seen) = http_server("127.0.0.1:80", KEY_AUTHORIZATION);

    // The server answers with the key authorization: valid, exit 0.
    let valid = run_owned(&args(KEY_AUTHORIZATION, true));
    println!("valid: {valid:?}");
    assert_eq!(valid.code, Some(0), "{valid:?}");
    assert!(
        squeezed(&valid.stdout).contains(r#""status":"valid""#),
        "{valid:?}"
    );
    let heads = seen.lock().expect("log").clone();
    let path = format!("GET /.well-known/acme-challenge/{TOKEN} HTTP/1.1\r\n");
    assert!(
        heads.iter().any(|head| head.starts_with(&path)),
        "requests seen: {heads:?}"
    );

    // The same answer for another key authorization: invalid, exit 1.
    let other =
        "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let invalid = run_owned(&args(other, true));
    println!("invalid: {invalid:?}");
    assert_eq!(invalid.code, Some(1), "{invalid:?}");
    assert!(
        squeezed(&invalid.stdout).contains(r#""status":"invalid""#),
        "{invalid:?}"
    );

    // Human output: exit code as before, no colour (stdout is a pipe), something printed.
    let human = run_owned(&args(KEY_AUTHORIZATION, false));
    println!("human: {human:?}");
    assert_eq!(human.code, Some(0), "{human:?}");
    assert!(!human.stdout.contains('\x1b'), "{human:?}");
    assert!(!human.stdout.trim().is_empty(), "{human:?}");
    drop(http);

    // Nothing listens on port 80 any more: connection refused, invalid, exit 1 (not a crash).
    let refused = run_owned(&args(KEY_AUTHORIZATION, true));
    println!("refused: {refused:?}");
    assert_eq!(refused.code, Some(1), "{refused:?}");
    assert!(
        squeezed(&refused.stdout).contains(r#""status":"invalid""#),
        "{refused:?}"
    );
}

fn run_owned(args: &[String]) -> support::Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args)
}
