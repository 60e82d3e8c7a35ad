//! Helpers for the end-to-end suite: run the `acme-preflight` binary inside the testbed's
//! client namespace and build the JSON Let's Encrypt would return.

use std::path::PathBuf;
use std::process::Output;

use testbed::Testbed;

/// The token every case validates.
pub const TOKEN: &str = "e2e-token_0123456789";
/// The thumbprint the demo scenario's servers append.
pub const THUMBPRINT: &str = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
/// The test networks, reserved and therefore allowed explicitly.
pub const ALLOW: &str = "198.51.100.0/24,2001:db8::/32";

/// The built `acme-preflight` binary (`make build` puts it in dist/).
pub fn binary() -> PathBuf {
    std::env::var_os("ACME_PREFLIGHT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../../dist/acme-preflight"))
}

/// The demo scenario file.
pub fn demo_scenario() -> PathBuf {
    manifest_dir().join("../testbed/scenarios/demo.json")
}

/// `acme-preflight validate <domain> ... --json` in the client namespace.
pub fn validate(bed: &Testbed, domain: &str, extra: &[&str]) -> Output {
    let key_authorization = format!("{TOKEN}.{THUMBPRINT}");
    let binary = binary();
    let mut args = vec![
        binary.to_str().expect("utf-8 path"),
        "validate",
        domain,
        "--token",
        TOKEN,
        "--key-authorization",
        &key_authorization,
        "--resolver",
        "198.51.100.53",
        "--allow-reserved",
        ALLOW,
    ];
    args.extend_from_slice(extra);
    bed.run_in_client(&args)
        .expect("run in the client namespace")
}

/// How a diagnosis is asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `--expect TOKEN=TOKEN.THUMBPRINT`: the file the scenarios' servers publish.
    Canary,
    /// No `--expect`: a random token, judged by where the chain ends.
    Blind,
}

/// `acme-preflight diagnose <domain> --json --expect TOKEN=TOKEN.THUMBPRINT`, in the client
/// namespace.
pub fn diagnose(bed: &Testbed, domain: &str) -> std::process::Output {
    diagnose_in(bed, domain, Mode::Canary)
}

/// `acme-preflight diagnose <domain> --json`, with `--expect` in canary mode, in the client
/// namespace.
pub fn diagnose_in(bed: &Testbed, domain: &str, mode: Mode) -> std::process::Output {
    let binary = binary();
    let expect = format!("{TOKEN}={TOKEN}.{THUMBPRINT}");
    let mut args = vec![
        binary.to_str().expect("utf-8 path"),
        "diagnose",
        domain,
        "--json",
        "--resolver",
        "198.51.100.53",
        "--allow-reserved",
        ALLOW,
    ];
    if mode == Mode::Canary {
        args.extend(["--expect", expect.as_str()]);
    }
    bed.run_in_client(&args)
        .expect("run in the client namespace")
}

/// The value of `"verdict"` and the `"code"` values, in order, from the diagnosis JSON.
pub fn verdict_and_codes(json: &str) -> (String, Vec<String>) {
    let value_after = |key: &str, from: &str| -> Option<(String, usize)> {
        let start = from.find(key)? + key.len();
        let end = from.get(start..)?.find('"')? + start;
        Some((from.get(start..end)?.to_string(), end))
    };
    let verdict = value_after("\"verdict\":\"", json)
        .map(|v| v.0)
        .unwrap_or_default();
    let findings = json.find("\"findings\":[").map_or("", |at| &json[at..]);
    let mut codes = Vec::new();
    let mut rest = findings;
    while let Some((code, end)) = value_after("\"code\":\"", rest) {
        codes.push(code);
        rest = &rest[end..];
    }
    (verdict, codes)
}

/// Runs `diagnose` on `domain` and checks its exit code, verdict and finding codes; the
/// failure's description, if any.
pub fn diagnosis_failure(
    bed: &Testbed,
    domain: &str,
    exit: i32,
    verdict: &str,
    codes: &[&str],
) -> Option<String> {
    diagnosis_failure_in(bed, domain, Mode::Canary, exit, verdict, codes)
}

