//! The WebAssembly component: the only file that knows about WIT. It converts between the
//! generated types and the plain Rust ones and owns no policy.

use std::cell::RefCell;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

wit_bindgen::generate!({
    world: "checker-component",
    path: "wit",
});

use acme_preflight::checker::io as wit_io;
use acme_preflight::checker::report as wit_report;
use acme_preflight::checker::types::{IpAddress, SocketAddress};
use exports::acme_preflight::checker::checker as wit_checker;
use exports::acme_preflight::checker::cli as wit_cli;

use crate::io::{
    Completion, DialError, DnsTransport, DnsTransportError, Outcome, Request, RequestId,
    StreamError,
};
use crate::job::{ChallengeType, Job, Options, Policy, Validation};
use crate::policy::reserved::AllowList;
use crate::report::{ProblemType, Report, Status};
use crate::session::{ApiMisuse, Session, Step};

mod diagnosis;

struct Component;

export!(Component);

/// A session behind the WIT resource.
pub struct SessionResource(RefCell<Session>);

impl wit_checker::Guest for Component {
    type Session = SessionResource;

    fn default_options() -> wit_checker::Options {
        options_to_wit(&Options::default())
    }
}

impl wit_checker::GuestSession for SessionResource {
    fn start(
        job: wit_checker::Job,
        options: wit_checker::Options,
    ) -> Result<wit_checker::Session, String> {
        let options = options_from_wit(options)?;
        let job = job_from_wit(job, &options.allow_reserved)?;
        Ok(wit_checker::Session::new(SessionResource(RefCell::new(
            Session::new(job, options),
        ))))
    }

    fn step(
        &self,
        now_ms: u64,
        completions: Vec<wit_io::Completion>,
    ) -> Result<wit_checker::Progress, wit_checker::ApiMisuse> {
        let completions = completions.into_iter().map(completion_from_wit).collect();
        let step = self
            .0
            .borrow_mut()
            .step(now_ms, completions)
            .map_err(misuse_to_wit)?;
        Ok(match step {
            Step::Pending(requests) => wit_checker::Progress::Pending(
                requests
                    .into_iter()
                    .map(|o| wit_io::Request {
                        id: o.id.0,
                        kind: request_to_wit(o.request),
                    })
                    .collect(),
            ),
            Step::Done(report) => wit_checker::Progress::Done(report_to_wit(&report)),
        })
    }

    fn activity(&self) -> String {
        self.0.borrow().activity()
    }
}

impl wit_cli::Guest for Component {
    fn parse_args(
        args: Vec<String>,
        resolv_conf: Option<String>,
    ) -> Result<wit_cli::Command, String> {
        Ok(
            match crate::cli::parse_args(&args, resolv_conf.as_deref())? {
                crate::cli::Command::Print(text) => wit_cli::Command::Print(text),
                crate::cli::Command::Run(invocation) => {
                    wit_cli::Command::Run(wit_cli::Invocation {
                        job: job_to_wit(&invocation.job),
                        options: options_to_wit(&invocation.options),
                        output: format_to_wit(invocation.output),
                        resolver: invocation.resolver.map(socket_to_wit),
                    })
                }
            },
        )
    }

    fn render(
        report: wit_report::ValidationReport,
        format: wit_cli::OutputFormat,
        color: bool,
    ) -> String {
        match report_from_wit(report) {
            Some(report) => crate::cli::render(&report, format_from_wit(format), color),
            None => {
                "acme-preflight: the report passed in is not one this component made\n".to_string()
            }
        }
    }

    fn exit_code(report: wit_report::ValidationReport) -> u8 {
        report_from_wit(report).map_or(3, |report| crate::cli::exit_code(&report))
    }

    fn parse_request(
        path: String,
        body: String,
        deployment_allow_reserved: Vec<wit_checker::Cidr>,
    ) -> Result<wit_cli::Invocation, wit_cli::ApiError> {
        api_parse_request(&path, &body, deployment_allow_reserved).map_err(|error| {
            wit_cli::ApiError {
                status: error.status,
                body: error.body,
            }
        })
    }
}

