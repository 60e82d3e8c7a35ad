// The read side of a connection: bytes pumped from the runtime's socket wait here until the
// component asks for them, so a `receive` that times out never loses data (like a cancelled
// read in the wasmtime host).

/** Pause the socket above this many buffered bytes, resume below half of it. */
const HIGH_WATER = 256 * 1024;

/** The most bytes one receive returns, whatever `max-bytes` asks (as the wasmtime host). */
export const MAX_RECEIVE = 64 * 1024;

/** `{tag: 'ok', val}` / `{tag: 'err', val}`: WIT results as jco represents them. */
export const ok = (val) => ({ tag: 'ok', val });
export const err = (val) => ({ tag: 'err', val });

export class ByteQueue {
  /** @param {{pause?: () => void, resume?: () => void}} flow how to throttle the socket */
  constructor(flow = {}) {
    this.chunks = [];
    this.size = 0;
    this.ended = false;
    this.error = null; // a stream-error, delivered after the buffered bytes
    this.waiters = [];
    this.flow = flow;
    this.paused = false;
  }

  /** Bytes arrived. */
  push(chunk) {
    if (this.ended || this.error || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size > HIGH_WATER && !this.paused) {
      this.paused = true;
      this.flow.pause?.();
    }
    this.#wake();
  }

  /** The peer closed its side. */
  end() {
    this.ended = true;
    this.#wake();
  }

  /** The connection failed with a stream-error. */
  fail(error) {
    if (!this.error) this.error = error;
    this.#wake();
  }

  /** Whether a pump should wait before reading more. */
  get full() {
    return this.size > HIGH_WATER;
  }

  /** Up to `maxBytes` bytes, an empty array at end of stream, or an error, within `timeoutMs`. */
  take(maxBytes, timeoutMs) {
    if (maxBytes <= 0) return Promise.resolve(err({ tag: 'other', val: 'receive asked for 0 bytes' }));
    const now = this.#takeNow(maxBytes);
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => {
      const waiter = { maxBytes, resolve, timer: null };
      waiter.timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(err({ tag: 'timeout' }));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The component closed the connection: pending receives are abandoned. */
  close() {
    for (const waiter of this.waiters) clearTimeout(waiter.timer);
    this.waiters = [];
    this.chunks = [];
    this.size = 0;
    this.error = this.error ?? { tag: 'closed' };
  }

  #takeNow(maxBytes) {
    if (this.size > 0) {
      const out = new Uint8Array(Math.min(maxBytes, MAX_RECEIVE, this.size));
      let filled = 0;
      while (filled < out.length) {
        const head = this.chunks[0];
        const n = Math.min(head.length, out.length - filled);
        out.set(head.subarray(0, n), filled);
        filled += n;
        if (n === head.length) this.chunks.shift();
        else this.chunks[0] = head.subarray(n);
      }
      this.size -= filled;
      if (this.paused && this.size <= HIGH_WATER / 2) {
        this.paused = false;
        this.flow.resume?.();
      }
      return ok(out);
    }
    if (this.error) return err(this.error);
    if (this.ended) return ok(new Uint8Array(0));
    return null;
  }

  #wake() {
    while (this.waiters.length > 0) {
      const waiter = this.waiters[0];
      const result = this.#takeNow(waiter.maxBytes);
      if (!result) return;
      this.waiters.shift();
      clearTimeout(waiter.timer);
      waiter.resolve(result);
    }
  }
}

/**
 * `promise`, or `onTimeout()` after `ms` milliseconds, whichever comes first; `cleanup` runs
 * when the timeout wins (to close what the promise was opening).
 */
export function withTimeout(promise, ms, onTimeout, cleanup) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => {
      cleanup?.();
      resolve(onTimeout());
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The text of a WIT ip-address: dotted IPv4, or eight hex groups for IPv6 (never resolved). */
export function ipText(address) {
  if (address.tag === 'ipv4') return address.val.join('.');
  return address.val.map((group) => group.toString(16)).join(':');
}

/** `[v6]:port` or `v4:port`, for messages and for runtimes that take a host:port string. */
export function socketText(socketAddress) {
  const ip = ipText(socketAddress.address);
  return socketAddress.address.tag === 'ipv6' ? `[${ip}]:${socketAddress.port}` : `${ip}:${socketAddress.port}`;
}

/** The query with its two-byte length prefix (RFC 1035 4.2.2), or null when too long. */
export function framed(message) {
  if (message.length > 65535) return null;
  const out = new Uint8Array(message.length + 2);
  out[0] = message.length >> 8;
  out[1] = message.length & 0xff;
  out.set(message, 2);
  return out;
}
