//! The HTTP API every server host shares: `POST /v1/validate` and `POST /v1/diagnose` with a
//! JSON body, turned into the same [`Invocation`] the command line builds.
//!
//! The body's fields are the CLI's options (see [`FIELDS`]); each request becomes an argument
//! list for [`crate::cli::parse_args`], so the API and the CLI accept and refuse alike and
//! share their messages (option names are swapped for field names). Then the deployment's
//! rule applies: reserved address space ([`AllowList`]) may be treated as public only where
//! the host's configuration allows it, never because a request asks.
//!
//! ```text
//! POST /v1/validate
//! {"identifier": "example.org", "token": "T", "keyAuthorization": "T.thumbprint"}
//!   -> Ok(Invocation)   the host runs one session and answers 200 with the challenge JSON
//!   -> Err(ApiError)    the host answers `status` with `body` (application/problem+json)
//! ```

mod json;

use std::fmt::Write;
use std::net::IpAddr;

use crate::cli::{parse_args, parse_identifier, Command, Invocation};
use crate::policy::reserved::{self, AllowList};

pub use json::{parse as parse_json, JsonError, Value, MAX_DEPTH};

/// The largest request body accepted, in bytes. A host needs to read at most one byte more.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The endpoints: path and the CLI subcommand it runs.
pub const ENDPOINTS: [(&str, &str); 2] =
    [("/v1/validate", "validate"), ("/v1/diagnose", "diagnose")];

/// The body's fields: JSON name, the CLI option it stands for, and what it holds.
///
/// `identifier` is the positional argument. Durations are strings as on the command line
/// (`"10s"`, `"1500ms"`) or whole numbers of milliseconds. `allowReserved` is a string
/// (`"198.51.100.0/24,2001:db8::/32"`) or an array of CIDR strings; when absent, the
/// deployment's own list applies. `null` means absent.
pub const FIELDS: [(&str, &str, &str); 10] = [
    ("identifier", "", "a DNS name or IP address"),
    ("token", "--token", "the challenge token"),
    (
        "keyAuthorization",
        "--key-authorization",
        "<token>.<thumbprint>",
    ),
    (
        "resolver",
        "--resolver",
        "IP or IP:PORT of the DNS resolver",
    ),
    ("connectTimeout", "--connect-timeout", "a duration"),
    ("deadline", "--deadline", "a duration"),
    ("allowReserved", "--allow-reserved", "CIDR blocks"),
    ("policy", "--policy", "boulder or boulder-pr8905"),
    ("challenge", "--challenge", "http-01 or tls-alpn-01"),
    (
        "expect",
        "--expect",
        "PATH=CONTENT, a published file (diagnose)",
    ),
];

/// A request the API refuses: the HTTP status and a problem document (RFC 7807, with ACME's
/// problem types) as its JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status: 400, 403, 404, 413 or 500.
    pub status: u16,
    /// `{"type":"urn:ietf:params:acme:error:<type>","detail":"...","status":<status>}`.
    pub body: String,
}

impl ApiError {
    /// A problem of ACME type `problem_type` (e.g. `malformed`) with `status`.
    pub fn new(status: u16, problem_type: &str, detail: &str) -> ApiError {
        let mut body = String::with_capacity(detail.len().saturating_add(80));
        body.push_str("{\"type\":");
        crate::report::json::string(
            &mut body,
            &format!("urn:ietf:params:acme:error:{problem_type}"),
        );
        body.push_str(",\"detail\":");
        crate::report::json::string(&mut body, detail);
        let _ = write!(body, ",\"status\":{status}}}");
        ApiError { status, body }
    }

    /// 400 `malformed`: the request cannot be understood or its values are invalid.
    pub fn malformed(detail: &str) -> ApiError {
        ApiError::new(400, "malformed", detail)
    }

    /// 500 `serverInternal`: the deployment itself is misconfigured.
    pub fn server_internal(detail: &str) -> ApiError {
        ApiError::new(500, "serverInternal", detail)
    }
}

/// Turns a request into an invocation (output format JSON, resolver `None` unless the body
/// names one: the host then uses its own). `deployment` is the reserved space this deployment
/// treats as public; requests may narrow it, never widen it.
pub fn parse_request(
    path: &str,
    body: &str,
    deployment: &AllowList,
) -> Result<Invocation, ApiError> {
    let Some(&(_, subcommand)) = ENDPOINTS.iter().find(|(p, _)| *p == path) else {
        return Err(ApiError::new(
            404,
            "malformed",
            &format!("no endpoint {path:?}: use POST /v1/validate or POST /v1/diagnose"),
        ));
    };
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::new(
            413,
            "malformed",
            &format!("the request body is longer than {MAX_BODY_BYTES} bytes"),
        ));
    }
    let value = json::parse(body)
        .map_err(|e| ApiError::malformed(&format!("the request body is not JSON: {e}")))?;
    let args = arguments(subcommand, &value, deployment)?;
    let invocation = match parse_args(&args, None) {
        Ok(Command::Run(invocation)) => *invocation,
        Ok(Command::Print(_)) => {
            return Err(ApiError::malformed("the request asks for nothing to run"))
        }
        Err(message) => return Err(ApiError::malformed(&field_names(&message))),
    };
    within_deployment(&invocation, deployment)?;
    Ok(invocation)
}

