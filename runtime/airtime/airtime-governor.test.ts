import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AirtimeGovernor } from './airtime-governor.js';
import { AirtimeLedger } from './airtime-ledger.js';
import { EU868, US915 } from '../../lib/lora/regions.js';
import { ManualClock } from '../../lib/testing/manual-clock.js';
import { waitFor } from '../../lib/testing/wait-for.js';
import { MemoryLedgerStore } from './testing/memory-ledger-store.js';

const H = 3_600_000;
const m = 868_300_000; // eu868-m, 1 %
const p = 869_525_000; // eu868-p, 10 %

/** The governor's waits pass at once: each sleep moves the clock by its length. */
const autoClock = () => new ManualClock(1_700_000_000_000, { autoAdvance: true });

function setup(policy: 'wait' | 'fail' = 'wait', store = new MemoryLedgerStore(), clock = autoClock()) {
  const ledger = new AirtimeLedger({ store, now: () => clock.now() });
  const events: string[] = [];
  const governor = new AirtimeGovernor({
    region: EU868, ledger, policy, clock,
    observer: { dutyCycleWait: (b, w) => events.push(`wait ${b} ${w}`), airtime: (b, ms) => events.push(`air ${b} ${ms}`) },
  });
  return { ledger, governor, clock, store, events };
}

const settle = <T>(p: Promise<T>) => p.then((v) => ({ ok: true as const, v }), (e: Error) => ({ ok: false as const, e }));

test('1 % sub-band: 36 s per rolling hour, then a send waits exactly until the oldest airtime leaves the window', async () => {
  const { governor, clock, events, ledger } = setup();
  const t0 = clock.now();
  for (let i = 0; i < 36; i++) {
    await governor.permit({ frequencyHz: m, bandwidthHz: 125_000, airtimeMs: 1000 });
    await clock.advance(1000);
  }
  assert.is(clock.sleeps.length, 0);
  assert.is(ledger.usedMs('eu868-m'), 36_000);
  await governor.permit({ frequencyHz: m, bandwidthHz: 125_000, airtimeMs: 1000 }); // waits
  assert.equal(clock.sleeps, [H - 36_000]);
  assert.is(clock.now(), t0 + H);
  assert.ok(events.includes(`wait eu868-m ${H - 36_000}`));
  // The 10 % sub-band was untouched meanwhile.
  assert.is(governor.waitMs({ frequencyHz: p, bandwidthHz: 250_000, airtimeMs: 2000 }), 0);
});

test("policy 'fail' rejects with DutyCycleExceededError carrying the wait, and books nothing", async () => {
  const { governor, clock, ledger } = setup('fail');
  await governor.permit({ frequencyHz: m, bandwidthHz: 125_000, airtimeMs: 36_000 });
  await clock.advance(60_000);
  const r = await settle(governor.permit({ frequencyHz: m, bandwidthHz: 125_000, airtimeMs: 500 }));
  assert.is(r.ok, false);
  if (r.ok) return;
  assert.is(r.e.name, 'DutyCycleExceededError');
  // The 36 s frame must leave the window by 500 ms: it started at t0, so the 500 ms frame ends at t0 + H + 500.
  assert.is((r.e as unknown as { waitMs: number }).waitMs, H - 60_000);
  assert.is(ledger.usedMs('eu868-m'), 36_000);
  // A frame longer than the whole 0.1 % budget (3.6 s) fails even in 'wait' mode (waiting cannot help).
  const w = setup('wait');
  const r2 = await settle(w.governor.permit({ frequencyHz: 864_000_000, bandwidthHz: 125_000, airtimeMs: 3700 }));
  assert.is(!r2.ok && r2.e.name, 'DutyCycleExceededError');
});

test('a waiting send is abortable and books nothing', async () => {
  const clock = new ManualClock();
  const { governor, ledger } = setup('wait', new MemoryLedgerStore(), clock);
  await governor.permit({ frequencyHz: m, bandwidthHz: 125_000, airtimeMs: 36_000 });
  await clock.advance(36_000); // that frame is now on the air until here
  const ac = new AbortController();
  const pending = settle(governor.permit({ frequencyHz: m, bandwidthHz: 125_000, airtimeMs: 100 }, { signal: ac.signal }));
  await waitFor('the send to wait for budget', () => clock.pending() > 0, 10_000, 1);
  assert.is(clock.pending(), 1, 'the send is waiting for budget');
  await clock.advance(1000);
  ac.abort();
  const r = await pending;
  assert.is(!r.ok && r.e.name, 'AbortError');
  assert.is(ledger.usedMs('eu868-m'), 36_000);
  assert.is(ledger.snapshot().records.length, 1);
});

