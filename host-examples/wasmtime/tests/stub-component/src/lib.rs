//! A stand-in checker component for the host's own tests: it speaks the WIT contract but
//! follows a script chosen by the identifier, so that the tests can make it misbehave in ways
//! the real checker never does. It predicts nothing.
//!
//! - any name: A query (datagram) -> connect to the first A address on port 80 -> GET ->
//!   read to EOF -> close -> sleep 5 ms -> valid when the body is the key authorization
//! - `tc.<name>`: the same with the DNS query over the byte stream
//! - `ip:<a.b.c.d>:<port>`: no DNS; connect there (any port, so no namespace is needed)
//! - `sleep:<ms>`: one sleep, then valid (exercises the progress line)
//! - `panic`: `session.start` panics (a trap)
//! - `reject`: `session.start` fails with a message
//! - `stall`: `step` returns `pending([])` with nothing outstanding
//! - `misuse`: `step` returns `api-misuse`
//! - `reuse`: `step` returns two requests with the same id
//!
//! `parse-args` knows `validate <name>` with `--token`, `--key-authorization`, `--resolver
//! <ipv4>:<port>`, `--allow-reserved <ignored>`, `--json`; `--help`; and `--resolv-conf`,
//! which prints the resolv.conf text the host passed in.
use std::cell::RefCell;

wit_bindgen::generate!({ path: "../../../../wit", world: "checker-component" });

use acme_preflight::checker::io::{
    Completion, Connect, DnsExchange, DnsTransport, Outcome, Receive, Request, RequestKind, Send,
};
use acme_preflight::checker::report::{
    ChallengeStatus, Problem, ProblemType, TraceEvent, ValidationRecord, ValidationReport,
};
use acme_preflight::checker::types::{IpAddress, SocketAddress};
use exports::acme_preflight::checker::checker::{self as ck, ApiMisuse, Job, Options, Progress};
use exports::acme_preflight::checker::cli::{self, Command, Invocation, OutputFormat};

struct Stub;

struct State {
    validation: ck::Validation,
    next_id: u32,
    stage: Stage,
    trace: Vec<TraceEvent>,
    body: Vec<u8>,
    activity: String,
    resolved: Vec<IpAddress>,
}

enum Stage {
    Start,
    Dns(u32),
    Connect(u32, IpAddress, u16),
    Reading {
        conn: u32,
        addr: IpAddress,
        port: u16,
        recv: u32,
        send: Option<u32>,
    },
    Sleeping(u32, Option<(IpAddress, u16)>),
    Done,
}

struct Session(RefCell<State>);

fn default_options() -> Options {
    Options {
        policy: ck::Policy::Boulder,
        connect_timeout_ms: 10_000,
        deadline_ms: 20_000,
        dns_timeout_ms: 1_000,
        dns_tries: 3,
        allow_reserved: vec![],
        user_agent: "stub".into(),
        seed: 0,
    }
}

impl ck::Guest for Stub {
    type Session = Session;
    fn default_options() -> Options {
        default_options()
    }
}

fn ipv4(text: &str) -> Option<IpAddress> {
    let p: Vec<u8> = text
        .split('.')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    (p.len() == 4).then(|| IpAddress::Ipv4((p[0], p[1], p[2], p[3])))
}