/// The command line the body stands for: `<subcommand> <identifier> --option value ... --json`.
fn arguments(
    subcommand: &str,
    body: &Value,
    deployment: &AllowList,
) -> Result<Vec<String>, ApiError> {
    let Value::Object(members) = body else {
        return Err(ApiError::malformed(&format!(
            "the request body is {}, not a JSON object",
            body.kind()
        )));
    };
    let mut args = vec![subcommand.to_string()];
    let mut seen: Vec<&str> = Vec::new();
    let mut allow_reserved_given = false;
    for (name, value) in members {
        let Some(&(field, option, _)) = FIELDS.iter().find(|(f, _, _)| f == name) else {
            return Err(ApiError::malformed(&format!(
                "unknown field {name:?}; the fields are {}",
                field_list()
            )));
        };
        if seen.contains(&field) {
            return Err(ApiError::malformed(&format!(
                "field {field:?} appears twice"
            )));
        }
        seen.push(field);
        if *value == Value::Null {
            continue;
        }
        let text = field_text(field, value)?;
        if field == "identifier" {
            positional(&mut args, text, deployment)?;
            continue;
        }
        allow_reserved_given |= field == "allowReserved";
        if !(field == "allowReserved" && text.is_empty()) {
            args.push(option.to_string());
            args.push(text);
        }
    }
    if !allow_reserved_given && deployment.blocks().next().is_some() {
        args.push("--allow-reserved".to_string());
        args.push(block_list(deployment));
    }
    args.push("--json".to_string());
    Ok(args)
}

/// Puts the identifier right after the subcommand, where `parse_args` expects it; one that
/// would read as an option or as `help` gets the identifier parser's reason instead.
fn positional(
    args: &mut Vec<String>,
    identifier: String,
    deployment: &AllowList,
) -> Result<(), ApiError> {
    if identifier.starts_with('-') || identifier == "help" {
        let reason = parse_identifier(&identifier, deployment)
            .err()
            .unwrap_or_else(|| format!("{identifier:?} is not an identifier"));
        return Err(ApiError::malformed(&reason));
    }
    args.insert(1, identifier);
    Ok(())
}

/// A field's value as the command line's text.
fn field_text(field: &str, value: &Value) -> Result<String, ApiError> {
    match (field, value) {
        (_, Value::String(text)) => Ok(text.clone()),
        ("connectTimeout" | "deadline", Value::Number(ms))
            if ms.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ok(format!("{ms}ms"))
        }
        ("allowReserved", Value::Array(items)) => {
            let mut blocks = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(block) if !block.contains(',') => blocks.push(block.as_str()),
                    Value::String(block) => {
                        return Err(ApiError::malformed(&format!(
                            "allowReserved: one CIDR block per item, not {block:?}"
                        )))
                    }
                    other => {
                        return Err(ApiError::malformed(&format!(
                            "allowReserved: each item must be one CIDR block as a string, not {}",
                            other.kind()
                        )))
                    }
                }
            }
            Ok(blocks.join(","))
        }
        ("connectTimeout" | "deadline", other) => Err(ApiError::malformed(&format!(
            "{field} must be a duration string such as \"10s\" or whole milliseconds, not {}",
            other.kind()
        ))),
        (_, other) => Err(ApiError::malformed(&format!(
            "{field} must be a string, not {}",
            other.kind()
        ))),
    }
}

/// Refuses reserved space the deployment does not treat as public: allow-list blocks outside
/// the deployment's, and a resolver in reserved space.
fn within_deployment(invocation: &Invocation, deployment: &AllowList) -> Result<(), ApiError> {
    let allowed = &invocation.options.allow_reserved;
    for (network, bits) in allowed.blocks() {
        let covered = deployment
            .blocks()
            .any(|(outer, outer_bits)| outer_bits <= bits && in_block(outer, outer_bits, network));
        if !covered {
            return Err(ApiError::new(
                403,
                "unauthorized",
                &format!(
                    "allowReserved: {network}/{bits} is reserved address space this deployment does not allow{}",
                    allowed_suffix(deployment)
                ),
            ));
        }
    }
    if let Some(resolver) = invocation.resolver {
        if let Err(why) = reserved::check(resolver.ip(), allowed) {
            return Err(ApiError::new(
                403,
                "unauthorized",
                &format!(
                    "resolver {}: {why}; this deployment does not allow it",
                    resolver.ip()
                ),
            ));
        }
    }
    Ok(())
}

/// Whether `address` lies in `network/bits` (same family, first `bits` bits equal).
fn in_block(network: IpAddr, bits: u8, address: IpAddr) -> bool {
    let (network, address, width) = match (network, address) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            (u128::from(u32::from(n)), u128::from(u32::from(a)), 32u32)
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => (u128::from(n), u128::from(a), 128u32),
        _ => return false,
    };
    let shift = width.saturating_sub(u32::from(bits));
    network.checked_shr(shift).unwrap_or(0) == address.checked_shr(shift).unwrap_or(0)
}

fn allowed_suffix(deployment: &AllowList) -> String {
    if deployment.blocks().next().is_none() {
        return " (it allows none)".to_string();
    }
    format!(" (it allows {})", block_list(deployment))
}

/// `198.51.100.0/24,2001:db8::/32`, the form `--allow-reserved` takes.
fn block_list(list: &AllowList) -> String {
    let blocks: Vec<String> = list.blocks().map(|(n, b)| format!("{n}/{b}")).collect();
    blocks.join(",")
}

fn field_list() -> String {
    let names: Vec<&str> = FIELDS.iter().map(|(name, _, _)| *name).collect();
    names.join(", ")
}

/// A `parse_args` message in the API's words: field names for options.
fn field_names(message: &str) -> String {
    let mut text = message.replace("; see --help", "");
    text = text.replace(" <TOKEN>", "").replace(" <KEYAUTH>", "");
    text = text.replace("<identifier>", "identifier");
    for (field, option, _) in FIELDS.iter().filter(|(_, option, _)| !option.is_empty()) {
        text = text.replace(option, field);
    }
    text
}

#[cfg(test)]
mod tests;
