//! Parsing the command line.

use std::net::{IpAddr, SocketAddr};

use super::{
    first_nameserver, parse_duration, parse_identifier, Command, Invocation, OutputFormat,
};
use crate::job::{ChallengeType, Diagnose, Expectation, Job, Options, Policy, Validation};
use crate::policy::reserved::AllowList;

/// The help text.
pub const USAGE: &str = "\
acme-preflight: predict exactly what Let's Encrypt's HTTP-01 validation will do

Usage:
  acme-preflight validate <identifier> --token <TOKEN> --key-authorization <KEYAUTH> [options]
  acme-preflight diagnose <identifier> [--expect PATH=CONTENT] [options]

Options:
  --json                          print the challenge object Let's Encrypt would return
                                  (diagnose: the diagnosis, see docs/diagnose.md)
  --expect <PATH>=<CONTENT>       diagnose: a file you published under
                                  /.well-known/acme-challenge/, checked on every address
  --resolver <IP[:PORT]>          DNS resolver (default: first nameserver of /etc/resolv.conf)
  --connect-timeout <DUR>         one TCP connect (default 10s, Let's Encrypt's)
  --deadline <DUR>                the whole validation (default 20s)
  --allow-reserved <CIDR[,CIDR]>  treat these reserved blocks as public (test networks only)
  --policy boulder|boulder-pr8905 which Let's Encrypt rules (default boulder)
  --challenge http-01|tls-alpn-01 which challenge validate predicts (default http-01)
  -h, --help                      this text
  -V, --version                   the version and the Boulder commit modelled

Exit codes: 0 valid, 1 invalid, 2 bad input, 3 internal or host failure.
Diagnose: 0 pass, 1 fail, 4 pass-with-fallback or intermittent, 2 bad input, 3 internal.
";

/// Parses the arguments (without the program name). `resolv_conf` is /etc/resolv.conf's text.
pub fn parse_args(args: &[String], resolv_conf: Option<&str>) -> Result<Command, String> {
    let mut parsed = Parsed::default();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let mut value = |name: &str| {
            words
                .next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match word.as_str() {
            "-h" | "--help" | "help" => return Ok(Command::Print(USAGE.to_string())),
            "-V" | "--version" => return Ok(Command::Print(version())),
            "--json" => parsed.json = true,
            "--token" => parsed.token = Some(value(word)?),
            "--key-authorization" => parsed.key_authorization = Some(value(word)?),
            "--resolver" => parsed.resolver = Some(parse_resolver(&value(word)?)?),
            "--connect-timeout" => parsed.connect_timeout = Some(parse_duration(&value(word)?)?),
            "--deadline" => parsed.deadline = Some(parse_duration(&value(word)?)?),
            "--allow-reserved" => parsed.allow_reserved = Some(value(word)?),
            "--policy" => parsed.policy = Some(parse_policy(&value(word)?)?),
            "--expect" => parsed.expect = Some(value(word)?),
            "--challenge" => parsed.challenge = Some(parse_challenge(&value(word)?)?),
            flag if flag.starts_with('-') && flag.len() > 1 => {
                return Err(format!("unknown option {flag:?}; see --help"))
            }
            positional => parsed.positional.push(positional.to_string()),
        }
    }
    parsed.into_command(resolv_conf)
}

#[derive(Default)]
struct Parsed {
    positional: Vec<String>,
    json: bool,
    token: Option<String>,
    key_authorization: Option<String>,
    resolver: Option<SocketAddr>,
    connect_timeout: Option<u32>,
    deadline: Option<u32>,
    allow_reserved: Option<String>,
    policy: Option<Policy>,
    challenge: Option<ChallengeType>,
    expect: Option<String>,
}

