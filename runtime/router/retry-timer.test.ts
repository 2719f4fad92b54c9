/**
 * The retry timer wakes the router only while a failed send waits for its retry (issue 12: an idle relay sleeps).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { watchTimers, type TimerWatch } from '../testing/timer-watch.js';
import { Network, waitFor, type TestRelay } from './testing/relay-fixture.js';

let net: Network;
let timers: TimerWatch;
test.before.each(() => {
  net = new Network();
  timers = watchTimers(/[/\\]router\.[jt]s:/);
});
test.after.each(async () => {
  timers.stop();
  await net.close();
});

const inboxTexts = (r: TestRelay): string[] => r.router.inbox().map((e) => e.text);

/** Makes the next `n` bundle sends on A's first bearer fail as unreachable. */
function failBundleSends(a: TestRelay, n: number): { left: () => number } {
  const bearer = a.bearers[0]!;
  const send = bearer.send.bind(bearer);
  let failures = n;
  bearer.send = async (frame, options) => (frame.kind === 'bundle' && failures-- > 0 ? 'unreachable' : send(frame, options));
  return { left: () => failures };
}

test('an idle router holds no timer; a failed send arms the retry timer until its retry went out', async () => {
  const a = await net.relay('a', { router: { retryIntervalMs: 40 } });
  const b = await net.relay('b');
  net.link(a, b);
  await waitFor('A idle: no router timer armed', () => timers.armed() === 0);
  const failing = failBundleSends(a, 2);
  const { bundleId } = await a.router.send({ to: b.identity.nodeIdHex, text: 'after two failures' });
  await waitFor('B inbox', () => inboxTexts(b).includes('after two failures'));
  await waitFor('delivered', () => a.router.bundleView(bundleId)?.state === 'delivered');
  assert.is(failing.left(), -1, 'two failed attempts, then the one that worked');
  assert.is(a.router.bundleView(bundleId)!.events.filter((e) => e.event === 'sent').length, 3);
  await waitFor('A idle again: no router timer armed', () => timers.armed() === 0);
});

test.run();
