// Cross-host conformance: the same validations through every host against the same network
// must give byte-identical JSON and the same exit code. Run it inside the testbed's client
// namespace (scripts/edge-test.sh does):
//
//   testbed run ../../tests/testbed/scenarios/demo.json -- node tests/conformance.mjs
//
// Diagnoses are compared with their random probe tokens and measured times masked.
// Hosts: the wasmtime CLI (the reference, dist/acme-preflight), the Node and Deno CLIs, and
// the HTTP API of `acme-preflight serve` (wasmtime), Node, Deno and the Worker on workerd
// (DNS over HTTPS through tests/doh-server.mjs to the testbed's resolver).
// Prints one line per check and "N passed, N failed" last; exits 1 on any failure.

import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

import { startDohServer } from './doh-server.mjs';

const edge = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(edge, '../..');
const RUST = process.env.ACME_PREFLIGHT_BIN || join(repo, 'dist/acme-preflight');
const RESOLVER = '198.51.100.53';
const ALLOW = '198.51.100.0/24,2001:db8::/32';
const TOKEN = 'edge-token_0123456789';
const THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
const KEY_AUTHORIZATION = `${TOKEN}.${THUMBPRINT}`;
/** One run or request may take this long before the test gives up on it. */
const LIMIT_MS = 60_000;

/** The validations: each runs on every host. */
const VALIDATIONS = [
  ...[
    // The slow ones (connect timeouts of 10 s) first, so that they overlap the rest.
    'v6-timeout-redirect.example.net', 'v6-timeout.example.com', 'dual.example.com',
    'www.example.com', 'v6-refused.example.com', 'v6-404.example.net', 'v6-only.example.org',
    'v4-only.example.org', 'servfail.example.org', 'dnssec-bogus.example.org', 'nxdomain.example.org',
  ].map((identifier) => ({ identifier })),
  // The wrong key authorization: unauthorized.
  { identifier: 'dual.example.com', keyAuthorization: `${TOKEN}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA` },
  // TLS-ALPN-01 runs TLS inside the component over the hosts' plain sockets.
  { identifier: 'dual.example.com', challenge: 'tls-alpn-01' },
];

/**
 * Diagnoses: their JSON carries a random probe token (from the session seed), measured times
 * and findings that depend on them (a slow lookup), so only the verdict and the prediction
 * (status, error, validation records), with the probe token masked, must match.
 */
const DIAGNOSES = ['dual.example.com', 'v6-refused.example.com', 'nxdomain.example.org'];

/**
 * Where the Worker must differ: workerd's connect() reports a refused connection as an opaque
 * error (`dial-error.unclassified`), which the diagnosis's timeline shows as "refused or
 * blocked". The verdict and the prediction must still match.
 */
const KNOWN_WORKERD_DIFFERENCES = {
  'v6-refused.example.com': /refused or blocked/,
};

/** The stable part of a diagnosis, with the probe token masked. */
function masked(text) {
  try {
    const { identifier, verdict, challenge, status, error, validationRecord } = JSON.parse(text);
    const core = JSON.stringify({ identifier, verdict, challenge, status, error, validationRecord });
    return `${core.replace(/preflight-[0-9a-f]{16,}/g, 'preflight-<token>')}\n`;
  } catch {
    return text;
  }
}

/** Command lines every CLI must refuse (exit 2) or print (exit 0) alike. */
const COMMAND_LINES = [
  ['--help'],
  ['-V'],
  ['validate', 'dual.example.com'],
  ['validate', 'https://dual.example.com/x', '--token', 't', '--key-authorization', 't.x'],
  ['validate', 'dual.example.com', '--token', 't', '--key-authorization', 't.x', '--frobnicate'],
];

/** API requests every server must answer alike: [method, path, body]. */
const API_REQUESTS = [
  ['GET', '/v1/validate', ''],
  ['POST', '/v1/nope', '{}'],
  ['POST', '/v1/validate', '{'],
  ['POST', '/v1/validate', JSON.stringify({ identifier: 'dual.example.com', token: TOKEN, keyAuthorization: KEY_AUTHORIZATION, json: true })],
  ['POST', '/v1/validate', JSON.stringify({ identifier: '10.0.0.1', token: TOKEN, keyAuthorization: KEY_AUTHORIZATION })],
  ['POST', '/v1/validate', JSON.stringify({ identifier: 'dual.example.com', token: TOKEN, keyAuthorization: KEY_AUTHORIZATION, allowReserved: '10.0.0.0/8' })],
  ['POST', '/v1/validate', JSON.stringify({ identifier: 'dual.example.com', token: TOKEN })],
  ['POST', '/v1/validate', JSON.stringify({ identifier: 'dual.example.com', token: TOKEN, keyAuthorization: KEY_AUTHORIZATION, pad: 'x'.repeat(20000) })],
];