impl Parsed {
    fn into_command(self, resolv_conf: Option<&str>) -> Result<Command, String> {
        let mut options = Options::default();
        if let Some(list) = &self.allow_reserved {
            options.allow_reserved = AllowList::parse(list).map_err(|e| e.to_string())?;
        }
        options.policy = self.policy.unwrap_or(Policy::Boulder);
        options.connect_timeout_ms = self.connect_timeout.unwrap_or(options.connect_timeout_ms);
        options.deadline_ms = self.deadline.unwrap_or(options.deadline_ms);
        let (subcommand, identifier) = match self.positional.as_slice() {
            [] => return Err(format!("missing command\n\n{USAGE}")),
            [subcommand] => return Err(format!("{subcommand}: missing <identifier>; see --help")),
            [subcommand, identifier] => (subcommand.as_str(), identifier.as_str()),
            [_, _, extra, ..] => return Err(format!("unexpected argument {extra:?}; see --help")),
        };
        let identifier = parse_identifier(identifier, &options.allow_reserved)?;
        let job = match subcommand {
            "validate" if self.expect.is_some() => {
                return Err("--expect is for diagnose; validate takes --token and --key-authorization".to_string())
            }
            "validate" => Job::Validate(Validation {
                token: checked_token(self.token)?,
                key_authorization: String::new(),
                identifier,
                challenge: self.challenge.unwrap_or(ChallengeType::Http01),
            }),
            "diagnose" if self.token.is_some() || self.key_authorization.is_some() => {
                return Err("diagnose takes no --token or --key-authorization; to check a published file use --expect PATH=CONTENT".to_string())
            }
            "diagnose" if self.challenge == Some(ChallengeType::TlsAlpn01) => {
                return Err("diagnose predicts http-01 only; use validate --challenge tls-alpn-01".to_string())
            }
            "diagnose" => Job::Diagnose(Diagnose {
                identifier,
                expect: self.expect.as_deref().map(parse_expect).transpose()?,
            }),
            other => return Err(format!("unknown command {other:?}; see --help")),
        };
        let job = with_key_authorization(job, self.key_authorization)?;
        let resolver = self
            .resolver
            .or_else(|| resolv_conf.and_then(first_nameserver));
        let output = if self.json {
            OutputFormat::Json
        } else {
            OutputFormat::Human
        };
        Ok(Command::Run(Box::new(Invocation {
            job,
            options,
            output,
            resolver,
        })))
    }
}

fn checked_token(token: Option<String>) -> Result<String, String> {
    let token = token.ok_or("validate needs --token <TOKEN>")?;
    if token.is_empty() || !token.bytes().all(is_base64url) {
        return Err(format!(
            "--token {token:?} is not base64url (A-Z a-z 0-9 - _)"
        ));
    }
    Ok(token)
}

/// `--expect PATH=CONTENT`: PATH is `/.well-known/acme-challenge/<token>` or the bare token.
fn parse_expect(text: &str) -> Result<Expectation, String> {
    let Some((path, content)) = text.split_once('=') else {
        return Err(format!("--expect {text:?} is not PATH=CONTENT"));
    };
    let token = match path.strip_prefix('/') {
        Some(_) => path
            .strip_prefix(CHALLENGE_PATH)
            .ok_or_else(|| format!("--expect path {path:?} is not under {CHALLENGE_PATH}"))?,
        None => path,
    };
    if token.is_empty() || !token.bytes().all(is_base64url) {
        return Err(format!(
            "--expect token {token:?} is not base64url (A-Z a-z 0-9 - _)"
        ));
    }
    Ok(Expectation {
        path: format!("{CHALLENGE_PATH}{token}"),
        content: content.to_string(),
    })
}

/// Where Let's Encrypt looks for HTTP-01 tokens.
const CHALLENGE_PATH: &str = "/.well-known/acme-challenge/";

fn with_key_authorization(job: Job, key_authorization: Option<String>) -> Result<Job, String> {
    let Job::Validate(mut validation) = job else {
        return Ok(job);
    };
    let key_authorization =
        key_authorization.ok_or("validate needs --key-authorization <KEYAUTH>")?;
    let Some((token, thumbprint)) = key_authorization.split_once('.') else {
        return Err(format!(
            "--key-authorization {key_authorization:?} is not <token>.<thumbprint>"
        ));
    };
    if token != validation.token {
        return Err(format!(
            "--key-authorization starts with token {token:?}, but --token is {:?}",
            validation.token
        ));
    }
    if thumbprint.is_empty() || !thumbprint.bytes().all(is_base64url) {
        return Err(format!("the thumbprint {thumbprint:?} is not base64url"));
    }
    validation.key_authorization = key_authorization;
    Ok(Job::Validate(validation))
}

fn is_base64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

fn parse_resolver(text: &str) -> Result<SocketAddr, String> {
    if let Ok(address) = text.parse::<SocketAddr>() {
        return Ok(address);
    }
    let bare = text.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>()
        .map(|address| SocketAddr::new(address, 53))
        .map_err(|_| {
            format!("--resolver {text:?} is not IP or IP:PORT (e.g. 9.9.9.9, [2620:fe::fe]:53)")
        })
}

fn parse_policy(text: &str) -> Result<Policy, String> {
    match text {
        "boulder" => Ok(Policy::Boulder),
        "boulder-pr8905" => Ok(Policy::BoulderPr8905),
        other => Err(format!("--policy {other:?}: use boulder or boulder-pr8905")),
    }
}

fn parse_challenge(text: &str) -> Result<ChallengeType, String> {
    match text {
        "http-01" => Ok(ChallengeType::Http01),
        "tls-alpn-01" => Ok(ChallengeType::TlsAlpn01),
        other => Err(format!("--challenge {other:?}: use http-01 or tls-alpn-01")),
    }
}

fn version() -> String {
    format!(
        "acme-preflight {} (models Boulder {})\n",
        env!("CARGO_PKG_VERSION"),
        &crate::BOULDER_COMMIT[..7]
    )
}

