import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PeerHoldoff } from './peer-holdoff.js';
import type { QueueEntry } from './bridge-queue.js';

const entry = (part: number, sentAt: number): QueueEntry => ({ seq: part, source: 'ab'.repeat(32), target: 'mc:ch:0', text: `part ${part}`, sentAt, kind: 'broadcast', part, parts: 3 });

test('no wait until another bridge is heard, then a fixed share of the hold-off per part, for an hour', () => {
  let now = 1_000_000;
  const h = new PeerHoldoff({ holdoffMs: 8000, memoryMs: 600_000, ownShortId: 'aaaaaaaaaaaa', now: () => now });
  assert.not.ok(h.active('mc'));
  h.heard('mc', 'MT@Alice: hello');
  assert.ok(h.active('mc'));
  assert.not.ok(h.active('mt'), 'per mesh');
  for (const part of [1, 2, 3]) {
    const wait = h.remainingMs(entry(part, now));
    assert.ok(wait >= 2000 && wait < 8000, `a share in [1/4, 1): ${wait}`);
    assert.is(h.remainingMs(entry(part, now)), wait, 'fixed per relay and part');
  }
  const other = new PeerHoldoff({ holdoffMs: 8000, memoryMs: 600_000, ownShortId: 'bbbbbbbbbbbb', now: () => now });
  assert.ok([1, 2, 3].some((p) => other.remainingMs(entry(p, now)) !== h.remainingMs(entry(p, now))), 'another relay picks other moments');
  now += 3_600_000;
  assert.not.ok(h.active('mc'), 'forgotten after an hour');
});

test('words another bridge sent first are recognised across prefixes; holdoffMs 0 never waits', () => {
  const now = 5_000;
  const h = new PeerHoldoff({ holdoffMs: 0, memoryMs: 600_000, ownShortId: 'aaaaaaaaaaaa', now: () => now });
  h.heard('mt', 'Relay2-mc: MC@Bob: the road is open');
  assert.ok(h.sentFirst('mt', 'MC@Bob: the road is open'));
  assert.not.ok(h.sentFirst('mc', 'MC@Bob: the road is open'));
  assert.not.ok(h.active('mt'));
});

test.run();