const CLIS = {
  wasmtime: (args) => [RUST, args],
  node: (args) => [process.execPath, [join(edge, 'bin/acme-preflight.js'), ...args]],
  deno: (args) => [join(edge, 'bin/acme-preflight-deno'), args],
};

const results = { passed: 0, failed: 0 };

async function main() {
  const started = performance.now();
  const doh = await startDohServer({ host: RESOLVER, port: 53 });
  const servers = await startServers(doh.url);
  try {
    await Promise.all([
      ...VALIDATIONS.map((v) => checkValidation(v, servers)),
      ...DIAGNOSES.map((identifier) => checkDiagnosis(identifier, servers)),
      ...COMMAND_LINES.map((line) => checkCommandLine(line)),
      ...API_REQUESTS.map((request) => checkApiRequest(request, servers)),
    ]);
  } finally {
    for (const server of Object.values(servers)) server.stop();
    doh.close();
  }
  if (doh.queries() === 0) fail('doh', 'the Worker sent no DNS-over-HTTPS query');
  console.log(`DNS over HTTPS: ${doh.queries()} queries, ${doh.failures()} without an upstream answer, slowest upstream ${Math.round(doh.slowest())} ms`);
  console.log(`conformance: ${Math.round((performance.now() - started) / 1000)} s`);
  console.log(`${results.passed} passed, ${results.failed} failed`);
  process.exit(results.failed === 0 ? 0 : 1);
}

function pass(name) {
  results.passed++;
  console.log(`ok    ${name}`);
}

function fail(name, why) {
  results.failed++;
  console.log(`FAIL  ${name}\n${why}`);
}

/** One validation on every CLI and every server, compared with the wasmtime CLI. */
async function checkValidation(validation, servers) {
  const { identifier, challenge } = validation;
  const keyAuthorization = validation.keyAuthorization ?? KEY_AUTHORIZATION;
  const name = `${identifier}${challenge ? ` ${challenge}` : ''}${validation.keyAuthorization ? ' (wrong key)' : ''}`;
  const args = ['validate', identifier, '--token', TOKEN, '--key-authorization', keyAuthorization];
  if (challenge) args.push('--challenge', challenge);
  args.push('--resolver', RESOLVER, '--allow-reserved', ALLOW, '--json');
  const body = JSON.stringify({ identifier, token: TOKEN, keyAuthorization, ...(challenge ? { challenge } : {}) });
  const [reference, ...others] = await Promise.all([
    run(...CLIS.wasmtime(args)),
    ...['node', 'deno'].map((cli) => run(...CLIS[cli](args)).then((r) => ({ host: `${cli} cli`, ...r }))),
    ...Object.entries(servers).map(([host, server]) =>
      post(server.url, 'POST', '/v1/validate', body).then((r) => ({
        host: `${host} api`,
        code: r.status === 200 ? Number(r.headers.get('x-acme-preflight-exit')) : `HTTP ${r.status}`,
        stdout: r.body,
        stderr: '',
      })),
    ),
  ]);
  if (reference.code !== 0 && reference.code !== 1) {
    fail(name, `  the wasmtime CLI exited ${reference.code}: ${reference.stderr}`);
    return;
  }
  for (const other of others) {
    const label = `${name} on ${other.host}`;
    if (other.stdout === reference.stdout && other.code === reference.code) pass(label);
    else fail(label, `  wasmtime: exit ${reference.code} ${reference.stdout.trim()}\n  ${other.host}: exit ${other.code} ${other.stdout.trim()} ${other.stderr.trim()}`);
  }
}

/** One diagnosis on every CLI and every server, compared (masked) with the wasmtime CLI. */
async function checkDiagnosis(identifier, servers) {
  const args = ['diagnose', identifier, '--resolver', RESOLVER, '--allow-reserved', ALLOW, '--json'];
  const body = JSON.stringify({ identifier });
  const [reference, ...others] = await Promise.all([
    run(...CLIS.wasmtime(args)),
    ...['node', 'deno'].map((cli) => run(...CLIS[cli](args)).then((r) => ({ host: `${cli} cli`, ...r }))),
    ...Object.entries(servers).map(([host, server]) =>
      post(server.url, 'POST', '/v1/diagnose', body).then((r) => ({
        host: `${host} api`,
        code: r.status === 200 ? Number(r.headers.get('x-acme-preflight-exit')) : `HTTP ${r.status}`,
        stdout: r.body,
        stderr: '',
      })),
    ),
  ]);
  const name = `diagnose ${identifier}`;
  if (!reference.stdout.startsWith('{')) {
    fail(name, `  the wasmtime CLI exited ${reference.code}: ${reference.stderr}`);
    return;
  }
  for (const other of others) {
    const label = `${name} on ${other.host}`;
    if (other.host === 'workerd api' && KNOWN_WORKERD_DIFFERENCES[identifier]) {
      const expected = KNOWN_WORKERD_DIFFERENCES[identifier];
      const same = masked(other.stdout) === masked(reference.stdout) && other.code === reference.code;
      if (expected.test(other.stdout) && same) pass(`${label} (known difference)`);
      else fail(label, `  expected ${expected} in ${other.stdout.trim()}`);
      continue;
    }
    if (masked(other.stdout) === masked(reference.stdout) && other.code === reference.code) pass(label);
    else fail(label, `  wasmtime: exit ${reference.code} ${masked(reference.stdout).trim()}\n  ${other.host}: exit ${other.code} ${masked(other.stdout).trim()} ${other.stderr.trim()}`);
  }
}

