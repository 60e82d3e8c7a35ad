//! The built component inside wasmtime, as a `Driver`: every scenario runs through it too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;

use ::acme_preflight::io::{
    Completion, DialError, DnsTransport, DnsTransportError, Outbound, Outcome, Request, RequestId,
    StreamError,
};
use ::acme_preflight::report::TraceEvent;
use ::acme_preflight::{
    ChallengeType, Problem, ProblemType, Report, Status, Step, ValidationRecord,
};
use wasmtime::component::{Component, Linker, ResourceAny, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::host::Driver;

mod diagnosis;

/// The WIT bindings, apart from the crate of the same name.
mod wit {
    wasmtime::component::bindgen!({
        world: "checker-component",
        path: "../../wit",
    });
}

use wit::acme_preflight::checker::io as wit_io;
use wit::acme_preflight::checker::report as wit_report;
use wit::acme_preflight::checker::types::IpAddress;
use wit::exports::acme_preflight::checker::checker as wit_checker;
use wit::CheckerComponent;

struct State {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// A compiled component, ready to start sessions.
pub struct ComponentLoader {
    engine: Engine,
    component: Component,
    linker: Linker<State>,
}

impl ComponentLoader {
    /// Compiles the component at `path`.
    pub fn new(path: &Path) -> Result<Self, String> {
        let engine = Engine::default();
        let component = Component::from_file(&engine, path)
            .map_err(|e| format!("{}: {e:#}", path.display()))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(|e| format!("{e:#}"))?;
        Ok(ComponentLoader {
            engine,
            component,
            linker,
        })
    }

    /// The names of the component's imports.
    pub fn imports(&self) -> Vec<String> {
        let component_type = self.component.component_type();
        component_type
            .imports(&self.engine)
            .map(|(name, _)| name.to_string())
            .collect()
    }

    /// A session for a command line (as the CLI would parse it), in a fresh instance.
    pub fn start(&self, args: &[&str]) -> Result<ComponentDriver, String> {
        let state = State {
            ctx: WasiCtx::builder().build(),
            table: ResourceTable::new(),
        };
        let mut store = Store::new(&self.engine, state);
        let bindings = CheckerComponent::instantiate(&mut store, &self.component, &self.linker)
            .map_err(|e| format!("{e:#}"))?;
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let command = bindings
            .acme_preflight_checker_cli()
            .call_parse_args(&mut store, &args, None)
            .map_err(|e| format!("{e:#}"))??;
        let wit::exports::acme_preflight::checker::cli::Command::Run(invocation) = command else {
            return Err("the arguments asked for no session".into());
        };
        let session = bindings
            .acme_preflight_checker_checker()
            .session()
            .call_start(&mut store, &invocation.job, &invocation.options)
            .map_err(|e| format!("{e:#}"))??;
        Ok(ComponentDriver {
            store,
            bindings,
            session,
        })
    }
}

/// One session inside the component.
pub struct ComponentDriver {
    store: Store<State>,
    bindings: CheckerComponent,
    session: ResourceAny,
}

impl Driver for ComponentDriver {
    fn step(&mut self, now_ms: u64, completions: Vec<Completion>) -> Result<Step, String> {
        let completions: Vec<wit_io::Completion> =
            completions.into_iter().map(completion_to_wit).collect();
        let progress = self
            .bindings
            .acme_preflight_checker_checker()
            .session()
            .call_step(&mut self.store, self.session, now_ms, &completions)
            .map_err(|e| format!("trap: {e:#}"))?
            .map_err(|misuse| format!("api misuse: {misuse:?}"))?;
        Ok(match progress {
            wit_checker::Progress::Pending(requests) => {
                Step::Pending(requests.into_iter().map(request_from_wit).collect())
            }
            wit_checker::Progress::Done(report) => Step::Done(report_from_wit(report)),
        })
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

fn request_from_wit(request: wit_io::Request) -> Outbound {
    let request_kind = match request.kind {
        wit_io::RequestKind::DnsExchange(exchange) => Request::ExchangeDns {
            transport: match exchange.transport {
                wit_io::DnsTransport::Datagram => DnsTransport::Datagram,
                wit_io::DnsTransport::ByteStream => DnsTransport::ByteStream,
            },
            message: exchange.message,
            timeout_ms: exchange.timeout_ms,
        },
        wit_io::RequestKind::Connect(connect) => Request::Connect {
            address: SocketAddr::new(ip_from_wit(connect.address.address), connect.address.port),
            timeout_ms: connect.timeout_ms,
        },
        wit_io::RequestKind::Send(send) => Request::Send {
            connection: RequestId(send.connection),
            data: send.data,
            timeout_ms: send.timeout_ms,
        },
        wit_io::RequestKind::Receive(receive) => Request::Receive {
            connection: RequestId(receive.connection),
            max_bytes: receive.max_bytes,
            timeout_ms: receive.timeout_ms,
        },
        wit_io::RequestKind::Close(connection) => Request::Close {
            connection: RequestId(connection),
        },
        wit_io::RequestKind::Sleep(duration_ms) => Request::Sleep { duration_ms },
    };
    Outbound {
        id: RequestId(request.id),
        request: request_kind,
    }
}

fn completion_to_wit(completion: Completion) -> wit_io::Completion {
    let outcome = match completion.outcome {
        Outcome::DnsExchanged(result) => {
            wit_io::Outcome::DnsExchanged(result.map_err(|e| match e {
                DnsTransportError::Timeout => wit_io::DnsTransportError::Timeout,
                DnsTransportError::Network(text) => wit_io::DnsTransportError::Network(text),
                DnsTransportError::Other(text) => wit_io::DnsTransportError::Other(text),
            }))
        }
        Outcome::Connected(result) => wit_io::Outcome::Connected(result.map_err(|e| match e {
            DialError::Timeout => wit_io::DialError::Timeout,
            DialError::Refused => wit_io::DialError::Refused,
            DialError::NetworkUnreachable => wit_io::DialError::NetworkUnreachable,
            DialError::HostUnreachable => wit_io::DialError::HostUnreachable,
            DialError::Unclassified(text) => wit_io::DialError::Unclassified(text),
            DialError::Other(text) => wit_io::DialError::Other(text),
        })),
        Outcome::Sent(result) => wit_io::Outcome::Sent(result.map_err(stream_error_to_wit)),
        Outcome::Received(result) => wit_io::Outcome::Received(result.map_err(stream_error_to_wit)),
        Outcome::Slept => wit_io::Outcome::Slept,
    };
    wit_io::Completion {
        id: completion.id.0,
        outcome,
    }
}

fn stream_error_to_wit(error: StreamError) -> wit_io::StreamError {
    match error {
        StreamError::Timeout => wit_io::StreamError::Timeout,
        StreamError::Reset => wit_io::StreamError::Reset,
        StreamError::Closed => wit_io::StreamError::Closed,
        StreamError::Other(text) => wit_io::StreamError::Other(text),
    }
}

fn problem_type_from_wit(t: wit_report::ProblemType) -> ProblemType {
    match t {
        wit_report::ProblemType::Connection => ProblemType::Connection,
        wit_report::ProblemType::Dns => ProblemType::Dns,
        wit_report::ProblemType::Malformed => ProblemType::Malformed,
        wit_report::ProblemType::Tls => ProblemType::Tls,
        wit_report::ProblemType::Unauthorized => ProblemType::Unauthorized,
        wit_report::ProblemType::Caa => ProblemType::Caa,
        wit_report::ProblemType::ServerInternal => ProblemType::ServerInternal,
    }
}

fn report_from_wit(report: wit_report::ValidationReport) -> Report {
    let problem_type = problem_type_from_wit;
    Report {
        challenge: match report.challenge_type.as_str() {
            "tls-alpn-01" => ChallengeType::TlsAlpn01,
            _ => ChallengeType::Http01,
        },
        status: match report.status {
            wit_report::ChallengeStatus::Valid => Status::Valid,
            wit_report::ChallengeStatus::Invalid => Status::Invalid,
        },
        problem: report
            .error
            .map(|p| Problem::new(problem_type(p.problem_type), p.detail)),
        records: report
            .validation_records
            .into_iter()
            .map(|r| ValidationRecord {
                url: r.url,
                hostname: r.hostname,
                port: r.port.parse().unwrap_or(0),
                addresses_resolved: r.addresses_resolved.into_iter().map(ip_from_wit).collect(),
                address_used: r.address_used.map(ip_from_wit),
                addresses_tried: r.addresses_tried.into_iter().map(ip_from_wit).collect(),
            })
            .collect(),
        trace: report
            .trace
            .into_iter()
            .map(|e| TraceEvent {
                at_ms: e.at_ms,
                message: e.message,
            })
            .collect(),
        notes: report.notes,
        diagnosis: report
            .diagnosis
            .and_then(diagnosis::diagnosis_from_wit)
            .map(Box::new),
    }
}