test('duty cycle holds across a restart: a new governor on the same store keeps waiting', async () => {
  const store = new MemoryLedgerStore();
  const clock = autoClock();
  const a = setup('fail', store, clock);
  await a.ledger.start();
  await a.governor.permit({ frequencyHz: p, bandwidthHz: 250_000, airtimeMs: 360_000 - 1000 });
  await clock.advance(359_000 + 5 * 60_000);
  const b = setup('fail', store, clock);
  await b.ledger.start();
  const r = await settle(b.governor.permit({ frequencyHz: p, bandwidthHz: 250_000, airtimeMs: 2000 }));
  assert.is(!r.ok && r.e.name, 'DutyCycleExceededError');
  await b.governor.permit({ frequencyHz: p, bandwidthHz: 250_000, airtimeMs: 1000 });
});

test('US915 dwell: a frame over 400 ms below 500 kHz fails with DwellTimeExceededError; 500 kHz channels have no dwell', async () => {
  const clock = autoClock();
  const ledger = new AirtimeLedger({ now: () => clock.now() });
  const governor = new AirtimeGovernor({ region: US915, ledger, clock });
  const r = await settle(governor.permit({ frequencyHz: 906_875_000, bandwidthHz: 250_000, airtimeMs: 400.5 }));
  assert.is(!r.ok && r.e.name, 'DwellTimeExceededError');
  await governor.permit({ frequencyHz: 906_875_000, bandwidthHz: 250_000, airtimeMs: 400 });
  await governor.permit({ frequencyHz: 915_000_000, bandwidthHz: 500_000, airtimeMs: 900 });
  assert.is(clock.sleeps.length, 0);
});

test('LBT: a busy CAD defers by a random back-off and retries; always busy -> ChannelBusyError', async () => {
  const clock = autoClock();
  const ledger = new AirtimeLedger({ now: () => clock.now() });
  const answers = [true, true, false];
  let cads = 0;
  const governor = new AirtimeGovernor({
    region: EU868, ledger, clock, random: () => 0.5,
    lbt: { channelActivity: async () => { cads++; return answers.shift() ?? true; }, attempts: 3, backoffMs: [100, 300] },
  });
  await governor.permit({ frequencyHz: p, bandwidthHz: 250_000, airtimeMs: 100 });
  assert.is(cads, 3);
  assert.equal(clock.sleeps, [200, 200]);
  assert.is(ledger.usedMs('eu868-p', clock.now() + 100), 100);
  const r = await settle(governor.permit({ frequencyHz: p, bandwidthHz: 250_000, airtimeMs: 100 }));
  assert.is(!r.ok && r.e.name, 'ChannelBusyError');
  assert.is(ledger.usedMs('eu868-p', clock.now() + 100), 100);
});

test('LBT quiet time: after a frame heard, no CAD before the quiet time is over; a frame heard meanwhile extends it', async () => {
  const clock = new ManualClock();
  const ledger = new AirtimeLedger({ now: () => clock.now() });
  // What the bearer does in onPacket: a frame just ended, keep quiet 30 ms (one slot plus random slots).
  let quietUntil = clock.now() + 30;
  const cadsAt: number[] = [];
  const governor = new AirtimeGovernor({
    region: EU868, ledger, clock,
    lbt: { channelActivity: async () => (cadsAt.push(clock.now()), false), quietMs: () => quietUntil - clock.now() },
  });
  const t0 = clock.now();
  const permitted = governor.permit({ frequencyHz: p, bandwidthHz: 250_000, airtimeMs: 100 });
  await waitFor('the permit to wait or to CAD', () => clock.pending() === 1 || cadsAt.length > 0, 10_000, 1);
  assert.equal(cadsAt, [], 'no CAD while keeping quiet');
  assert.is(clock.nextAt(), t0 + 30, 'one wait, to the end of the quiet time');
  await clock.advance(20);
  quietUntil = clock.now() + 30; // another frame ended 20 ms in
  await clock.advance(10); // the first wait is over: the governor asks again and waits for the rest
  assert.is(clock.pending(), 1);
  assert.is(clock.nextAt(), t0 + 50);
  assert.equal(cadsAt, []);
  await clock.advance(20);
  await permitted;
  assert.equal(cadsAt, [t0 + 50], 'one CAD, when the quiet time after the last frame heard is over');
  assert.is(ledger.snapshot().records[0]![1], t0 + 50);
  // Quiet time over: the next permit CADs at once, without waiting.
  await governor.permit({ frequencyHz: p, bandwidthHz: 250_000, airtimeMs: 100 });
  assert.equal(cadsAt, [t0 + 50, t0 + 50]);
});

test('concurrent permits are serialised and never overspend', async () => {
  const { governor, clock, ledger } = setup('fail');
  const results = await Promise.all(
    Array.from({ length: 5 }, () => settle(governor.permit({ frequencyHz: m, bandwidthHz: 125_000, airtimeMs: 10_000 }))),
  );
  assert.equal(results.map((r) => r.ok), [true, true, true, false, false]);
  assert.is(ledger.usedMs('eu868-m', clock.now() + 10_000), 30_000);
});

test.run();