fn ip_to_wit(address: IpAddr) -> IpAddress {
    match address {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            IpAddress::Ipv4((a, b, c, d))
        }
        IpAddr::V6(v6) => {
            let [a, b, c, d, e, f, g, h] = v6.segments();
            IpAddress::Ipv6((a, b, c, d, e, f, g, h))
        }
    }
}

fn ip_from_wit(address: IpAddress) -> IpAddr {
    match address {
        IpAddress::Ipv4((a, b, c, d)) => IpAddr::V4(Ipv4Addr::new(a, b, c, d)),
        IpAddress::Ipv6((a, b, c, d, e, f, g, h)) => {
            IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h))
        }
    }
}

fn socket_to_wit(address: SocketAddr) -> SocketAddress {
    SocketAddress {
        address: ip_to_wit(address.ip()),
        port: address.port(),
    }
}

fn request_to_wit(request: Request) -> wit_io::RequestKind {
    match request {
        Request::ExchangeDns {
            transport,
            message,
            timeout_ms,
        } => wit_io::RequestKind::DnsExchange(wit_io::DnsExchange {
            transport: match transport {
                DnsTransport::Datagram => wit_io::DnsTransport::Datagram,
                DnsTransport::ByteStream => wit_io::DnsTransport::ByteStream,
            },
            message,
            timeout_ms,
        }),
        Request::Connect {
            address,
            timeout_ms,
        } => wit_io::RequestKind::Connect(wit_io::Connect {
            address: socket_to_wit(address),
            timeout_ms,
        }),
        Request::Send {
            connection,
            data,
            timeout_ms,
        } => wit_io::RequestKind::Send(wit_io::Send {
            connection: connection.0,
            data,
            timeout_ms,
        }),
        Request::Receive {
            connection,
            max_bytes,
            timeout_ms,
        } => wit_io::RequestKind::Receive(wit_io::Receive {
            connection: connection.0,
            max_bytes,
            timeout_ms,
        }),
        Request::Close { connection } => wit_io::RequestKind::Close(connection.0),
        Request::Sleep { duration_ms } => wit_io::RequestKind::Sleep(duration_ms),
    }
}

fn completion_from_wit(completion: wit_io::Completion) -> Completion {
    let outcome = match completion.outcome {
        wit_io::Outcome::DnsExchanged(result) => {
            Outcome::DnsExchanged(result.map_err(|e| match e {
                wit_io::DnsTransportError::Timeout => DnsTransportError::Timeout,
                wit_io::DnsTransportError::Network(text) => DnsTransportError::Network(text),
                wit_io::DnsTransportError::Other(text) => DnsTransportError::Other(text),
            }))
        }
        wit_io::Outcome::Connected(result) => Outcome::Connected(result.map_err(|e| match e {
            wit_io::DialError::Timeout => DialError::Timeout,
            wit_io::DialError::Refused => DialError::Refused,
            wit_io::DialError::NetworkUnreachable => DialError::NetworkUnreachable,
            wit_io::DialError::HostUnreachable => DialError::HostUnreachable,
            wit_io::DialError::Unclassified(text) => DialError::Unclassified(text),
            wit_io::DialError::Other(text) => DialError::Other(text),
        })),
        wit_io::Outcome::Sent(result) => Outcome::Sent(result.map_err(stream_error_from_wit)),
        wit_io::Outcome::Received(result) => {
            Outcome::Received(result.map_err(stream_error_from_wit))
        }
        wit_io::Outcome::Slept => Outcome::Slept,
    };
    Completion {
        id: RequestId(completion.id),
        outcome,
    }
}

fn stream_error_from_wit(error: wit_io::StreamError) -> StreamError {
    match error {
        wit_io::StreamError::Timeout => StreamError::Timeout,
        wit_io::StreamError::Reset => StreamError::Reset,
        wit_io::StreamError::Closed => StreamError::Closed,
        wit_io::StreamError::Other(text) => StreamError::Other(text),
    }
}