/// The same as [`diagnosis_failure`], asked in `mode`.
pub fn diagnosis_failure_in(
    bed: &Testbed,
    domain: &str,
    mode: Mode,
    exit: i32,
    verdict: &str,
    codes: &[&str],
) -> Option<String> {
    let output = diagnose_in(bed, domain, mode);
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let code = output.status.code().unwrap_or(-1);
    let (got_verdict, got_codes) = verdict_and_codes(&stdout);
    let ok = code == exit && got_verdict == verdict && got_codes == codes;
    (!ok).then(|| {
        format!(
            "{domain}: exit {code} (expected {exit}), verdict {got_verdict} (expected {verdict}), codes {got_codes:?} (expected {codes:?})\n  {stdout}\n  stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// `http://<domain>/.well-known/acme-challenge/<TOKEN>` (or https).
pub fn challenge_url(scheme: &str, domain: &str) -> String {
    format!("{scheme}://{domain}/.well-known/acme-challenge/{TOKEN}")
}

/// One validation record in Boulder's JSON.
pub fn record(url: &str, hostname: &str, port: u16, resolved: &[&str], used: &str) -> String {
    let resolved: Vec<String> = resolved.iter().map(|a| format!("\"{a}\"")).collect();
    format!(
        "{{\"url\":\"{url}\",\"hostname\":\"{hostname}\",\"port\":\"{port}\",\"addressesResolved\":[{}],\"addressUsed\":\"{used}\"}}",
        resolved.join(",")
    )
}

/// The demo scenario's TLS sibling: HTTPS redirect targets and `acme-tls/1` responders.
pub fn tls_scenario() -> PathBuf {
    manifest_dir().join("../testbed/scenarios/tls.json")
}

/// One TLS-ALPN-01 validation record in Boulder's JSON: no url, port 443, `addressesTried`
/// after a fallback.
pub fn alpn_record(hostname: &str, resolved: &[&str], used: &str, tried: &[&str]) -> String {
    let list = |addresses: &[&str]| {
        let quoted: Vec<String> = addresses.iter().map(|a| format!("\"{a}\"")).collect();
        quoted.join(",")
    };
    let tried = if tried.is_empty() {
        String::new()
    } else {
        format!(",\"addressesTried\":[{}]", list(tried))
    };
    format!(
        "{{\"hostname\":\"{hostname}\",\"port\":\"443\",\"addressesResolved\":[{}],\"addressUsed\":\"{used}\"{tried}}}",
        list(resolved)
    )
}

/// The challenge object: valid, or invalid with (type, detail, status).
pub fn challenge(error: Option<(&str, &str, u16)>, records: &[String]) -> String {
    challenge_of("http-01", error, records)
}

/// The challenge object of `challenge_type`: valid, or invalid with (type, detail, status).
pub fn challenge_of(
    challenge_type: &str,
    error: Option<(&str, &str, u16)>,
    records: &[String],
) -> String {
    let status = if error.is_some() { "invalid" } else { "valid" };
    let error = error.map_or(String::new(), |(kind, detail, code)| {
        format!(",\"error\":{{\"type\":\"urn:ietf:params:acme:error:{kind}\",\"detail\":\"{detail}\",\"status\":{code}}}")
    });
    format!(
        "{{\"type\":\"{challenge_type}\",\"status\":\"{status}\"{error},\"validationRecord\":[{}]}}\n",
        records.join(",")
    )
}

/// Runs `check` on every case at once, one thread each (cases wait on real timeouts), and
/// returns the failure messages.
pub fn failures_in_parallel<C: Send>(
    cases: Vec<C>,
    check: impl Fn(C) -> Option<String> + Sync,
) -> Vec<String> {
    std::thread::scope(|scope| {
        let check = &check;
        let runs: Vec<_> = cases
            .into_iter()
            .map(|case| scope.spawn(move || check(case)))
            .collect();
        runs.into_iter()
            .filter_map(|run| run.join().expect("case thread"))
            .collect()
    })
}

/// `validate <domain> <extra> --json`, compared with the expected exit code and JSON; the
/// failure message, if any.
pub fn validation_failure(
    bed: &Testbed,
    domain: &str,
    extra: &[&str],
    exit: i32,
    json: &str,
) -> Option<String> {
    let mut words = extra.to_vec();
    words.push("--json");
    let output = validate(bed, domain, &words);
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let code = output.status.code().unwrap_or(-1);
    (stdout != json || code != exit).then(|| {
        format!(
            "{domain}: exit {code} (expected {exit})\n  got      {stdout}  expected {json}  stderr: {}",
            String::from_utf8_lossy(&output.stderr)
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
