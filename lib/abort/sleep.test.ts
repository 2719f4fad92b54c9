import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getEventListeners } from 'node:events';
import { sleep } from './sleep.js';

const outcome = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => e);

test('resolves after the time, with or without a signal, and leaves no listener on the signal', async () => {
  const ac = new AbortController();
  const t0 = performance.now();
  await sleep(5);
  await sleep(5, { signal: ac.signal });
  assert.ok(performance.now() - t0 >= 9);
  assert.is(getEventListeners(ac.signal, 'abort').length, 0);
});

test('rejects with the signal reason on abort: a typed stop error stays typed, a deadline stays a TimeoutError', async () => {
  const stop = new AbortController();
  const stopped = Object.assign(new Error('bearer lora0 stopped'), { name: 'AbortError' });
  const p = outcome(sleep(60_000, { signal: stop.signal }));
  stop.abort(stopped);
  assert.is(await p, stopped);
  assert.is(getEventListeners(stop.signal, 'abort').length, 0);
  const timedOut = (await outcome(sleep(60_000, { signal: AbortSignal.timeout(5) }))) as Error;
  assert.is(timedOut.name, 'TimeoutError');
});

test('an already aborted signal rejects at once with its reason', async () => {
  const reason = new Error('gone');
  assert.is(await outcome(sleep(60_000, { signal: AbortSignal.abort(reason) })), reason);
  assert.is(((await outcome(sleep(0, { signal: AbortSignal.abort() }))) as Error).name, 'AbortError');
});

test.run();