fn misuse_to_wit(misuse: ApiMisuse) -> wit_checker::ApiMisuse {
    match misuse {
        ApiMisuse::UnknownRequest(id) => wit_checker::ApiMisuse::UnknownRequest(id.0),
        ApiMisuse::MismatchedOutcome(id) => wit_checker::ApiMisuse::MismatchedOutcome(id.0),
        ApiMisuse::CompletedClose(id) => wit_checker::ApiMisuse::CompletedClose(id.0),
        ApiMisuse::TimeWentBackwards => wit_checker::ApiMisuse::TimeWentBackwards,
        ApiMisuse::AlreadyFinished => wit_checker::ApiMisuse::AlreadyFinished,
    }
}

fn job_from_wit(job: wit_checker::Job, allow: &AllowList) -> Result<Job, String> {
    let validation = match job {
        wit_checker::Job::Validate(validation) => validation,
        wit_checker::Job::Diagnose(request) => return diagnosis::job_from_wit(request, allow),
    };
    let identifier = crate::cli::parse_identifier(&validation.identifier, allow)?;
    Ok(Job::Validate(Validation {
        identifier,
        token: validation.token,
        key_authorization: validation.key_authorization,
        challenge: match validation.challenge_type {
            wit_checker::ChallengeType::Http01 => ChallengeType::Http01,
            wit_checker::ChallengeType::TlsAlpn01 => ChallengeType::TlsAlpn01,
        },
    }))
}

fn job_to_wit(job: &Job) -> wit_checker::Job {
    let validation = match job {
        Job::Validate(validation) => validation,
        Job::Diagnose(diagnose) => return diagnosis::job_to_wit(diagnose),
    };
    wit_checker::Job::Validate(wit_checker::Validation {
        identifier: validation.identifier.host(),
        token: validation.token.clone(),
        key_authorization: validation.key_authorization.clone(),
        challenge_type: match validation.challenge {
            ChallengeType::Http01 => wit_checker::ChallengeType::Http01,
            ChallengeType::TlsAlpn01 => wit_checker::ChallengeType::TlsAlpn01,
        },
    })
}

fn options_from_wit(options: wit_checker::Options) -> Result<Options, String> {
    let blocks = options
        .allow_reserved
        .into_iter()
        .map(|cidr| (ip_from_wit(cidr.address), cidr.prefix_length));
    Ok(Options {
        policy: match options.policy {
            wit_checker::Policy::Boulder => Policy::Boulder,
            wit_checker::Policy::BoulderPr8905 => Policy::BoulderPr8905,
        },
        connect_timeout_ms: options.connect_timeout_ms,
        deadline_ms: options.deadline_ms,
        dns_timeout_ms: options.dns_timeout_ms,
        dns_tries: options.dns_tries,
        allow_reserved: AllowList::from_blocks(blocks).map_err(|e| e.to_string())?,
        user_agent: options.user_agent,
        seed: options.seed,
    })
}

fn options_to_wit(options: &Options) -> wit_checker::Options {
    wit_checker::Options {
        policy: match options.policy {
            Policy::Boulder => wit_checker::Policy::Boulder,
            Policy::BoulderPr8905 => wit_checker::Policy::BoulderPr8905,
        },
        connect_timeout_ms: options.connect_timeout_ms,
        deadline_ms: options.deadline_ms,
        dns_timeout_ms: options.dns_timeout_ms,
        dns_tries: options.dns_tries,
        allow_reserved: options
            .allow_reserved
            .blocks()
            .map(|(address, prefix_length)| wit_checker::Cidr {
                address: ip_to_wit(address),
                prefix_length,
            })
            .collect(),
        user_agent: options.user_agent.clone(),
        seed: options.seed,
    }
}

fn format_to_wit(format: crate::cli::OutputFormat) -> wit_cli::OutputFormat {
    match format {
        crate::cli::OutputFormat::Human => wit_cli::OutputFormat::Human,
        crate::cli::OutputFormat::Json => wit_cli::OutputFormat::Json,
    }
}

fn format_from_wit(format: wit_cli::OutputFormat) -> crate::cli::OutputFormat {
    match format {
        wit_cli::OutputFormat::Human => crate::cli::OutputFormat::Human,
        wit_cli::OutputFormat::Json => crate::cli::OutputFormat::Json,
    }
}

