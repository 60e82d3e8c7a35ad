//! `acme-preflight serve`: the HTTP API (`POST /v1/validate`, `POST /v1/diagnose`) that every
//! server host offers, answering each request with one session and the CLI's JSON.
//!
//! The component parses the request (`cli.parse-request`), so every host accepts, refuses and
//! words errors alike; this file only speaks a minimal HTTP/1.1 (one request per connection,
//! `Content-Length` bodies) and runs sessions on tokio's blocking pool.
//!
//! ```text
//! acme-preflight serve [--listen ADDR:PORT] [--allow-reserved CIDR[,CIDR]] [--resolver IP[:PORT]]
//! ```

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use acme_preflight_host::{
    run_session, std_socket_addr, Checker, Cidr, Command, OutputFormat, Quiet, SessionError,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Where the server listens unless `--listen` says otherwise.
const DEFAULT_LISTEN: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080));

/// The largest body `cli.parse-request` accepts; one byte more is read to let it say 413.
const MAX_BODY: usize = 16 * 1024;

/// The largest request line and headers.
const MAX_HEAD: usize = 8 * 1024;

/// How long a client may take to send its request.
const READ_LIMIT: Duration = Duration::from_secs(10);

/// Sessions running at once; further requests get 503.
const MAX_SESSIONS: usize = 32;

/// The help text of `serve`.
const SERVE_USAGE: &str = "\
Usage: acme-preflight serve [--listen ADDR:PORT] [--allow-reserved CIDR[,CIDR]] [--resolver IP[:PORT]]

  --listen           address and port to listen on (default 127.0.0.1:8080)
  --allow-reserved   reserved blocks this deployment treats as public (test networks only);
                     requests may narrow them, never widen them
  --resolver         DNS resolver for requests that name none (default: /etc/resolv.conf)

POST /v1/validate or /v1/diagnose with a JSON body; see host-examples/edge/README.md.
";

/// The deployment's settings, fixed at start-up.
struct Deployment {
    checker: Checker,
    allow_reserved: Vec<Cidr>,
    resolver: Option<SocketAddr>,
    sessions: AtomicUsize,
}

/// An HTTP response.
struct Response {
    status: u16,
    content_type: &'static str,
    /// `X-Acme-Preflight-Exit`: the CLI's exit code for a report.
    exit_code: Option<u8>,
    body: String,
}

/// Runs the server until the process is killed. Errors are an exit code and a message.
pub(crate) fn run(checker: Checker, args: &[String]) -> Result<u8, (u8, String)> {
    let Some((listen, allow, resolver)) = flags(args)? else {
        print!("{SERVE_USAGE}");
        return Ok(0);
    };
    let (allow_reserved, resolver) = deployment_settings(&checker, allow, resolver)?;
    let deployment = Arc::new(Deployment {
        checker,
        allow_reserved,
        resolver,
        sessions: AtomicUsize::new(0),
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| (3, format!("cannot start the I/O runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(&listen)
            .await
            .map_err(|e| (3, format!("cannot listen on {listen}: {e}")))?;
        let address = listener.local_addr().map_err(|e| (3, e.to_string()))?;
        eprintln!("acme-preflight: listening on http://{address}");
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(connection(stream, Arc::clone(&deployment)));
        }
    })
}

/// `--listen`, `--allow-reserved` and `--resolver`; `None` for `--help`.
type Flags = (SocketAddr, Option<String>, Option<String>);

fn flags(args: &[String]) -> Result<Option<Flags>, (u8, String)> {
    let mut listen = DEFAULT_LISTEN;
    let (mut allow, mut resolver) = (None, None);
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let mut value = || {
            words
                .next()
                .cloned()
                .ok_or_else(|| (2, format!("{word} needs a value")))
        };
        match word.as_str() {
            "-h" | "--help" => return Ok(None),
            "--listen" => {
                let text = value()?;
                listen = text
                    .parse()
                    .map_err(|_| (2, format!("--listen {text}: use ADDR:PORT")))?;
            }
            "--allow-reserved" => allow = Some(value()?),
            "--resolver" => resolver = Some(value()?),
            other => {
                return Err((
                    2,
                    format!("serve: unknown argument {other:?}; see serve --help"),
                ))
            }
        }
    }
    Ok(Some((listen, allow, resolver)))
}

