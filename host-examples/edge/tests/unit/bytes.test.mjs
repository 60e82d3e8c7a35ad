// The read buffer, timeouts and address texts shared by every backend.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ByteQueue, framed, ipText, socketText, withTimeout } from '../../src/bytes.js';

const bytes = (...values) => new Uint8Array(values);

test('a receive returns what is buffered, at most maxBytes, in order', async () => {
  const queue = new ByteQueue();
  queue.push(bytes(1, 2, 3));
  queue.push(bytes(4, 5));
  assert.deepEqual(await queue.take(4, 10), { tag: 'ok', val: bytes(1, 2, 3, 4) });
  assert.deepEqual(await queue.take(4, 10), { tag: 'ok', val: bytes(5) });
});

test('one receive returns at most 64 KiB, whatever it asks for', async () => {
  const queue = new ByteQueue();
  queue.push(new Uint8Array(100 * 1024));
  assert.equal((await queue.take(1024 * 1024, 10)).val.length, 64 * 1024);
  assert.equal((await queue.take(1024 * 1024, 10)).val.length, 36 * 1024);
});

test('a receive that times out loses nothing that arrives later', async () => {
  const queue = new ByteQueue();
  assert.deepEqual(await queue.take(10, 5), { tag: 'err', val: { tag: 'timeout' } });
  queue.push(bytes(7));
  assert.deepEqual(await queue.take(10, 5), { tag: 'ok', val: bytes(7) });
});

test('a waiting receive wakes on data, end of stream and errors', async () => {
  const rows = [
    // Data arrives while waiting.
    [(q) => q.push(bytes(9)), { tag: 'ok', val: bytes(9) }],
    // The peer closes: an empty list.
    [(q) => q.end(), { tag: 'ok', val: bytes() }],
    // The connection fails.
    [(q) => q.fail({ tag: 'reset' }), { tag: 'err', val: { tag: 'reset' } }],
  ];
  for (const [event, expected] of rows) {
    const queue = new ByteQueue();
    const pending = queue.take(10, 1000);
    event(queue);
    assert.deepEqual(await pending, expected);
  }
});

test('buffered bytes come before the error or the end that follows them', async () => {
  const queue = new ByteQueue();
  queue.push(bytes(1));
  queue.fail({ tag: 'reset' });
  assert.deepEqual(await queue.take(10, 10), { tag: 'ok', val: bytes(1) });
  assert.deepEqual(await queue.take(10, 10), { tag: 'err', val: { tag: 'reset' } });
  const ended = new ByteQueue();
  ended.push(bytes(2));
  ended.end();
  assert.deepEqual(await ended.take(10, 10), { tag: 'ok', val: bytes(2) });
  assert.deepEqual(await ended.take(10, 10), { tag: 'ok', val: bytes() });
  assert.deepEqual(await ended.take(10, 10), { tag: 'ok', val: bytes() });
});

test('zero-byte receives, closed queues', async () => {
  const queue = new ByteQueue();
  assert.equal((await queue.take(0, 10)).val.tag, 'other');
  queue.close();
  assert.deepEqual(await queue.take(1, 10), { tag: 'err', val: { tag: 'closed' } });
});

test('the socket is paused above the high-water mark and resumed below half of it', async () => {
  const calls = [];
  const queue = new ByteQueue({ pause: () => calls.push('pause'), resume: () => calls.push('resume') });
  queue.push(new Uint8Array(256 * 1024)); // at the mark: not yet
  assert.deepEqual(calls, []);
  queue.push(new Uint8Array(1)); // one over
  assert.deepEqual(calls, ['pause']);
  assert.equal(queue.full, true);
  await queue.take(64 * 1024, 10);
  await queue.take(64 * 1024, 10); // 128 KiB + 1 left: above half
  assert.deepEqual(calls, ['pause']);
  await queue.take(1, 10); // exactly half
  assert.deepEqual(calls, ['pause', 'resume']);
});

test('withTimeout: the first to finish wins; cleanup runs only on timeout', async () => {
  let cleaned = 0;
  const slow = new Promise((resolve) => setTimeout(() => resolve('late'), 50));
  assert.equal(await withTimeout(slow, 5, () => 'timeout', () => cleaned++), 'timeout');
  assert.equal(cleaned, 1);
  assert.equal(await withTimeout(Promise.resolve('fast'), 50, () => 'timeout', () => cleaned++), 'fast');
  assert.equal(cleaned, 1);
});

test('address texts', () => {
  const rows = [
    // IPv4, dotted.
    [{ tag: 'ipv4', val: [198, 51, 100, 7] }, 80, '198.51.100.7', '198.51.100.7:80'],
    // IPv6: eight hex groups, bracketed with a port.
    [{ tag: 'ipv6', val: [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1] }, 443, '2001:db8:0:0:0:0:0:1', '[2001:db8:0:0:0:0:0:1]:443'],
    // IPv4-mapped IPv6 stays IPv6.
    [{ tag: 'ipv6', val: [0, 0, 0, 0, 0, 0xffff, 0xc633, 0x6407] }, 80, '0:0:0:0:0:ffff:c633:6407', '[0:0:0:0:0:ffff:c633:6407]:80'],
  ];
  for (const [address, port, ip, socket] of rows) {
    assert.equal(ipText(address), ip);
    assert.equal(socketText({ address, port }), socket);
  }
});

test('the DNS length prefix at 65534, 65535 and 65536 bytes', () => {
  assert.deepEqual(framed(bytes(1, 2)), bytes(0, 2, 1, 2));
  assert.deepEqual(framed(new Uint8Array(65534)).subarray(0, 2), bytes(0xff, 0xfe));
  assert.deepEqual(framed(new Uint8Array(65535)).subarray(0, 2), bytes(0xff, 0xff));
  assert.equal(framed(new Uint8Array(65536)), null);
});