fn problem_type_to_wit(problem_type: ProblemType) -> wit_report::ProblemType {
    match problem_type {
        ProblemType::Connection => wit_report::ProblemType::Connection,
        ProblemType::Dns => wit_report::ProblemType::Dns,
        ProblemType::Malformed => wit_report::ProblemType::Malformed,
        ProblemType::Tls => wit_report::ProblemType::Tls,
        ProblemType::Unauthorized => wit_report::ProblemType::Unauthorized,
        ProblemType::Caa => wit_report::ProblemType::Caa,
        ProblemType::ServerInternal => wit_report::ProblemType::ServerInternal,
    }
}

fn problem_type_from_wit(problem_type: wit_report::ProblemType) -> ProblemType {
    match problem_type {
        wit_report::ProblemType::Connection => ProblemType::Connection,
        wit_report::ProblemType::Dns => ProblemType::Dns,
        wit_report::ProblemType::Malformed => ProblemType::Malformed,
        wit_report::ProblemType::Tls => ProblemType::Tls,
        wit_report::ProblemType::Unauthorized => ProblemType::Unauthorized,
        wit_report::ProblemType::Caa => ProblemType::Caa,
        wit_report::ProblemType::ServerInternal => ProblemType::ServerInternal,
    }
}

fn report_to_wit(report: &Report) -> wit_report::ValidationReport {
    wit_report::ValidationReport {
        challenge_type: report.challenge.name().to_string(),
        status: match report.status {
            Status::Valid => wit_report::ChallengeStatus::Valid,
            Status::Invalid => wit_report::ChallengeStatus::Invalid,
        },
        error: report.problem.as_ref().map(|problem| wit_report::Problem {
            problem_type: problem_type_to_wit(problem.problem_type),
            detail: problem.detail.clone(),
            status: problem.problem_type.http_status(),
        }),
        validation_records: report
            .records
            .iter()
            .map(diagnosis::record_to_wit)
            .collect(),
        trace: report
            .trace
            .iter()
            .map(|event| wit_report::TraceEvent {
                at_ms: event.at_ms,
                message: event.message.clone(),
            })
            .collect(),
        notes: report.notes.clone(),
        json: report.to_json(),
        diagnosis: report.diagnosis.as_deref().map(diagnosis::to_wit),
    }
}

/// The plain report back from its WIT form; `None` when a field is out of range.
fn report_from_wit(report: wit_report::ValidationReport) -> Option<Report> {
    let challenge = match report.challenge_type.as_str() {
        "http-01" => ChallengeType::Http01,
        "tls-alpn-01" => ChallengeType::TlsAlpn01,
        _ => return None,
    };
    let records = report
        .validation_records
        .into_iter()
        .map(diagnosis::record_from_wit)
        .collect::<Option<Vec<_>>>()?;
    Some(Report {
        challenge,
        status: match report.status {
            wit_report::ChallengeStatus::Valid => Status::Valid,
            wit_report::ChallengeStatus::Invalid => Status::Invalid,
        },
        problem: report
            .error
            .map(|p| crate::report::Problem::new(problem_type_from_wit(p.problem_type), p.detail)),
        records,
        trace: report
            .trace
            .into_iter()
            .map(|e| crate::report::TraceEvent {
                at_ms: e.at_ms,
                message: e.message,
            })
            .collect(),
        notes: report.notes,
        diagnosis: match report.diagnosis {
            Some(found) => Some(Box::new(diagnosis::from_wit(found)?)),
            None => None,
        },
    })
}

/// `cli.parse-request`: the deployment's blocks checked, then the request parsed by `api`.
fn api_parse_request(
    path: &str,
    body: &str,
    deployment: Vec<wit_checker::Cidr>,
) -> Result<wit_cli::Invocation, crate::api::ApiError> {
    let blocks = deployment
        .into_iter()
        .map(|cidr| (ip_from_wit(cidr.address), cidr.prefix_length));
    let deployment = AllowList::from_blocks(blocks).map_err(|e| {
        crate::api::ApiError::server_internal(&format!("the deployment's allow-reserved: {e}"))
    })?;
    let invocation = crate::api::parse_request(path, body, &deployment)?;
    Ok(wit_cli::Invocation {
        job: job_to_wit(&invocation.job),
        options: options_to_wit(&invocation.options),
        output: format_to_wit(invocation.output),
        resolver: invocation.resolver.map(socket_to_wit),
    })
}
