// The server pieces every JavaScript host shares, and the component behind them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { deploymentSettings, handleRequest, listenAddress, MAX_BODY, readBody, serveFlags } from '../../src/api.js';
import { Checker } from '../../src/checker.js';
import { runSession } from '../../src/driver.js';
import { wasiImports } from '../../src/wasi.js';

const checker = Checker.fromBytes((name) => readFileSync(new URL(`../../gen/${name}`, import.meta.url)));

/** A backend whose DNS exchanges all fail at once, recording them. */
function failingBackend(seen = []) {
  return {
    dnsExchange: async (exchange) => {
      seen.push(exchange);
      return { tag: 'err', val: { tag: 'network', val: 'unreachable' } };
    },
    connect: async () => ({ tag: 'err', val: { tag: 'refused' } }),
  };
}

function server(extra = {}) {
  return { checker, backend: failingBackend(), allowReserved: [], resolver: undefined, sessions: { running: 0 }, ...extra };
}

test('serve flags', () => {
  const rows = [
    // Defaults.
    [[], { listen: '127.0.0.1:8080', allowReserved: undefined, resolver: undefined }],
    // Every flag.
    [['--listen', '[::1]:1', '--allow-reserved', '10.0.0.0/8', '--resolver', '9.9.9.9'], { listen: '[::1]:1', allowReserved: '10.0.0.0/8', resolver: '9.9.9.9' }],
    // Help, a missing value, an unknown flag.
    [['--help'], null],
    [['--listen'], { error: '--listen needs a value' }],
    [['--frob'], { error: 'serve: unknown argument "--frob"; see serve --help' }],
  ];
  for (const [args, expected] of rows) assert.deepEqual(serveFlags(args), expected, args.join(' '));
});

test('listen addresses', () => {
  const rows = [
    ['127.0.0.1:8080', { hostname: '127.0.0.1', port: 8080 }],
    ['[::1]:0', { hostname: '::1', port: 0 }],
    ['0.0.0.0:65535', { hostname: '0.0.0.0', port: 65535 }],
    ['0.0.0.0:65536', null], // port out of range
    ['localhost', null], // no port
    ['localhost:80', null], // a name, not an address
    ['::1:80', null], // IPv6 without brackets
    ['256.0.0.1:80', null], // not an IPv4 address
  ];
  for (const [text, expected] of rows) assert.deepEqual(listenAddress(text), expected, text);
});

test('bodies are read up to one byte over the limit', async () => {
  for (const size of [MAX_BODY - 1, MAX_BODY, MAX_BODY + 1, MAX_BODY + 5000]) {
    const chunks = [new Uint8Array(size).fill(0x20)];
    assert.equal((await readBody(chunks)).length, Math.min(size, MAX_BODY + 1), String(size));
  }
});

test('deployment settings are checked by the component', () => {
  const ok = deploymentSettings(checker, { allowReserved: '198.51.100.0/24', resolver: '198.51.100.53' }, undefined);
  assert.deepEqual(ok.ok.allowReserved, [{ address: { tag: 'ipv4', val: [198, 51, 100, 0] }, prefixLength: 24 }]);
  assert.deepEqual(ok.ok.resolver, { address: { tag: 'ipv4', val: [198, 51, 100, 53] }, port: 53 });
  assert.match(deploymentSettings(checker, { allowReserved: '10.0.0.1/8' }, undefined).err, /host bits/);
  const fromResolvConf = deploymentSettings(checker, {}, 'nameserver 192.0.2.1\n');
  assert.equal(fromResolvConf.ok.resolver.port, 53);
});

test('requests: refusals come from the component, reports with the exit code', async () => {
  const rows = [
    [{ method: 'GET', path: '/v1/validate', body: '' }, 405, /GET is not allowed/],
    [{ method: 'POST', path: '/v1/nope', body: '{}' }, 404, /no endpoint/],
    [{ method: 'POST', path: '/v1/validate', body: '[' }, 400, /not JSON/],
    [{ method: 'POST', path: '/v1/validate', body: '{"identifier":"example.com","token":"t","keyAuthorization":"t.x"}' }, 200, /"status":"invalid"/],
  ];
  for (const [request, status, pattern] of rows) {
    const answer = await handleRequest(server(), request);
    assert.equal(answer.status, status, answer.body);
    assert.match(answer.body, pattern);
  }
  const report = await handleRequest(server(), rows[3][0]);
  assert.equal(report.exit, 1);
  const doh = await handleRequest(server({ resolverField: false }), { method: 'POST', path: '/v1/validate', body: '{"identifier":"example.com","token":"t","keyAuthorization":"t.x","resolver":"9.9.9.9"}' });
  assert.equal(doh.status, 400);
  const busy = await handleRequest(server({ sessions: { running: 32 } }), rows[3][0]);
  assert.equal(busy.status, 503);
});

test('a session through the driver: DNS failures give Boulder\'s text, retried per the options', async () => {
  const instance = checker.instantiate();
  const parsed = instance.parseArgs(['validate', 'example.com', '--token', 't', '--key-authorization', 't.x', '--resolver', '9.9.9.9'], undefined);
  const invocation = parsed.ok.val;
  const seen = [];
  const report = await runSession(instance, invocation.job, { ...invocation.options, seed: 7n }, invocation.resolver, failingBackend(seen));
  assert.equal(report.status, 'invalid');
  assert.match(report.json, /DNS problem: networking error looking up A for example.com/);
  assert.ok(seen.length >= 2, 'A and AAAA were asked');
  assert.deepEqual(seen[0].resolver, invocation.resolver);
});

test('the WASI stand-ins keep at most 64 KiB of stderr and nothing of stdout', () => {
  const wasi = wasiImports();
  const stderr = wasi.imports['wasi:cli/stderr'].getStderr();
  const stdout = wasi.imports['wasi:cli/stdout'].getStdout();
  stdout.write(new TextEncoder().encode('ignored'));
  stderr.write(new TextEncoder().encode('panicked'));
  stderr.write(new Uint8Array(70 * 1024).fill(0x41));
  assert.equal(wasi.stderr().length, 64 * 1024);
  assert.ok(wasi.stderr().startsWith('panicked'));
  assert.equal(typeof stderr.checkWrite(), 'bigint');
});