fn query(name: &str, seed: u16) -> Vec<u8> {
    let mut q = seed.to_be_bytes().to_vec();
    q.extend_from_slice(&[1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.split('.').filter(|l| !l.is_empty()) {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    q
}

/// Takes A records out of an answer, crudely: every RR with type 1 rdlength 4 after the question.
fn a_records(answer: &[u8], qlen: usize) -> Vec<IpAddress> {
    let mut out = vec![];
    let mut i = qlen;
    while i + 16 <= answer.len() {
        // name as pointer (2 bytes), type, class, ttl, rdlength
        let t = u16::from_be_bytes([answer[i + 2], answer[i + 3]]);
        let len = u16::from_be_bytes([answer[i + 10], answer[i + 11]]) as usize;
        if t == 1 && len == 4 {
            let d = &answer[i + 12..i + 16];
            out.push(IpAddress::Ipv4((d[0], d[1], d[2], d[3])));
        }
        i += 12 + len;
    }
    out
}

impl State {
    fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }
    fn note(&mut self, now: u64, message: String) {
        self.trace.push(TraceEvent {
            at_ms: now,
            message,
        });
    }
    fn report(&self, ok: bool, detail: &str, addr: Option<(IpAddress, u16)>) -> ValidationReport {
        let status = if ok {
            ChallengeStatus::Valid
        } else {
            ChallengeStatus::Invalid
        };
        let json = format!(
            "{{\"type\":\"http-01\",\"status\":\"{}\",\"detail\":\"{}\"}}",
            if ok { "valid" } else { "invalid" },
            detail
        );
        ValidationReport {
            challenge_type: "http-01".into(),
            status,
            error: (!ok).then(|| Problem {
                problem_type: ProblemType::Connection,
                detail: detail.into(),
                status: 400,
            }),
            validation_records: addr
                .map(|(a, p)| {
                    vec![ValidationRecord {
                        url: Some(format!("http://{}/", self.validation.identifier)),
                        hostname: self.validation.identifier.clone(),
                        port: p.to_string(),
                        addresses_resolved: self.resolved.clone(),
                        address_used: Some(a),
                        addresses_tried: vec![],
                    }]
                })
                .unwrap_or_default(),
            trace: self.trace.clone(),
            notes: vec![],
            json,
            diagnosis: None,
        }
    }
}

impl ck::GuestSession for Session {
    fn start(job: Job, _options: Options) -> Result<ck::Session, String> {
        let Job::Validate(validation) = job else {
            return Err("the stub only validates".into());
        };
        if validation.identifier == "panic" {
            panic!("stub asked to panic");
        }
        if validation.identifier == "reject" {
            return Err("stub rejects this job".into());
        }
        Ok(ck::Session::new(Session(RefCell::new(State {
            validation,
            next_id: 0,
            stage: Stage::Start,
            trace: vec![],
            body: vec![],
            activity: "starting".into(),
            resolved: vec![],
        }))))
    }

    fn step(&self, now: u64, completions: Vec<Completion>) -> Result<Progress, ApiMisuse> {
        let mut s = self.0.borrow_mut();
        let name = s.validation.identifier.clone();
        match name.as_str() {
            "stall" => return Ok(Progress::Pending(vec![])),
            "misuse" => return Err(ApiMisuse::TimeWentBackwards),
            "reuse" => {
                let r = |id| Request {
                    id,
                    kind: RequestKind::Sleep(1),
                };
                return Ok(Progress::Pending(vec![r(1), r(1)]));
            }
            _ => {}
        }
        let mut requests = vec![];
        for c in &completions {
            let line = format!("completion {} {:?}", c.id, c.outcome);
            s.note(now, line.chars().take(200).collect());
        }
        let stage = std::mem::replace(&mut s.stage, Stage::Done);
        s.stage = match stage {
            Stage::Start => {
                if let Some(ms) = name.strip_prefix("sleep:") {
                    let id = s.id();
                    s.activity = format!("sleeping {ms} ms");
                    requests.push(Request {
                        id,
                        kind: RequestKind::Sleep(ms.parse().unwrap_or(1)),
                    });
                    Stage::Sleeping(id, None)
                } else if let Some(rest) = name.strip_prefix("ip:") {
                    let (ip, port) = rest.rsplit_once(':').unwrap_or((rest, "80"));
                    let addr = ipv4(ip).unwrap_or(IpAddress::Ipv4((127, 0, 0, 1)));
                    let port = port.parse().unwrap_or(80);
                    let id = s.id();
                    requests.push(connect(id, addr, port));
                    s.activity = format!("connecting to {ip}:{port}");
                    Stage::Connect(id, addr, port)
                } else {
                    let id = s.id();
                    let transport = if name.starts_with("tc.") {
                        DnsTransport::ByteStream
                    } else {
                        DnsTransport::Datagram
                    };
                    requests.push(Request {
                        id,
                        kind: RequestKind::DnsExchange(DnsExchange {
                            transport,
                            message: query(&name, 0x1234),
                            timeout_ms: 1000,
                        }),
                    });
                    s.activity = format!("resolving {name}");
                    Stage::Dns(id)
                }
            }
            Stage::Dns(id) => match completions.iter().find(|c| c.id == id) {
                None => Stage::Dns(id),
                Some(c) => match &c.outcome {
                    Outcome::DnsExchanged(Ok(answer)) => {
                        let qlen = query(&name, 0).len();
                        s.resolved = a_records(answer, qlen);
                        match s.resolved.first().copied() {
                            Some(addr) => {
                                let cid = s.id();
                                requests.push(connect(cid, addr, 80));
                                s.activity = "connecting".into();
                                Stage::Connect(cid, addr, 80)
                            }
                            None => {
                                return Ok(Progress::Done(s.report(false, "no A records", None)))
                            }
                        }
                    }
                    other => {
                        let d = format!("dns failed: {other:?}").replace('"', "'");
                        return Ok(Progress::Done(s.report(false, &d, None)));
                    }
                },
            },
            Stage::Connect(id, addr, port) => match completions.iter().find(|c| c.id == id) {
                None => Stage::Connect(id, addr, port),
                Some(c) => match &c.outcome {
                    Outcome::Connected(Ok(())) => {
                        let send = s.id();
                        let recv = s.id();
                        let get = format!(
                            "GET /.well-known/acme-challenge/{} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                            s.validation.token, name
                        );
                        requests.push(Request {
                            id: send,
                            kind: RequestKind::Send(Send {
                                connection: id,
                                data: get.into_bytes(),
                                timeout_ms: 5000,
                            }),
                        });
                        requests.push(Request {
                            id: recv,
                            kind: RequestKind::Receive(Receive {
                                connection: id,
                                max_bytes: 4096,
                                timeout_ms: 5000,
                            }),
                        });
                        s.activity = "waiting for the response".into();
                        Stage::Reading {
                            conn: id,
                            addr,
                            port,
                            recv,
                            send: Some(send),
                        }
                    }
                    other => {
                        let d = format!("connect failed: {other:?}").replace('"', "'");
                        return Ok(Progress::Done(s.report(false, &d, Some((addr, port)))));
                    }
                },
            },
            Stage::Reading {
                conn,
                addr,
                port,
                recv,
                mut send,
            } => {
                if let Some(c) = send.and_then(|sid| completions.iter().find(|c| c.id == sid)) {
                    if let Outcome::Sent(Err(e)) = &c.outcome {
                        let d = format!("send failed: {e:?}").replace('"', "'");
                        return Ok(Progress::Done(s.report(false, &d, Some((addr, port)))));
                    }
                    send = None;
                }
                match completions.iter().find(|c| c.id == recv) {
                    None => Stage::Reading {
                        conn,
                        addr,
                        port,
                        recv,
                        send,
                    },
                    Some(c) => match &c.outcome {
                        Outcome::Received(Ok(bytes))
                            if !bytes.is_empty() && s.body.len() < 65536 =>
                        {
                            s.body.extend_from_slice(bytes);
                            let recv = s.id();
                            requests.push(Request {
                                id: recv,
                                kind: RequestKind::Receive(Receive {
                                    connection: conn,
                                    max_bytes: 4096,
                                    timeout_ms: 5000,
                                }),
                            });
                            Stage::Reading {
                                conn,
                                addr,
                                port,
                                recv,
                                send,
                            }
                        }
                        Outcome::Received(Ok(_)) => {
                            let close = s.id();
                            requests.push(Request {
                                id: close,
                                kind: RequestKind::Close(conn),
                            });
                            let sleep = s.id();
                            requests.push(Request {
                                id: sleep,
                                kind: RequestKind::Sleep(5),
                            });
                            Stage::Sleeping(sleep, Some((addr, port)))
                        }
                        other => {
                            let d = format!("receive failed: {other:?}").replace('"', "'");
                            return Ok(Progress::Done(s.report(false, &d, Some((addr, port)))));
                        }
                    },
                }
            }
            Stage::Sleeping(id, addr) => {
                if completions.iter().any(|c| c.id == id) {
                    let text = String::from_utf8_lossy(&s.body).into_owned();
                    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
                    let ok = name.starts_with("sleep:")
                        || body.trim_end() == s.validation.key_authorization;
                    let detail = if ok {
                        String::new()
                    } else {
                        format!("body was {:?}", body.chars().take(40).collect::<String>())
                            .replace('"', "'")
                    };
                    return Ok(Progress::Done(s.report(ok, &detail, addr)));
                }
                Stage::Sleeping(id, addr)
            }
            Stage::Done => return Err(ApiMisuse::AlreadyFinished),
        };
        Ok(Progress::Pending(requests))
    }

    fn activity(&self) -> String {
        self.0.borrow().activity.clone()
    }
}

fn connect(id: u32, address: IpAddress, port: u16) -> Request {
    Request {
        id,
        kind: RequestKind::Connect(Connect {
            address: SocketAddress { address, port },
            timeout_ms: 2000,
        }),
    }
}

impl cli::Guest for Stub {
    fn parse_args(args: Vec<String>, resolv_conf: Option<String>) -> Result<Command, String> {
        if args.first().map(String::as_str) == Some("--help") {
            return Ok(Command::Print("stub help".into()));
        }
        if args.first().map(String::as_str) == Some("--resolv-conf") {
            return Ok(Command::Print(resolv_conf.unwrap_or_else(|| "none".into())));
        }
        if args.first().map(String::as_str) != Some("validate") || args.len() < 2 {
            return Err("usage: validate <name> ...".into());
        }
        let mut v = ck::Validation {
            identifier: args[1].clone(),
            token: String::new(),
            key_authorization: String::new(),
            challenge_type: ck::ChallengeType::Http01,
        };
        let mut resolver = None;
        let mut output = OutputFormat::Human;
        let mut i = 2;
        while i < args.len() {
            let next = args.get(i + 1).cloned().unwrap_or_default();
            match args[i].as_str() {
                "--token" => {
                    v.token = next;
                    i += 1
                }
                "--key-authorization" => {
                    v.key_authorization = next;
                    i += 1
                }
                "--allow-reserved" => i += 1,
                "--json" => output = OutputFormat::Json,
                "--resolver" => {
                    let (ip, port) = next.rsplit_once(':').ok_or("bad resolver")?;
                    let address = ipv4(ip).ok_or("bad resolver ip")?;
                    resolver = Some(SocketAddress {
                        address,
                        port: port.parse().map_err(|_| "bad port")?,
                    });
                    i += 1
                }
                other => return Err(format!("unknown argument {other}")),
            }
            i += 1;
        }
        Ok(Command::Run(Invocation {
            job: Job::Validate(v),
            options: default_options(),
            output,
            resolver,
        }))
    }

    fn render(report: ValidationReport, format: OutputFormat, color: bool) -> String {
        match format {
            OutputFormat::Json => report.json,
            OutputFormat::Human => {
                let mut out = format!("{:?} color={color}\n", report.status);
                for t in report.trace {
                    out.push_str(&format!("{:>6} ms  {}\n", t.at_ms, t.message));
                }
                out
            }
        }
    }

    fn exit_code(report: ValidationReport) -> u8 {
        match report.status {
            ChallengeStatus::Valid => 0,
            ChallengeStatus::Invalid => 1,
        }
    }

    fn parse_request(
        _path: String,
        _body: String,
        _deployment_allow_reserved: Vec<ck::Cidr>,
    ) -> Result<Invocation, cli::ApiError> {
        Err(cli::ApiError {
            status: 404,
            body: "stub: no HTTP API".into(),
        })
    }
}

export!(Stub);
