// The Worker's I/O for the driver: DNS over HTTPS (RFC 8484: the component's wire messages
// POSTed with fetch) for every DNS exchange, and TCP with connect() from cloudflare:sockets.
//
// Limits of the platform, reported as the WIT allows:
// - connect() cannot tell a refused connection from one the platform blocked: every failure
//   to open is `dial-error.unclassified(text)`; a connect that does not open within the
//   request's timeout is `dial-error.timeout` (connect() has no timeout of its own).
// - DNS over HTTPS never truncates, so `byte-stream` exchanges go the same way as datagrams.

import { connect as socketConnect } from 'cloudflare:sockets';

import { ByteQueue, err, ipText, ok, withTimeout } from '../bytes.js';

/** The largest DNS message. */
const MAX_DNS_MESSAGE = 65535;

/** @param {string} dohUrl the resolver's RFC 8484 endpoint */
export function workerdBackend(dohUrl) {
  return {
    dnsExchange: (exchange) => dnsOverHttps(dohUrl, exchange),
    connect,
  };
}

/**
 * One exchange within `timeoutMs`. A fetch that fails outright (a pooled connection the server
 * had just closed, say) is tried once more: the query is idempotent, and the failure is the
 * host's, not the resolver's.
 */
async function dnsOverHttps(url, { message, timeoutMs }) {
  const abort = new AbortController();
  const attempt = (retries) =>
    post(url, message, abort.signal).then((result) =>
      result.tag === 'err' && result.val.tag === 'network' && retries > 0 && !abort.signal.aborted ? attempt(retries - 1) : result,
    );
  return withTimeout(attempt(1), timeoutMs, () => err({ tag: 'timeout' }), () => abort.abort());
}

function post(url, message, signal) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/dns-message', accept: 'application/dns-message' },
    body: message,
    signal,
  }).then(
    async (response) => {
      if (response.status !== 200) {
        response.body?.cancel().catch(() => {});
        return err({ tag: 'other', val: `DNS over HTTPS: HTTP ${response.status} from ${url}` });
      }
      const answer = await readAtMost(response.body, MAX_DNS_MESSAGE);
      if (!answer) return err({ tag: 'other', val: `DNS over HTTPS: answer longer than ${MAX_DNS_MESSAGE} bytes` });
      return ok(answer);
    },
    (e) => err({ tag: 'network', val: `DNS over HTTPS: ${e?.message ?? e}` }),
  ).catch((e) => err({ tag: 'network', val: `DNS over HTTPS: ${e?.message ?? e}` }));
}

/** The whole body if it has at most `limit` bytes, else null. */
async function readAtMost(body, limit) {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const parts = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      reader.cancel().catch(() => {});
      return null;
    }
    parts.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Opens a TCP connection to exactly `address`, racing `opened` against the timeout. */
async function connect({ address, timeoutMs, signal }) {
  const ip = ipText(address.address);
  const hostname = address.address.tag === 'ipv6' ? `[${ip}]` : ip;
  let socket;
  try {
    socket = socketConnect({ hostname, port: address.port }, { allowHalfOpen: true });
  } catch (e) {
    return err({ tag: 'unclassified', val: String(e?.message ?? e) });
  }
  const closeSocket = () => socket.close().catch(() => {});
  signal.addEventListener('abort', closeSocket);
  const opened = socket.opened.then(
    () => ok(new Connection(socket)),
    (e) => err({ tag: 'unclassified', val: String(e?.message ?? e) }),
  );
  const result = await withTimeout(opened, timeoutMs, () => err({ tag: 'timeout' }), closeSocket);
  signal.removeEventListener('abort', closeSocket);
  return result;
}

/** An open connection: a pump fills the read buffer, pausing while it is full. */
class Connection {
  constructor(socket) {
    this.socket = socket;
    this.writer = socket.writable.getWriter();
    this.reader = socket.readable.getReader();
    this.wakePump = null;
    this.queue = new ByteQueue({ resume: () => this.wakePump?.() });
    this.pump();
  }

  async pump() {
    try {
      for (;;) {
        if (this.queue.full) {
          await new Promise((resolve) => (this.wakePump = resolve));
          this.wakePump = null;
        }
        const { done, value } = await this.reader.read();
        if (done) return this.queue.end();
        this.queue.push(value);
      }
    } catch (e) {
      this.queue.fail(streamError(e));
    }
  }

  send(data, timeoutMs) {
    const written = this.writer.write(data).then(
      () => ok(undefined),
      (e) => err(streamError(e)),
    );
    return withTimeout(written, timeoutMs, () => err({ tag: 'timeout' }));
  }

  receive(maxBytes, timeoutMs) {
    return this.queue.take(maxBytes, timeoutMs);
  }

  close() {
    this.queue.close();
    this.socket.close().catch(() => {});
  }
}

/** workerd's stream errors are text only; a reset reads "connection reset" or similar. */
function streamError(e) {
  const text = String(e?.message ?? e);
  return /reset|lost/i.test(text) ? { tag: 'reset' } : { tag: 'other', val: text };
}