async function checkCommandLine(args) {
  const [reference, ...others] = await Promise.all(
    Object.entries(CLIS).map(([cli, command]) => run(...command(args)).then((r) => ({ host: cli, ...r }))),
  );
  for (const other of others) {
    const label = `command line ${JSON.stringify(args)} on ${other.host}`;
    const same = ['stdout', 'stderr', 'code'].every((k) => other[k] === reference[k]);
    if (same) pass(label);
    else fail(label, `  wasmtime: ${JSON.stringify(reference)}\n  ${other.host}: ${JSON.stringify(other)}`);
  }
}

async function checkApiRequest([method, path, body], servers) {
  const answers = await Promise.all(
    Object.entries(servers).map(([host, server]) => post(server.url, method, path, body).then((r) => ({ host, ...r }))),
  );
  const [reference, ...others] = answers;
  const label = `${method} ${path} ${body.slice(0, 60)}`;
  if (reference.status < 400) {
    fail(label, `  wasmtime serve answered ${reference.status}`);
    return;
  }
  for (const other of others) {
    if (other.status === reference.status && other.body === reference.body) pass(`${label} on ${other.host} api`);
    else fail(`${label} on ${other.host} api`, `  wasmtime: ${reference.status} ${reference.body}\n  ${other.host}: ${other.status} ${other.body}`);
  }
}

/** Starts every server; resolves to `{name: {url, stop}}` once each answers. */
async function startServers(dohUrl) {
  const serveArgs = (port) => ['serve', '--listen', `127.0.0.1:${port}`, '--allow-reserved', ALLOW, '--resolver', RESOLVER];
  const specs = {
    wasmtime: (port) => [RUST, serveArgs(port)],
    node: (port) => [process.execPath, [join(edge, 'bin/acme-preflight.js'), ...serveArgs(port)]],
    deno: (port) => [join(edge, 'bin/acme-preflight-deno'), serveArgs(port)],
    workerd: (port) => [
      join(edge, 'node_modules/.bin/workerd'),
      ['serve', join(edge, 'gen/workerd.capnp'), '--socket-addr', `http=127.0.0.1:${port}`],
      { ACME_PREFLIGHT_DOH_URL: dohUrl, ACME_PREFLIGHT_ALLOW_RESERVED: ALLOW },
    ],
  };
  const entries = await Promise.all(
    Object.entries(specs).map(async ([name, spec]) => {
      const port = await freePort();
      const [command, args, env] = spec(port);
      const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
      let log = '';
      child.stderr.on('data', (chunk) => (log += chunk));
      const url = `http://127.0.0.1:${port}`;
      await waitUntilAnswering(url, () => log);
      return [name, { url, stop: () => child.kill('SIGTERM') }];
    }),
  );
  return Object.fromEntries(entries);
}

async function waitUntilAnswering(url, log) {
  const until = performance.now() + 20_000;
  while (performance.now() < until) {
    try {
      await fetch(`${url}/v1/validate`, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${url} did not start:\n${log()}`);
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Processes running at once. Starting Node and Deno costs CPU; more at once starved the
 * Worker's DNS exchanges (1 s timeouts, 3 tries) on 2 cores.
 */
const MAX_PROCESSES = 4;
let running = 0;
const queued = [];

/** Runs a command; resolves to {code, stdout, stderr}; killed after LIMIT_MS. */
async function run(command, args) {
  if (running >= MAX_PROCESSES) await new Promise((resolve) => queued.push(resolve));
  running++;
  try {
    return await runNow(command, args);
  } finally {
    running--;
    queued.shift()?.();
  }
}

function runNow(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal, stdout, stderr });
    });
  });
}

async function post(url, method, path, body) {
  try {
    const response = await fetch(`${url}${path}`, {
      method,
      body: method === 'GET' ? undefined : body,
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(LIMIT_MS),
    });
    return { status: response.status, headers: response.headers, body: await response.text() };
  } catch (e) {
    return { status: 0, headers: new Headers(), body: `request failed: ${e.message}` };
  }
}

await main();
