// Node's I/O for the driver: node:net for TCP, node:dgram for DNS datagrams. Errors map to the
// WIT variants as in the wasmtime host (host-examples/wasmtime/src/net.rs).

import dgram from 'node:dgram';
import net from 'node:net';

import { ByteQueue, err, framed, ipText, ok, withTimeout } from '../bytes.js';

/** The largest DNS message. */
const MAX_DNS_MESSAGE = 65535;

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

/** The backend object the driver takes. */
export function nodeBackend() {
  return { dnsExchange, connect };
}

/** A `dns-exchange` with `resolver` (a WIT socket-address), all of it within the timeout. */
async function dnsExchange({ resolver, transport, message, timeoutMs }) {
  if (!resolver) {
    return err({ tag: 'other', val: 'no DNS resolver: pass --resolver or provide /etc/resolv.conf' });
  }
  let cleanup = () => {};
  const work = new Promise((resolve) => {
    cleanup = transport === 'datagram' ? datagram(resolver, message, resolve) : byteStream(resolver, message, resolve);
  });
  return withTimeout(work, timeoutMs, () => err({ tag: 'timeout' })).finally(() => cleanup());
}

/** One UDP datagram each way, on a fresh socket connected to the resolver. */
function datagram(resolver, message, resolve) {
  const family = resolver.address.tag === 'ipv6' ? 'udp6' : 'udp4';
  const socket = dgram.createSocket({ type: family, recvBufferSize: MAX_DNS_MESSAGE });
  const fail = (e) => resolve(err({ tag: 'network', val: e.message }));
  socket.on('error', fail);
  socket.on('message', (answer) => resolve(ok(new Uint8Array(answer))));
  socket.connect(resolver.port, ipText(resolver.address), () => {
    socket.send(message, (e) => e && fail(e));
  });
  return () => {
    try {
      socket.close();
    } catch {
      // Already closed.
    }
  };
}

/** One TCP connection carrying the query and its answer, each behind a two-byte length. */
function byteStream(resolver, message, resolve) {
  const query = framed(message);
  if (!query) {
    resolve(err({ tag: 'other', val: `DNS query of ${message.length} bytes is longer than 65535` }));
    return () => {};
  }
  const socket = net.connect({ host: ipText(resolver.address), port: resolver.port });
  let buffer = new Uint8Array(0);
  socket.on('error', (e) => resolve(err({ tag: 'network', val: e.message })));
  socket.on('connect', () => socket.write(query));
  socket.on('data', (chunk) => {
    const joined = new Uint8Array(buffer.length + chunk.length);
    joined.set(buffer);
    joined.set(chunk, buffer.length);
    buffer = joined;
    if (buffer.length >= 2) {
      const length = (buffer[0] << 8) | buffer[1];
      if (buffer.length >= 2 + length) resolve(ok(buffer.slice(2, 2 + length)));
    }
  });
  socket.on('end', () => resolve(err({ tag: 'network', val: 'the resolver closed the connection early' })));
  return () => socket.destroy();
}

/** Opens a TCP connection to exactly `address` within `timeoutMs`. */
function connect({ address, timeoutMs, signal }) {
  return new Promise((resolve) => {
    const socket = new net.Socket({ allowHalfOpen: true });
    let timer = null;
    const finish = (result) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abandon);
      resolve(result);
    };
    const abandon = () => {
      socket.destroy();
      finish(err({ tag: 'other', val: 'abandoned' }));
    };
    timer = setTimeout(() => {
      socket.destroy();
      finish(err({ tag: 'timeout' }));
    }, timeoutMs);
    signal.addEventListener('abort', abandon);
    socket.once('error', (e) => {
      socket.destroy();
      finish(err(DIAL_ERRORS[e.code] ?? { tag: 'other', val: e.message }));
    });
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      finish(ok(new Connection(socket)));
    });
    // An IP literal: Node does no lookup and no address-family racing.
    socket.connect({ host: ipText(address.address), port: address.port });
  });
}

/** An open connection: sends write through, receives read from a buffer the socket fills. */
class Connection {
  constructor(socket) {
    this.socket = socket;
    this.queue = new ByteQueue({ pause: () => socket.pause(), resume: () => socket.resume() });
    socket.on('data', (chunk) => this.queue.push(new Uint8Array(chunk)));
    socket.on('end', () => this.queue.end());
    socket.on('error', (e) => this.queue.fail(streamError(e)));
    socket.on('close', () => this.queue.end());
  }

  send(data, timeoutMs) {
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve(err({ tag: 'closed' }));
    const written = new Promise((resolve) => {
      this.socket.write(data, (e) => resolve(e ? err(streamError(e)) : ok(undefined)));
    });
    return withTimeout(written, timeoutMs, () => err({ tag: 'timeout' }));
  }

  receive(maxBytes, timeoutMs) {
    return this.queue.take(maxBytes, timeoutMs);
  }

  close() {
    this.queue.close();
    this.socket.destroy();
  }
}

function streamError(e) {
  return STREAM_ERRORS[e.code] ?? { tag: 'other', val: e.message };
}
