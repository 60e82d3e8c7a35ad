// The Node host: `acme-preflight` with the wasmtime host's command line, plus `serve`.

import { readFileSync } from 'node:fs';
import http from 'node:http';

import { deploymentSettings, handleRequest, listenAddress, MAX_BODY, problem, readBody, responseHeaders, serveFlags, SERVE_USAGE } from '../api.js';
import { Checker } from '../checker.js';
import { runCli } from '../cli.js';
import { nodeBackend } from './backend.js';

/** How long a client may take to send its request. */
const READ_LIMIT_MS = 10_000;

/** Runs the command line with `args` (without the program name); resolves to the exit code. */
export function main(args) {
  return runCli({
    args,
    resolvConf: readResolvConf(),
    loadChecker: () => Checker.fromBytes((name) => readFileSync(new URL(`../../gen/${name}`, import.meta.url))),
    backend: nodeBackend(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutIsTerminal: Boolean(process.stdout.isTTY),
    stderrIsTerminal: Boolean(process.stderr.isTTY),
    noColor: process.env.NO_COLOR,
    serve,
  });
}

function readResolvConf() {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return undefined;
  }
}

/** `acme-preflight serve`: the HTTP API until the process is killed. */
async function serve(checker, args) {
  const flags = serveFlags(args);
  if (flags === null) {
    process.stdout.write(SERVE_USAGE);
    return 0;
  }
  const listen = flags.error ? null : listenAddress(flags.listen);
  const settings = flags.error ? { err: flags.error } : deploymentSettings(checker, flags, readResolvConf());
  if ('err' in settings || !listen) {
    process.stderr.write(`acme-preflight: ${settings.err ?? `--listen ${flags.listen}: use ADDR:PORT`}\n`);
    return 2;
  }
  const server = { checker, backend: nodeBackend(), ...settings.ok, sessions: { running: 0 } };
  const httpServer = http.createServer({ requestTimeout: READ_LIMIT_MS }, (request, response) => {
    respond(server, request, response).catch(() => response.destroy());
  });
  await new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(listen.port, listen.hostname, resolve);
  }).catch((e) => {
    process.stderr.write(`acme-preflight: cannot listen on ${flags.listen}: ${e.message}\n`);
    process.exit(3);
  });
  const address = httpServer.address();
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  process.stderr.write(`acme-preflight: listening on http://${shown}:${address.port}\n`);
  return new Promise(() => {}); // until killed
}

async function respond(server, request, response) {
  const path = (request.url ?? '').split('?')[0];
  const length = request.headers['content-length'];
  let answer;
  if (request.headers['transfer-encoding'] !== undefined) {
    answer = problem(411, 'malformed', 'send the body with Content-Length');
  } else if (length !== undefined && !/^\d+$/.test(length)) {
    answer = problem(400, 'malformed', 'Content-Length is not a number');
  } else {
    const body = request.method === 'POST' ? await nodeBody(request) : '';
    answer = await handleRequest(server, { method: request.method, path, body });
  }
  response.writeHead(answer.status, [...responseHeaders(answer), ['connection', 'close']].flat());
  // A body longer than the limit was not read to its end: close the connection once answered.
  response.end(answer.body, () => request.complete || request.socket?.destroy());
}

/** At most MAX_BODY + 1 bytes of the request body, without consuming the rest. */
function nodeBody(request) {
  return new Promise((resolve) => {
    const parts = [];
    let size = 0;
    const done = () => {
      request.off('data', onData);
      request.pause();
      resolve(readBody(parts));
    };
    const onData = (chunk) => {
      parts.push(new Uint8Array(chunk));
      size += chunk.length;
      if (size > MAX_BODY) done();
    };
    request.on('data', onData);
    request.once('end', done);
    request.once('error', done);
  });
}
