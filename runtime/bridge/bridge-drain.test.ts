/**
 * One direction's drain on a manual clock: the paces the bridge sets itself (rate limit, hold-off) wait on the clock,
 * parts leave in order, each after the router reported the previous one handed to its radio.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RadioGateway } from '../bearer/radio-gateway.js';
import { createLogger, setLogSink } from '../log/logger.js';
import { ManualClock } from '../../lib/testing/manual-clock.js';
import { waitFor } from '../../lib/testing/wait-for.js';
import { BridgeDrain } from './bridge-drain.js';
import { BridgeEvents } from './bridge-events.js';
import { BridgeMetrics } from './bridge-metrics.js';
import { BridgeQueue, type NewEntry, type QueueName } from './bridge-queue.js';
import { DeliveryWaits } from './delivery-waits.js';
import { PeerHoldoff } from './peer-holdoff.js';
import { SendLimiter } from './send-limiter.js';

setLogSink(() => undefined, 'silent');

const SOURCE = 'ab'.repeat(32);
const parts = (n: number): Array<NewEntry & { queue: QueueName }> => Array.from({ length: n }, (_, i) => ({
  queue: 'mt-to-mc', source: SOURCE, target: 'mc:ch:0', text: `MT@Alice: part ${i + 1}`, sentAt: 1_000 + i, kind: 'broadcast', part: i + 1, parts: n,
}));

async function rig(clock: ManualClock, holdoffMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-drain-'));
  const queue = new BridgeQueue(join(dir, 'bridge'), 100);
  await queue.start();
  const log = createLogger('bridge');
  const deliveries = new DeliveryWaits({ vault: { outbox: () => undefined }, timeoutMs: 10_000, log });
  const sent: string[] = [];
  const events = new BridgeEvents();
  const holdoff = new PeerHoldoff({ holdoffMs, memoryMs: 600_000, ownShortId: 'aaaaaaaaaaaa', now: () => clock.now() });
  const drain = new BridgeDrain({
    queueName: 'mt-to-mc', net: 'mc', queue, radio: { canReach: () => true } as unknown as RadioGateway,
    limiter: new SendLimiter({ messagesPerMinute: 60, burst: 1 }, () => clock.now()), holdoff, deliveries,
    // The router: stores the bundle, and a moment later reports it handed to the radio.
    send: async (r) => {
      const bundleId = String(sent.push(r.text)).padStart(64, '0');
      setImmediate(() => deliveries.settle(bundleId));
      return { bundleId };
    },
    vault: { trace: () => undefined }, counters: new BridgeMetrics(undefined, () => 0), events, clock, log, pollMs: 1000, made: () => undefined,
  });
  const stop = new AbortController();
  return {
    queue, drain, sent, events, holdoff,
    run: () => drain.run(stop.signal),
    async close(running: Promise<void>) {
      stop.abort();
      drain.wake();
      await running;
      await queue.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('parts leave in order, each paced by the rate limit on the clock', async () => {
  const clock = new ManualClock(1_000_000, { autoAdvance: true });
  const r = await rig(clock, 0);
  await r.queue.add(SOURCE, clock.now(), parts(3));
  const running = r.run();
  try {
    await waitFor('three parts sent', () => r.sent.length === 3 && r.queue.depth('mt-to-mc') === 0);
    assert.equal(r.sent, ['MT@Alice: part 1', 'MT@Alice: part 2', 'MT@Alice: part 3']);
    // Burst 1 at 60/min: parts 2 and 3 each waited a second, on the clock (it moved; nobody slept).
    assert.equal(clock.sleeps.filter((ms) => ms > 0), [1000, 1000]);
    assert.is(clock.now(), 1_002_000);
  } finally {
    await r.close(running);
  }
});

test('in its hold-off, a part the other bridge sent first is dropped, not sent', async () => {
  const clock = new ManualClock(1_000_000);
  const r = await rig(clock, 10_000);
  r.holdoff.heard('mc', 'Relay2-mc: MT@Bob: earlier words');
  await r.queue.add(SOURCE, clock.now(), [{ ...parts(1)[0]!, sentAt: clock.now() }]);
  const dropped: string[] = [];
  r.events.on('dropped', (e) => dropped.push(e.reason));
  const running = r.run();
  try {
    await waitFor('the part waits out its hold-off', () => clock.pending() === 1);
    r.holdoff.heard('mc', 'Relay2-mc: MT@Alice: part 1');
    r.drain.wake();
    await waitFor('dropped as a duplicate', () => dropped.includes('duplicate'));
    assert.equal(r.sent, []);
    assert.is(r.queue.depth('mt-to-mc'), 0);
  } finally {
    await r.close(running);
  }
});

test('the hold-off passes on the clock, then the part goes', async () => {
  const clock = new ManualClock(1_000_000);
  const r = await rig(clock, 10_000);
  r.holdoff.heard('mc', 'Relay2-mc: MT@Bob: earlier words');
  await r.queue.add(SOURCE, clock.now(), [{ ...parts(1)[0]!, sentAt: clock.now() }]);
  const running = r.run();
  try {
    await waitFor('the part waits out its hold-off', () => clock.pending() === 1);
    assert.equal(r.sent, []);
    await clock.advance(10_000);
    await waitFor('sent', () => r.sent.length === 1);
  } finally {
    await r.close(running);
  }
});

test.run();