#[cfg(test)]
mod tests {
    use super::{parse_args, Command};

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn parses_a_validate_command() {
        let line = "validate example.com --token tok --key-authorization tok.thumb --json --resolver 198.51.100.53 --deadline 5s --policy boulder-pr8905 --allow-reserved 198.51.100.0/24";
        let Ok(Command::Run(invocation)) = parse_args(&args(line), None) else {
            panic!("expected a run");
        };
        assert_eq!(invocation.resolver.unwrap().to_string(), "198.51.100.53:53");
        assert_eq!(invocation.options.deadline_ms, 5_000);
        assert_eq!(invocation.options.policy, crate::Policy::BoulderPr8905);
    }

    #[test]
    fn parses_the_challenge_type() {
        let base = "validate example.com --token t --key-authorization t.x";
        let rows = [
            ("", crate::ChallengeType::Http01), // the default
            (" --challenge http-01", crate::ChallengeType::Http01), // explicit
            (" --challenge tls-alpn-01", crate::ChallengeType::TlsAlpn01), // TLS-ALPN-01
        ];
        for (extra, expected) in rows {
            let Ok(Command::Run(invocation)) = parse_args(&args(&format!("{base}{extra}")), None)
            else {
                panic!("expected a run for {extra:?}");
            };
            let crate::Job::Validate(validation) = &invocation.job else {
                panic!("expected a validation for {extra:?}");
            };
            assert_eq!(validation.challenge, expected, "{extra:?}");
        }
    }

    #[test]
    fn resolver_defaults_to_resolv_conf() {
        let line = "validate example.com --token t --key-authorization t.x";
        let Ok(Command::Run(invocation)) = parse_args(&args(line), Some("nameserver 192.0.2.1\n"))
        else {
            panic!("expected a run");
        };
        assert_eq!(invocation.resolver.unwrap().to_string(), "192.0.2.1:53");
    }

    #[test]
    fn refuses_bad_input() {
        let rows = [
            ("validate example.com --token t --key-authorization u.x", "starts with token \"u\""),
            ("validate example.com --token t", "needs --key-authorization"),
            ("validate example.com --key-authorization t.x", "needs --token"),
            ("validate example.com --token t --key-authorization t.x --deadline 5", "invalid duration"),
            ("validate example.com --token t --key-authorization t.x --allow-reserved 10.0.0.1/8", "host bits"),
            ("validate example.com --token t --key-authorization t.x --policy le", "use boulder"),
            ("validate example.com --token t --key-authorization t.x --challenge dns-01", "use http-01 or tls-alpn-01"),
            ("validate example.com --token t --key-authorization t.x --frobnicate", "unknown option"),
            ("validate", "missing <identifier>"),
            ("frob example.com", "unknown command"),
            ("validate a.com b.com", "unexpected argument"),
            ("validate example.com --token t+ --key-authorization t+.x", "not base64url"),
            ("validate example.com --token t --key-authorization t.x --expect t=x", "--expect is for diagnose"),
            ("diagnose example.com --token t", "diagnose takes no --token"),
            ("diagnose example.com --key-authorization t.x", "diagnose takes no --token"),
            ("diagnose example.com --challenge tls-alpn-01", "diagnose predicts http-01 only"),
            ("diagnose example.com --expect nothing-to-expect", "is not PATH=CONTENT"),
            ("diagnose example.com --expect /robots.txt=x", "is not under /.well-known/acme-challenge/"),
            ("diagnose example.com --expect /.well-known/acme-challenge/=x", "is not base64url"),
            ("diagnose example.com --expect a+b=x", "is not base64url"),
            ("diagnose example.com --expect", "--expect needs a value"),
        ];
        for (line, fragment) in rows {
            let error = parse_args(&args(line), None).unwrap_err();
            assert!(error.contains(fragment), "{line}: {error}");
        }
    }

    #[test]
    fn parses_a_diagnose_command() {
        let rows = [
            ("diagnose example.com", None), // a random token
            (
                "diagnose example.com --expect /.well-known/acme-challenge/abc=hello",
                Some(("/.well-known/acme-challenge/abc", "hello")),
            ), // the full path
            (
                "diagnose example.com --expect abc=a=b",
                Some(("/.well-known/acme-challenge/abc", "a=b")),
            ), // a bare token; the content may hold '='
            (
                "diagnose example.com --expect abc=",
                Some(("/.well-known/acme-challenge/abc", "")),
            ), // an empty file
        ];
        for (line, expected) in rows {
            let Ok(Command::Run(invocation)) = parse_args(&args(line), None) else {
                panic!("expected a run for {line}");
            };
            let crate::Job::Diagnose(diagnose) = &invocation.job else {
                panic!("expected a diagnosis for {line}");
            };
            let got = diagnose
                .expect
                .as_ref()
                .map(|e| (e.path.as_str(), e.content.as_str()));
            assert_eq!(got, expected, "{line}");
        }
    }
}
