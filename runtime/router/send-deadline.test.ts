import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getEventListeners } from 'node:events';
import { sendDeadline } from './send-deadline.js';
import { waitFor } from '../../lib/testing/wait-for.js';

test('aborts with the router stop reason, or with a TimeoutError naming the send', async () => {
  const stop = new AbortController();
  const a = sendDeadline(stop.signal, 60_000, 'sending a bundle to x');
  stop.abort(new Error('router stopping'));
  assert.is(a.signal.aborted, true);
  assert.is((a.signal.reason as Error).message, 'router stopping');
  a.done();
  const b = sendDeadline(new AbortController().signal, 5, 'sending a bundle to y');
  await waitFor('the deadline', () => b.signal.aborted);
  assert.is((b.signal.reason as Error).name, 'TimeoutError');
  assert.match((b.signal.reason as Error).message, /sending a bundle to y timed out after 5 ms/);
  b.done();
  const already = new AbortController();
  already.abort(new Error('gone'));
  assert.is(sendDeadline(already.signal, 1000, 'z').signal.aborted, true);
});

test('done() leaves nothing on the long-lived stop signal, however many sends', () => {
  const stop = new AbortController();
  for (let i = 0; i < 10_000; i++) {
    const d = sendDeadline(stop.signal, 30_000, 'send');
    d.done();
  }
  assert.is(getEventListeners(stop.signal, 'abort').length, 0);
  // AbortSignal.any([stop.signal, …]) would have registered a dependant signal on stop.signal for each of them.
});

test.run();
