import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getEventListeners } from 'node:events';
import { abortable } from './abortable.js';

const outcome = (p: Promise<unknown>) => p.then((v) => ({ v }), (e: unknown) => ({ e }));

test('settles as the promise does and removes its abort listener', async () => {
  const ac = new AbortController();
  assert.equal(await outcome(abortable(Promise.resolve(7), ac.signal)), { v: 7 });
  const err = new Error('no');
  assert.equal(await outcome(abortable(Promise.reject(err), ac.signal)), { e: err });
  assert.is(getEventListeners(ac.signal, 'abort').length, 0);
  assert.equal(await outcome(abortable(Promise.resolve('no signal'))), { v: 'no signal' });
});

test('rejects with the signal reason when it aborts first', async () => {
  const ac = new AbortController();
  const reason = new Error('stopped');
  const p = outcome(abortable(new Promise(() => undefined), ac.signal));
  ac.abort(reason);
  assert.equal(await p, { e: reason });
});

test('an already aborted signal rejects at once, and a late rejection of the work is not left unhandled', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (r: unknown) => unhandled.push(r);
  process.on('unhandledRejection', onUnhandled);
  try {
    let fail!: (e: Error) => void;
    const work = new Promise((_, reject) => (fail = reject));
    const reason = new Error('already stopped');
    assert.equal(await outcome(abortable(work, AbortSignal.abort(reason))), { e: reason });
    fail(new Error('late failure'));
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test.run();
