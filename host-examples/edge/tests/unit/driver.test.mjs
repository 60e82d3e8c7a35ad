// The step loop against a scripted stand-in for the component: what it hands back, and when
// it gives up.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runSession, SessionError } from '../../src/driver.js';

/**
 * An instance whose session answers each step with the next of `steps(completions, call)`;
 * it records every step's completions.
 */
function scripted(steps) {
  const seen = [];
  return {
    seen,
    dropped: 0,
    start: () => ({ ok: {} }),
    step(_session, nowMs, completions) {
      seen.push(completions);
      return steps(completions, seen.length - 1, nowMs);
    },
    activity: () => 'waiting',
    dropSession() {
      this.dropped++;
    },
  };
}

const pending = (...requests) => ({ ok: { tag: 'pending', val: requests } });
const done = (report) => ({ ok: { tag: 'done', val: report } });
const options = { deadlineMs: 1000 };

/** A backend whose connects succeed with connections that record what happens to them. */
function recordingBackend(log) {
  return {
    dnsExchange: async () => ({ tag: 'ok', val: new Uint8Array([1]) }),
    connect: async () => ({
      tag: 'ok',
      val: {
        send: async () => ({ tag: 'ok', val: undefined }),
        receive: () => new Promise(() => {}), // never answers
        close: () => log.push('closed'),
      },
    }),
  };
}

test('sleeps and DNS exchanges complete and travel back with their ids', async () => {
  const instance = scripted((completions, call) => {
    if (call === 0) return pending({ id: 1, kind: { tag: 'sleep', val: 5 } }, { id: 2, kind: { tag: 'dns-exchange', val: { transport: 'datagram', message: new Uint8Array(), timeoutMs: 100 } } });
    const ids = instance.seen.flat().map((c) => c.id).sort();
    return ids.length === 2 ? done('report') : pending();
  });
  assert.equal(await runSession(instance, {}, options, null, recordingBackend([])), 'report');
  const outcomes = Object.fromEntries(instance.seen.flat().map((c) => [c.id, c.outcome.tag]));
  assert.deepEqual(outcomes, { 1: 'slept', 2: 'dns-exchanged' });
  assert.equal(instance.dropped, 1);
});

test('a close abandons the connection\'s receive and closes it; later use is closed', async () => {
  const log = [];
  const instance = scripted((completions, call) => {
    if (call === 0) return pending({ id: 1, kind: { tag: 'connect', val: { address: {}, timeoutMs: 100 } } });
    if (call === 1) {
      assert.deepEqual(completions, [{ id: 1, outcome: { tag: 'connected', val: { tag: 'ok', val: undefined } } }]);
      return pending({ id: 2, kind: { tag: 'receive', val: { connection: 1, maxBytes: 10, timeoutMs: 50 } } }, { id: 3, kind: { tag: 'close', val: 1 } }, { id: 4, kind: { tag: 'send', val: { connection: 1, data: new Uint8Array(1), timeoutMs: 50 } } });
    }
    // Only the send on the closed connection is answered; the receive was abandoned.
    assert.deepEqual(completions, [{ id: 4, outcome: { tag: 'sent', val: { tag: 'err', val: { tag: 'closed' } } } }]);
    return done('report');
  });
  assert.equal(await runSession(instance, {}, options, null, recordingBackend(log)), 'report');
  assert.deepEqual(log, ['closed']);
});

test('contract breaches and stalls end the session with a reason', async () => {
  const rows = [
    // The component reuses an outstanding id.
    [() => pending({ id: 1, kind: { tag: 'sleep', val: 50 } }, { id: 1, kind: { tag: 'sleep', val: 50 } }), 'contract'],
    // Nothing outstanding, not done.
    [() => pending(), 'stalled'],
    // The component says the host misused the API.
    [() => ({ err: { tag: 'time-went-backwards' } }), 'api-misuse'],
  ];
  for (const [steps, kind] of rows) {
    const instance = scripted(steps);
    await assert.rejects(runSession(instance, {}, options, null, recordingBackend([])), (e) => e instanceof SessionError && e.kind === kind);
    assert.equal(instance.dropped, 1, kind);
  }
  const rejected = { ...scripted(() => pending()), start: () => ({ err: 'bad job' }) };
  await assert.rejects(runSession(rejected, {}, options, null, recordingBackend([])), (e) => e.kind === 'rejected' && e.message === 'bad job');
});

test('the clock starts at zero and never goes backwards', async () => {
  const clocks = [];
  const instance = scripted((completions, call, nowMs) => {
    clocks.push(nowMs);
    return call < 3 ? pending({ id: call + 1, kind: { tag: 'sleep', val: 2 } }) : done('r');
  });
  await runSession(instance, {}, options, null, recordingBackend([]));
  assert.ok(clocks[0] < 5, `first step at ${clocks[0]} ms`);
  for (let i = 1; i < clocks.length; i++) assert.ok(clocks[i] >= clocks[i - 1]);
});
