// A tiny DNS-over-HTTPS endpoint for tests (RFC 8484 POST, plain HTTP on loopback): each query
// is forwarded to an upstream resolver over UDP, and again over TCP when the UDP answer is
// truncated, as a recursive DoH service would. It lets the Worker, which has no DNS but fetch,
// use the testbed's DNS server.

import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';

/** How long one upstream exchange may take before the DoH request fails with 504. */
const UPSTREAM_LIMIT_MS = 5000;

/**
 * Starts the endpoint on 127.0.0.1 (any port).
 * @param {{host: string, port: number}} upstream
 * @returns {Promise<{url: string, queries: () => number, failures: () => number, slowest: () => number, close: () => void}>}
 */
export async function startDohServer(upstream) {
  let queries = 0;
  let failures = 0;
  let slowest = 0;
  const server = http.createServer(async (request, response) => {
    const chunks = [];
    let size = 0;
    for await (const chunk of request) {
      size += chunk.length;
      if (size > 65535) break;
      chunks.push(chunk);
    }
    if (request.method !== 'POST' || request.url !== '/dns-query' || size > 65535) {
      response.writeHead(400).end();
      return;
    }
    queries++;
    const started = performance.now();
    const query = Buffer.concat(chunks);
    let answer = await udpExchange(upstream, query).catch(() => null);
    if (answer && answer.length >= 3 && (answer[2] & 0x02) !== 0) {
      answer = await tcpExchange(upstream, query).catch(() => null);
    }
    if (!answer) {
      failures++;
      response.writeHead(504).end();
      return;
    }
    slowest = Math.max(slowest, performance.now() - started);
    response.writeHead(200, { 'content-type': 'application/dns-message', 'content-length': answer.length });
    response.end(answer);
  });
  // Idle connections stay open for the whole test: a client reusing one the server has just
  // closed would see a network error that no resolver caused.
  server.keepAliveTimeout = 120_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/dns-query`,
    queries: () => queries,
    failures: () => failures,
    slowest: () => slowest,
    close: () => server.close(),
  };
}

function udpExchange(upstream, query) {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(upstream.host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => finish(reject, new Error('timeout')), UPSTREAM_LIMIT_MS);
    const finish = (settle, value) => {
      clearTimeout(timer);
      socket.close();
      settle(value);
    };
    socket.on('error', (e) => finish(reject, e));
    socket.on('message', (answer) => finish(resolve, answer));
    socket.connect(upstream.port, upstream.host, () => socket.send(query));
  });
}

function tcpExchange(upstream, query) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: upstream.host, port: upstream.port });
    const timer = setTimeout(() => finish(reject, new Error('timeout')), UPSTREAM_LIMIT_MS);
    const finish = (settle, value) => {
      clearTimeout(timer);
      socket.destroy();
      settle(value);
    };
    let buffer = Buffer.alloc(0);
    socket.on('error', (e) => finish(reject, e));
    socket.on('connect', () => {
      const prefix = Buffer.from([query.length >> 8, query.length & 0xff]);
      socket.write(Buffer.concat([prefix, query]));
    });
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
        finish(resolve, buffer.subarray(2, 2 + buffer.readUInt16BE(0)));
      }
    });
    socket.on('end', () => finish(reject, new Error('closed early')));
  });
}