/// The deployment's allow list and resolver, checked by the component's own command-line
/// parser (a stand-in `validate` command carries them), so every host reads them alike.
fn deployment_settings(
    checker: &Checker,
    allow: Option<String>,
    resolver: Option<String>,
) -> Result<(Vec<Cidr>, Option<SocketAddr>), (u8, String)> {
    let mut args: Vec<String> = [
        "validate",
        "example.com",
        "--token",
        "t",
        "--key-authorization",
        "t.t",
    ]
    .map(String::from)
    .to_vec();
    args.extend(
        allow
            .into_iter()
            .flat_map(|a| ["--allow-reserved".to_string(), a]),
    );
    args.extend(
        resolver
            .into_iter()
            .flat_map(|r| ["--resolver".to_string(), r]),
    );
    let mut instance = checker.instantiate().map_err(|e| {
        (
            3,
            format!("cannot instantiate the checker component: {e:#}"),
        )
    })?;
    let resolv_conf = std::fs::read_to_string("/etc/resolv.conf").ok();
    match instance.parse_args(&args, resolv_conf.as_deref()) {
        Ok(Ok(Command::Run(invocation))) => Ok((
            invocation.options.allow_reserved,
            invocation.resolver.as_ref().map(std_socket_addr),
        )),
        Ok(Ok(Command::Print(_))) => Err((2, "serve: unexpected arguments".to_string())),
        Ok(Err(message)) => Err((2, message)),
        Err(error) => Err((3, format!("the checker component failed: {error:#}"))),
    }
}

/// Reads one request, answers it and closes the connection.
async fn connection(mut stream: TcpStream, deployment: Arc<Deployment>) {
    let response = match tokio::time::timeout(READ_LIMIT, read_request(&mut stream)).await {
        Ok(Ok((path, body))) => {
            let deployment = Arc::clone(&deployment);
            tokio::task::spawn_blocking(move || answer(&deployment, &path, &body))
                .await
                .unwrap_or_else(|e| {
                    problem(500, "serverInternal", &format!("host task failed: {e}"))
                })
        }
        Ok(Err(response)) => response,
        Err(_) => problem(408, "malformed", "the request took too long to arrive"),
    };
    let _ = write_response(&mut stream, &response).await;
}

/// The path and body of a POST, or the response that refuses the request.
async fn read_request(stream: &mut TcpStream) -> Result<(String, String), Response> {
    let mut buffer = Vec::with_capacity(1024);
    let head_end = loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end;
        }
        if buffer.len() > MAX_HEAD {
            return Err(problem(431, "malformed", "the request head is too large"));
        }
        let mut chunk = [0; 2048];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return Err(problem(400, "malformed", "the request ended early")),
            Ok(n) => buffer.extend_from_slice(chunk.get(..n).unwrap_or_default()),
        }
    };
    let head = String::from_utf8_lossy(buffer.get(..head_end).unwrap_or_default()).into_owned();
    let (method, path, length) = parse_head(&head)?;
    let path = path.split('?').next().unwrap_or_default().to_string();
    if method != "POST" {
        return Err(problem(
            405,
            "malformed",
            &format!("{method} is not allowed: use POST"),
        ));
    }
    let wanted = length.min(MAX_BODY.saturating_add(1));
    let mut body = buffer
        .get(head_end.saturating_add(4)..)
        .unwrap_or_default()
        .to_vec();
    body.truncate(wanted);
    while body.len() < wanted {
        let mut chunk = vec![0; wanted.saturating_sub(body.len()).min(16 * 1024)];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => {
                return Err(problem(400, "malformed", "the request body ended early"))
            }
            Ok(n) => body.extend_from_slice(chunk.get(..n).unwrap_or_default()),
        }
    }
    Ok((path, String::from_utf8_lossy(&body).into_owned()))
}

