// The checker component, transpiled by jco (`gen/`), behind a small API that tells the
// export's own error results apart from traps.
//
// `gen/` is made by `npm run build` (jco transpile --instantiation sync): its `instantiate`
// takes the core modules as compiled `WebAssembly.Module`s, which every runtime can supply
// (Node and Deno compile the files; workerd imports them as modules: it may not compile Wasm
// at run time). Exports are synchronous: the component is sans-IO, so no JSPI is needed and
// Node 20 runs it.

import { instantiate } from '../gen/acme-preflight.js';
import { CORE_MODULES } from '../gen/modules.js';
import { wasiImports } from './wasi.js';

export { CORE_MODULES };

/** The component failed (it panicked or a call trapped); `stderr` is what it printed. */
export class Trap extends Error {
  constructor(cause, stderr) {
    const text = stderr.trim();
    const what = cause instanceof Error ? cause.message : String(cause);
    super(text ? `the checker component failed:\n${text}\n${what}` : `the checker component failed: ${what}`);
    this.name = 'Trap';
    this.cause = cause;
  }
}

/** The compiled component: instantiate it once per session (instances share nothing). */
export class Checker {
  /** @param {Record<string, WebAssembly.Module>} modules the core modules by file name */
  constructor(modules) {
    for (const name of CORE_MODULES) {
      if (!(modules[name] instanceof WebAssembly.Module)) {
        throw new Error(`core module ${name} is missing`);
      }
    }
    this.modules = modules;
  }

  /** Compiles the core modules from their bytes (Node, Deno). */
  static fromBytes(read) {
    const modules = {};
    for (const name of CORE_MODULES) {
      modules[name] = new WebAssembly.Module(read(name));
    }
    return new Checker(modules);
  }

  /** A fresh instance. */
  instantiate() {
    const wasi = wasiImports();
    const exports = instantiate((name) => this.modules[name], wasi.imports);
    return new Instance(exports, wasi.stderr);
  }
}

/**
 * One instance. Each method calls the export of the same name and returns `{ok}` or `{err}`
 * for the export's result; a trap throws `Trap`.
 */
export class Instance {
  constructor(exports, stderr) {
    this.cli = exports.cli;
    this.checker = exports.checker;
    this.stderr = stderr;
  }

  parseArgs(args, resolvConf) {
    return this.#call(() => this.cli.parseArgs(args, resolvConf ?? undefined));
  }

  parseRequest(path, body, deploymentAllowReserved) {
    return this.#call(() => this.cli.parseRequest(path, body, deploymentAllowReserved));
  }

  start(job, options) {
    return this.#call(() => this.checker.Session.start(job, options));
  }

  step(session, nowMs, completions) {
    return this.#call(() => session.step(BigInt(nowMs), completions));
  }

  activity(session) {
    return this.#call(() => session.activity()).ok;
  }

  render(report, format, color) {
    return this.#call(() => this.cli.render(report, format, color)).ok;
  }

  exitCode(report) {
    return this.#call(() => this.cli.exitCode(report)).ok;
  }

  /** Drops a session resource; a failure changes nothing for the caller. */
  dropSession(session) {
    try {
      const dispose = session[Symbol.dispose] ?? session[Symbol.for('dispose')];
      dispose?.call(session);
    } catch {
      // The instance is discarded after the session anyway.
    }
  }

  // jco (with --no-component-error-wrapping) throws an `err` payload as it is: a string,
  // record or variant object; traps and glue failures are `Error`s.
  #call(fn) {
    let value;
    try {
      value = fn();
    } catch (e) {
      if (e instanceof Error) {
        throw new Trap(e, this.stderr());
      }
      return { err: e };
    }
    return { ok: value };
  }
}
