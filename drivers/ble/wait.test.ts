/** bounded(): a BlueZ call raced against its timeout and the link's lifetime. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bounded } from './wait.js';

test('a reply received just before the link-lost signal (one D-Bus read) wins: the write was answered', async () => {
  const link = new AbortController();
  let reply!: (v: string) => void;
  const call = bounded(new Promise<string>((r) => (reply = r)), 'a write', 1000, link.signal);
  // Both in one synchronous turn, reply first: its promise job runs after the signal handler.
  reply('answered');
  link.abort(new Error('device gone'));
  assert.is(await call, 'answered');
});

test('a call with no reply fails when the link goes, and on its timeout, naming what it waited for', async () => {
  const link = new AbortController();
  const lost = bounded(new Promise<never>(() => undefined), 'a write', 1000, link.signal);
  link.abort(new Error('device gone'));
  await lost.then(() => assert.unreachable('resolved'), (e: Error) => assert.is(e.message, 'device gone'));
  await bounded(new Promise<never>(() => undefined), 'a read of X', 10).then(() => assert.unreachable('resolved'), (e: Error) => {
    assert.is(e.name, 'BleTimeoutError');
    assert.match(e.message, 'a read of X');
  });
  const already = AbortSignal.abort(new Error('was gone'));
  await bounded(Promise.resolve(1), 'x', 1000, already).then(() => assert.unreachable('resolved'), (e: Error) => assert.is(e.message, 'was gone'));
});

test.run();
