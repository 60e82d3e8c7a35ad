// Deno's I/O for the driver: Deno.connect with abort signals for TCP, Deno.listenDatagram
// (needs --unstable-net) for DNS datagrams. Errors map to the WIT variants as in the wasmtime
// host; Deno's errors carry the POSIX code.
//
// Limit: Deno's datagram sockets cannot be connected, so an ICMP "port unreachable" from the
// resolver is not seen: where the wasmtime and Node hosts report a network error at once, the
// Deno host waits for the exchange's timeout.

import { ByteQueue, err, framed, ipText, ok, withTimeout } from '../bytes.js';

const DIAL_ERRORS = {
  ETIMEDOUT: { tag: 'timeout' },
  ECONNREFUSED: { tag: 'refused' },
  ENETUNREACH: { tag: 'network-unreachable' },
  EHOSTUNREACH: { tag: 'host-unreachable' },
};

const STREAM_ERRORS = {
  ETIMEDOUT: { tag: 'timeout' },
  ECONNRESET: { tag: 'reset' },
  EPIPE: { tag: 'reset' },
  ENOTCONN: { tag: 'closed' },
};

/** The most bytes one read takes from the socket. */
const READ_CHUNK = 64 * 1024;

/** The backend object the driver takes. */
export function denoBackend() {
  return { dnsExchange, connect };
}

async function dnsExchange({ resolver, transport, message, timeoutMs }) {
  if (!resolver) {
    return err({ tag: 'other', val: 'no DNS resolver: pass --resolver or provide /etc/resolv.conf' });
  }
  const abort = new AbortController();
  const work = transport === 'datagram' ? datagram(resolver, message, abort.signal) : byteStream(resolver, message, abort.signal);
  return withTimeout(work, timeoutMs, () => err({ tag: 'timeout' })).finally(() => abort.abort());
}

/** One datagram each way; answers from any other address are ignored. */
async function datagram(resolver, message, signal) {
  const hostname = ipText(resolver.address);
  let socket;
  try {
    socket = Deno.listenDatagram({ hostname: resolver.address.tag === 'ipv6' ? '::' : '0.0.0.0', port: 0, transport: 'udp' });
  } catch (e) {
    return err({ tag: 'network', val: e.message });
  }
  signal.addEventListener('abort', () => close(socket));
  try {
    await socket.send(message, { hostname, port: resolver.port, transport: 'udp' });
    for (;;) {
      const [answer, from] = await socket.receive();
      if (from.port === resolver.port && sameHost(from.hostname, hostname)) return ok(answer);
    }
  } catch (e) {
    return err({ tag: 'network', val: e.message });
  } finally {
    close(socket);
  }
}

/** One TCP connection carrying the query and its answer, each behind a two-byte length. */
async function byteStream(resolver, message, signal) {
  const query = framed(message);
  if (!query) return err({ tag: 'other', val: `DNS query of ${message.length} bytes is longer than 65535` });
  let conn;
  try {
    conn = await Deno.connect({ hostname: ipText(resolver.address), port: resolver.port, signal });
    signal.addEventListener('abort', () => close(conn));
    await writeAll(conn, query);
    const prefix = await readExactly(conn, 2);
    return ok(await readExactly(conn, (prefix[0] << 8) | prefix[1]));
  } catch (e) {
    return err({ tag: 'network', val: e.message });
  } finally {
    if (conn) close(conn);
  }
}

/** Opens a TCP connection to exactly `address` within `timeoutMs`. */
async function connect({ address, timeoutMs, signal }) {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const conn = await Deno.connect({
      hostname: ipText(address.address),
      port: address.port,
      transport: 'tcp',
      signal: AbortSignal.any([timeout, signal]),
    });
    return ok(new Connection(conn));
  } catch (e) {
    if (timeout.aborted) return err({ tag: 'timeout' });
    return err(DIAL_ERRORS[e.code] ?? { tag: 'other', val: e.message });
  }
}

/** An open connection: a pump fills the read buffer, pausing while it is full. */
class Connection {
  constructor(conn) {
    this.conn = conn;
    this.queue = new ByteQueue({ resume: () => this.#wakePump?.() });
    this.writing = Promise.resolve();
    this.#pump();
  }

  #wakePump = null;

  async #pump() {
    try {
      for (;;) {
        if (this.queue.full) {
          await new Promise((resolve) => (this.#wakePump = resolve));
          this.#wakePump = null;
        }
        const buffer = new Uint8Array(READ_CHUNK);
        const n = await this.conn.read(buffer);
        if (n === null) return this.queue.end();
        this.queue.push(buffer.slice(0, n));
      }
    } catch (e) {
      this.queue.fail(e instanceof Deno.errors.BadResource ? { tag: 'closed' } : streamError(e));
    }
  }

  send(data, timeoutMs) {
    // Sends run one after another, each whole.
    const written = this.writing.then(() => writeAll(this.conn, data)).then(
      () => ok(undefined),
      (e) => err(e instanceof Deno.errors.BadResource ? { tag: 'closed' } : streamError(e)),
    );
    this.writing = written;
    return withTimeout(written, timeoutMs, () => err({ tag: 'timeout' }));
  }

  receive(maxBytes, timeoutMs) {
    return this.queue.take(maxBytes, timeoutMs);
  }

  close() {
    this.queue.close();
    close(this.conn);
  }
}

async function writeAll(conn, data) {
  let written = 0;
  while (written < data.length) {
    written += await conn.write(data.subarray(written));
  }
}

async function readExactly(conn, length) {
  const out = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const n = await conn.read(out.subarray(filled));
    if (n === null) throw new Error('the resolver closed the connection early');
    filled += n;
  }
  return out;
}

function streamError(e) {
  return STREAM_ERRORS[e.code] ?? { tag: 'other', val: e.message };
}

function close(resource) {
  try {
    resource.close();
  } catch {
    // Already closed.
  }
}

/** Whether two address texts name the same IP (Deno prints IPv6 compressed). */
function sameHost(a, b) {
  return normalize(a) === normalize(b);
}

function normalize(text) {
  if (!text.includes(':')) return text;
  const [head, tail = ''] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = text.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return groups.map((g) => parseInt(g, 16).toString(16)).join(':');
}
