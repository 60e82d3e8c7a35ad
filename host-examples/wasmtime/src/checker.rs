//! Loading the component and calling its exports.

use std::path::Path;

use wasmtime::component::{Component, Linker, ResourceAny};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{ResourceTable, WasiCtx, WasiCtxView, WasiView};

use crate::bindings::{CheckerComponent, CheckerComponentPre};
use crate::cache::{self, Cache};
use crate::{
    ApiError, ApiMisuse, Cidr, Command, Completion, Invocation, Job, Options, OutputFormat,
    Progress, ValidationReport,
};

/// How much of the component's standard error (its panic messages) an [`Instance`] keeps.
const STDERR_CAPACITY: usize = 64 * 1024;

/// The compiled component, ready to instantiate any number of times.
///
/// Compilation (or loading the precompiled artifact) happens once in [`Checker::load`];
/// [`Checker::instantiate`] only allocates a store and runs the component's start-up code.
pub struct Checker {
    engine: Engine,
    pre: CheckerComponentPre<HostState>,
}

impl Checker {
    /// Compiles the component bytes, or loads them precompiled from `cache`, and links the
    /// WASI interfaces that Rust's standard library imports.
    pub fn load(wasm: &[u8], cache: &Cache) -> wasmtime::Result<Self> {
        let engine = Engine::new(&Config::new())?;
        let component = cache::component(&engine, wasm, cache)?;
        Self::link(engine, &component)
    }

    /// [`Checker::load`] for a file.
    pub fn load_file(path: &Path, cache: &Cache) -> wasmtime::Result<Self> {
        let wasm = std::fs::read(path)
            .map_err(|e| wasmtime::format_err!("cannot read {}: {e}", path.display()))?;
        Self::load(&wasm, cache)
    }

    /// A fresh instance with its own store. Instances share nothing: use one per session.
    pub fn instantiate(&self) -> wasmtime::Result<Instance> {
        let stderr = MemoryOutputPipe::new(STDERR_CAPACITY);
        let wasi = WasiCtx::builder()
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        let state = HostState {
            wasi,
            table: ResourceTable::new(),
        };
        let mut store = Store::new(&self.engine, state);
        let exports = self.pre.instantiate(&mut store)?;
        Ok(Instance {
            store,
            exports,
            stderr,
        })
    }

    /// Resolves every import of `component` ahead of instantiation.
    fn link(engine: Engine, component: &Component) -> wasmtime::Result<Self> {
        let mut linker = Linker::<HostState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        let pre = CheckerComponentPre::new(linker.instantiate_pre(component)?)?;
        Ok(Checker { engine, pre })
    }
}

/// The store data: an empty WASI context (no network, no files, no inherited streams).
struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// One instance of the component. Each method calls the export of the same name; the outer
/// `Result` is a trap (a bug in the component), the inner one the export's own result.
pub struct Instance {
    store: Store<HostState>,
    exports: CheckerComponent,
    stderr: MemoryOutputPipe,
}

/// A `session` resource of an [`Instance`]. Pass it back to [`Instance::drop_session`].
#[derive(Debug)]
pub struct Session(ResourceAny);

impl Instance {
    /// `cli.parse-args`: the command line (without the program name) and /etc/resolv.conf.
    pub fn parse_args(
        &mut self,
        args: &[String],
        resolv_conf: Option<&str>,
    ) -> wasmtime::Result<Result<Command, String>> {
        self.exports.acme_preflight_checker_cli().call_parse_args(
            &mut self.store,
            args,
            resolv_conf,
        )
    }

    /// `cli.parse-request`: an HTTP API request, with the reserved blocks the deployment allows.
    pub fn parse_request(
        &mut self,
        path: &str,
        body: &str,
        deployment_allow_reserved: &[Cidr],
    ) -> wasmtime::Result<Result<Invocation, ApiError>> {
        self.exports
            .acme_preflight_checker_cli()
            .call_parse_request(&mut self.store, path, body, deployment_allow_reserved)
    }

    /// `checker.default-options`: Let's Encrypt's settings, with a zero seed.
    pub fn default_options(&mut self) -> wasmtime::Result<Options> {
        self.exports
            .acme_preflight_checker_checker()
            .call_default_options(&mut self.store)
    }

    /// `session.start`.
    pub fn start(
        &mut self,
        job: &Job,
        options: &Options,
    ) -> wasmtime::Result<Result<Session, String>> {
        let exports = self.exports.acme_preflight_checker_checker().session();
        let started = exports.call_start(&mut self.store, job, options)?;
        Ok(started.map(Session))
    }

    /// `session.step`.
    pub fn step(
        &mut self,
        session: &Session,
        now_ms: u64,
        completions: &[Completion],
    ) -> wasmtime::Result<Result<Progress, ApiMisuse>> {
        let exports = self.exports.acme_preflight_checker_checker().session();
        exports.call_step(&mut self.store, session.0, now_ms, completions)
    }

    /// `session.activity`.
    pub fn activity(&mut self, session: &Session) -> wasmtime::Result<String> {
        let exports = self.exports.acme_preflight_checker_checker().session();
        exports.call_activity(&mut self.store, session.0)
    }

    /// Drops the session resource inside the component.
    pub fn drop_session(&mut self, session: Session) -> wasmtime::Result<()> {
        session.0.resource_drop(&mut self.store)
    }

    /// `cli.render`.
    pub fn render(
        &mut self,
        report: &ValidationReport,
        format: OutputFormat,
        color: bool,
    ) -> wasmtime::Result<String> {
        let exports = self.exports.acme_preflight_checker_cli();
        exports.call_render(&mut self.store, report, format, color)
    }

    /// `cli.exit-code`.
    pub fn exit_code(&mut self, report: &ValidationReport) -> wasmtime::Result<u8> {
        let exports = self.exports.acme_preflight_checker_cli();
        exports.call_exit_code(&mut self.store, report)
    }

    /// What the component wrote to standard error (a panic message, usually), lossily decoded.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.contents()).into_owned()
    }
}