/// Method, target and `Content-Length` of a request head.
fn parse_head(head: &str) -> Result<(String, String, usize), Response> {
    let mut lines = head.split("\r\n");
    let line = lines.next().unwrap_or_default();
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(problem(
            400,
            "malformed",
            "the request line is not METHOD PATH HTTP/1.1",
        ));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(problem(400, "malformed", "only HTTP/1.x is spoken here"));
    }
    let mut length = 0;
    for header in lines {
        let Some((name, value)) = header.split_once(':') else {
            return Err(problem(400, "malformed", "a header line has no colon"));
        };
        if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(problem(
                411,
                "malformed",
                "send the body with Content-Length",
            ));
        }
        if name.eq_ignore_ascii_case("content-length") {
            length = value
                .trim()
                .parse()
                .map_err(|_| problem(400, "malformed", "Content-Length is not a number"))?;
        }
    }
    Ok((method.to_string(), target.to_string(), length))
}

/// One request through the component: parse it, run a session, render the report.
fn answer(deployment: &Deployment, path: &str, body: &str) -> Response {
    let running = deployment.sessions.fetch_add(1, Ordering::SeqCst);
    let response = if running >= MAX_SESSIONS {
        problem(
            503,
            "serverInternal",
            "too many validations at once; retry shortly",
        )
    } else {
        session(deployment, path, body)
    };
    deployment.sessions.fetch_sub(1, Ordering::SeqCst);
    response
}

fn session(deployment: &Deployment, path: &str, body: &str) -> Response {
    let failed = |e: &dyn std::fmt::Display| problem(500, "serverInternal", &format!("{e:#}"));
    let mut instance = match deployment.checker.instantiate() {
        Ok(instance) => instance,
        Err(e) => return failed(&e),
    };
    let invocation = match instance.parse_request(path, body, &deployment.allow_reserved) {
        Ok(Ok(invocation)) => invocation,
        Ok(Err(refused)) => {
            return json(
                refused.status,
                "application/problem+json",
                None,
                refused.body,
            )
        }
        Err(e) => return failed(&e),
    };
    let mut options = invocation.options;
    options.seed = match getrandom::u64() {
        Ok(seed) => seed,
        Err(e) => return failed(&e),
    };
    let resolver = invocation
        .resolver
        .as_ref()
        .map(std_socket_addr)
        .or(deployment.resolver);
    let report = match run_session(
        &mut instance,
        &invocation.job,
        &options,
        resolver,
        &mut Quiet,
    ) {
        Ok(report) => report,
        Err(SessionError::Rejected(message)) => return problem(400, "malformed", &message),
        Err(e) => return failed(&e),
    };
    let rendered = instance.render(&report, OutputFormat::Json, false);
    match (rendered, instance.exit_code(&report)) {
        (Ok(text), Ok(code)) => json(200, "application/json", Some(code), text),
        (Err(e), _) | (_, Err(e)) => failed(&e),
    }
}

/// A problem document of the host's own (the component words request errors itself).
fn problem(status: u16, problem_type: &str, detail: &str) -> Response {
    let mut escaped = String::with_capacity(detail.len());
    for c in detail.chars() {
        match c {
            '"' | '\\' => escaped.extend(['\\', c]),
            c if u32::from(c) < 0x20 => escaped.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => escaped.push(c),
        }
    }
    let detail = escaped;
    let body = format!(
        "{{\"type\":\"urn:ietf:params:acme:error:{problem_type}\",\"detail\":\"{detail}\",\"status\":{status}}}"
    );
    json(status, "application/problem+json", None, body)
}

fn json(status: u16, content_type: &'static str, exit_code: Option<u8>, body: String) -> Response {
    Response {
        status,
        content_type,
        exit_code,
        body,
    }
}

async fn write_response(stream: &mut TcpStream, response: &Response) -> std::io::Result<()> {
    let reason = match response.status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    };
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        response.status,
        response.content_type,
        response.body.len()
    );
    if let Some(code) = response.exit_code {
        head.push_str(&format!("X-Acme-Preflight-Exit: {code}\r\n"));
    }
    if response.status == 405 {
        head.push_str("Allow: POST\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(response.body.as_bytes()).await?;
    stream.shutdown().await
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests;
