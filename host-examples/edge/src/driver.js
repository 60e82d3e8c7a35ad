// The step loop every JavaScript host shares: one session driven to its report, its requests
// performed concurrently by a runtime backend (node.js, deno.js, workerd.js).
//
//            session.step(now-ms, completions)
//   driver ──────────────────────────────────────▶ component
//     ▲  ◀────────────────────────────────────────  │
//     │      pending(requests) | done(report)       │
//     └── backend: DNS exchanges, TCP connects, sends, receives (sleeps are the driver's)
//
// A backend is an object with
//   dnsExchange({resolver, transport, message, timeoutMs}) -> Promise<result<bytes, dns-transport-error>>
//   connect({address, timeoutMs, signal})                  -> Promise<result<Connection, dial-error>>
// and a Connection has send(bytes, timeoutMs), receive(maxBytes, timeoutMs) (promises of WIT
// results) and close(). Backends never reject: every failure is a WIT error value.
// Behaviour follows host-examples/wasmtime/src/{driver,session}.rs.

import { err } from './bytes.js';

/** How long a session runs before the observer hears about its waits. */
const QUIET_START_MS = 1000;
/** How often a long wait wakes to refresh the observer. */
const TICK_MS = 250;
/** How long past the session's deadline the host waits for its report before giving up. */
const GRACE_MS = 30000;

/** Why a session ended without a report (`kind`: rejected, trap, api-misuse, contract, stalled, overtime). */
export class SessionError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = 'SessionError';
    this.kind = kind;
  }
}

/** A random u64 for `options.seed`, from the runtime's cryptographic generator. */
export function randomSeed() {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return (BigInt(words[0]) << 32n) | BigInt(words[1]);
}

/**
 * Runs one session of `job` and returns its report. `resolver` is the socket-address (or,
 * for DNS over HTTPS, whatever the backend takes) that DNS exchanges go to.
 * @param {{waiting(activity: string): void, finished(): void}} [observer]
 */
export async function runSession(instance, job, options, resolver, backend, observer = quiet) {
  const started = instance.start(job, options);
  if ('err' in started) throw new SessionError('rejected', started.err);
  const session = started.ok;
  const io = new Io(backend, resolver);
  try {
    const limitMs = options.deadlineMs + GRACE_MS;
    let completions = [];
    for (;;) {
      const stepped = instance.step(session, io.nowMs(), completions);
      if ('err' in stepped) {
        throw new SessionError('api-misuse', `host bug: the checker reports API misuse: ${JSON.stringify(stepped.err)}`);
      }
      const progress = stepped.ok;
      if (progress.tag === 'done') return progress.val;
      io.submit(progress.val);
      completions = await nextBatch(instance, session, io, limitMs, observer);
    }
  } finally {
    observer.finished();
    io.shutdown();
    instance.dropSession(session);
  }
}

const quiet = { waiting() {}, finished() {} };

async function nextBatch(instance, session, io, limitMs, observer) {
  for (;;) {
    if (io.outstanding() === 0) {
      throw new SessionError('stalled', 'the checker waits, but no request is outstanding');
    }
    const batch = await io.wait(TICK_MS);
    if (batch.length > 0) return batch;
    if (io.nowMs() > limitMs) {
      throw new SessionError('overtime', `the checker did not finish within ${limitMs} ms`);
    }
    if (io.nowMs() >= QUIET_START_MS) observer.waiting(instance.activity(session));
  }
}

/** Performs requests and gathers their completions (`Driver` in the wasmtime host). */
class Io {
  constructor(backend, resolver) {
    this.backend = backend;
    this.resolver = resolver;
    this.live = new Map(); // request id -> {connection, abort}
    this.connections = new Map(); // connect request id -> Connection
    this.ready = []; // {connection, completion}
    this.wake = null;
    this.timers = new Set();
    this.origin = performance.now();
  }

  /** Milliseconds since the session started: the session clock. */
  nowMs() {
    return Math.floor(performance.now() - this.origin);
  }

  outstanding() {
    return this.live.size + this.ready.length;
  }

  submit(requests) {
    for (const request of requests) {
      if (this.live.has(request.id) || this.ready.some((r) => r.completion.id === request.id)) {
        throw new SessionError('contract', `the checker component broke the step contract: the component reused request id ${request.id}`);
      }
      this.#start(request);
    }
  }

  /** Up to `limitMs` for at least one completion, then every completion ready. */
  async wait(limitMs) {
    if (this.ready.length === 0) {
      let timer;
      await new Promise((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, limitMs);
      });
      clearTimeout(timer);
      this.wake = null;
    }
    return this.ready.splice(0).map((r) => r.completion);
  }

  /** Abandons everything: the session is over. */
  shutdown() {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const live of this.live.values()) live.abort.abort();
    this.live.clear();
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
    this.ready = [];
  }

  #start({ id, kind }) {
    const { tag, val } = kind;
    switch (tag) {
      case 'dns-exchange':
        return this.#track(id, null, 'dns-exchanged', () =>
          this.backend.dnsExchange({ resolver: this.resolver, ...val }),
        );
      case 'connect':
        return this.#track(id, id, 'connected', async (signal) => {
          const result = await this.backend.connect({ ...val, signal });
          if (result.tag === 'err') return result;
          if (signal.aborted) {
            result.val.close();
            return result;
          }
          this.connections.set(id, result.val);
          return { tag: 'ok', val: undefined };
        });
      case 'send':
      case 'receive': {
        const connection = this.connections.get(val.connection);
        const outcome = tag === 'send' ? 'sent' : 'received';
        if (!connection) {
          this.#complete(id, val.connection, { tag: outcome, val: err({ tag: 'closed' }) });
          return;
        }
        return this.#track(id, val.connection, outcome, () =>
          tag === 'send' ? connection.send(val.data, val.timeoutMs) : connection.receive(val.maxBytes, val.timeoutMs),
        );
      }
      case 'close':
        return this.#close(val);
      case 'sleep': {
        const abort = new AbortController();
        this.live.set(id, { connection: null, abort });
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.#finish(id, { tag: 'slept' });
        }, val);
        this.timers.add(timer);
        return;
      }
      default:
        throw new SessionError('contract', `the checker component asked for an unknown request ${tag}`);
    }
  }

  /** Runs `work(signal)` and completes request `id` with its result under `outcome`. */
  #track(id, connection, outcome, work) {
    const abort = new AbortController();
    this.live.set(id, { connection, abort });
    Promise.resolve()
      .then(() => work(abort.signal))
      // Every error variant has an `other(string)` case.
      .catch((e) => err({ tag: 'other', val: `host task failed: ${e?.message ?? e}` }))
      .then((result) => {
        if (!abort.signal.aborted) this.#finish(id, { tag: outcome, val: result });
      });
  }

  #finish(id, outcome) {
    const live = this.live.get(id);
    if (!live) return; // abandoned by a close
    this.live.delete(id);
    this.#complete(id, live.connection, outcome);
  }

  #complete(id, connection, outcome) {
    this.ready.push({ connection, completion: { id, outcome } });
    this.wake?.();
  }

  /** Closes a connection and abandons its connect, sends and receives: they get no completion. */
  #close(connection) {
    this.connections.get(connection)?.close();
    this.connections.delete(connection);
    for (const [id, live] of this.live) {
      if (live.connection === connection) {
        live.abort.abort();
        this.live.delete(id);
      }
    }
    this.ready = this.ready.filter((r) => r.connection !== connection);
  }
}
