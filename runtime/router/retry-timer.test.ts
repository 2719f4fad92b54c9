/**
 * The retry timer wakes the router only while a failed send waits for its retry (issue 12: an idle relay sleeps).
 * The relays run on the network's fast-forward clock, which counts the timers armed under each name.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Network, waitFor, type TestRelay } from './testing/relay-fixture.js';

let net: Network;
test.before.each(() => {
  net = new Network();
});
test.after.each(async () => {
  await net.close();
});

const inboxTexts = (r: TestRelay): string[] => r.router.inbox().map((e) => e.text);
const RETRY = 'router retry';

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
  await waitFor('A idle: no retry timer armed', () => net.clock.pending(RETRY) === 0 && a.router.retryDueAt === undefined);
  const armedBefore = net.clock.armedTotal(RETRY);
  const failing = failBundleSends(a, 2);
  const { bundleId } = await a.router.send({ to: b.identity.nodeIdHex, text: 'after two failures' });
  await waitFor('B inbox', () => inboxTexts(b).includes('after two failures'));
  await waitFor('delivered', () => a.router.bundleView(bundleId)?.state === 'delivered');
  assert.is(failing.left(), -1, 'two failed attempts, then the one that worked');
  assert.is(a.router.bundleView(bundleId)!.events.filter((e) => e.event === 'sent').length, 3);
  assert.ok(net.clock.armedTotal(RETRY) - armedBefore >= 2, 'each failure armed the retry timer');
  await waitFor('A idle again: no retry timer armed', () => net.clock.pending(RETRY) === 0 && a.router.retryDueAt === undefined);
});

test.run();
