// npm run measure-workerd: the per-request cost of instantiating the component in the Worker.
// Starts workerd (gen/workerd.capnp) on loopback and times, request by request,
//   GET  /v1/validate        405 before any instance is made (the baseline), and
//   POST /v1/validate "{"    a fresh instance, then parse-request refuses the body (400);
// the difference of the medians is one instantiation (plus a parse of one byte). Timers inside
// a Worker do not advance during execution, so the time is taken from outside. Node's own
// instantiation time is printed for comparison.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Checker } from '../src/checker.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env.ROUNDS || 200);

const port = await new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
const workerd = spawn(join(root, 'node_modules/.bin/workerd'), ['serve', join(root, 'gen/workerd.capnp'), '--socket-addr', `http=127.0.0.1:${port}`], {
  env: { ...process.env, ACME_PREFLIGHT_DOH_URL: 'http://127.0.0.1:9/dns-query', ACME_PREFLIGHT_ALLOW_RESERVED: '' },
  stdio: 'inherit',
});
const url = `http://127.0.0.1:${port}/v1/validate`;
try {
  for (let i = 0; ; i++) {
    try {
      await fetch(url);
      break;
    } catch (e) {
      if (i > 200) throw e;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const time = async (init) => {
    const samples = [];
    for (let i = 0; i < ROUNDS; i++) {
      const started = performance.now();
      const response = await fetch(url, init);
      await response.arrayBuffer();
      samples.push(performance.now() - started);
    }
    return samples.sort((a, b) => a - b);
  };
  await time({ method: 'POST', body: '{' }); // warm up both paths
  await time({});
  const baseline = await time({});
  const instantiated = await time({ method: 'POST', body: '{' });
  const median = (s) => s[Math.floor(s.length / 2)];
  const p90 = (s) => s[Math.floor(s.length * 0.9)];
  const f = (ms) => `${ms.toFixed(2)} ms`;
  console.log(`workerd, ${ROUNDS} requests each, sequential:`);
  console.log(`  405 (no instance)          median ${f(median(baseline))}, p90 ${f(p90(baseline))}`);
  console.log(`  400 (instance + parse)     median ${f(median(instantiated))}, p90 ${f(p90(instantiated))}`);
  console.log(`  per-request instantiation  ~${f(median(instantiated) - median(baseline))}`);
} finally {
  workerd.kill();
}

const checker = Checker.fromBytes((name) => readFileSync(join(root, 'gen', name)));
checker.instantiate();
const started = performance.now();
for (let i = 0; i < ROUNDS; i++) checker.instantiate();
console.log(`node ${process.version}: checker.instantiate() ${((performance.now() - started) / ROUNDS).toFixed(2)} ms each (mean of ${ROUNDS})`);
