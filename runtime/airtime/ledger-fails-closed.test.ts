/**
 * Radio law fails closed (issue 15): restarts never grant a second budget, a ledger that cannot be saved lets no
 * frame out, and a wall-clock jump (NTP stepping a Pi without RTC) grants no second budget either.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AirtimeGovernor } from './airtime-governor.js';
import { AirtimeLedger } from './airtime-ledger.js';
import { FileLedgerStore } from './file-ledger-store.js';
import { MemoryLedgerStore } from './testing/memory-ledger-store.js';
import type { LedgerSnapshot } from './ledger-store.js';
import { EU868, US915 } from '../../lib/lora/regions.js';
import { ManualClock } from '../../lib/testing/manual-clock.js';
import { timeOnAirMs } from '../../lib/lora/time-on-air.js';
import { MESHTASTIC_PREAMBLE, MeshtasticModemPresets } from '../../lib/lora/meshtastic-presets.js';

const H = 3_600_000;
const T0 = 1_700_000_000_000;
const P = { frequencyHz: 869_525_000, bandwidthHz: 250_000 }; // eu868-p, 10 %: 360 s per hour
const BUDGET = 360_000;
/** A 255-byte LongFast frame (the audit's case): ~1.2 s. */
const FRAME = timeOnAirMs({ ...MeshtasticModemPresets.LONG_FAST, preambleLength: MESHTASTIC_PREAMBLE, explicitHeader: true, crcOn: true }, 255);

/** A file store on a card that went read-only at some point: saves fail with EROFS from then on. */
class CardStore extends FileLedgerStore {
  readOnly = false;
  override async save(snapshot: LedgerSnapshot): Promise<void> {
    if (this.readOnly) throw Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });
    return super.save(snapshot);
  }
}

/** One run of the relay: a fresh ledger and governor on the same file, sending until the law says no. */
async function run(path: string, clock: ManualClock, card: { readOnly: boolean }) {
  const store = new CardStore(path);
  store.readOnly = card.readOnly;
  let onAir = 0;
  let refused = 0;
  const ledger = new AirtimeLedger({ store, now: () => clock.now() });
  const governor = new AirtimeGovernor({
    region: EU868, ledger, clock, policy: 'fail',
    observer: { airtime: (_b, ms) => (onAir += ms), ledgerRefused: () => refused++ },
  });
  await ledger.start();
  let last = '';
  for (let i = 0; i < 1000; i++) {
    const r = await governor.permit({ ...P, airtimeMs: FRAME }).then(() => 'sent', (e: Error) => e.name);
    if (r !== 'sent') {
      last = r;
      break;
    }
    await clock.advance(FRAME + 500); // on the air, then a short pause
  }
  await ledger.stop();
  return { onAir, refused, last };
}

test('restart loop: six starts within one hour never put more than the hourly budget on the air', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-law-'));
  try {
    const clock = new ManualClock(T0);
    let total = 0;
    for (let start = 0; start < 6; start++) {
      const r = await run(join(dir, 'airtime.json'), clock, { readOnly: false });
      total += r.onAir;
      assert.is(r.last, 'DutyCycleExceededError', `start ${start} stopped by the budget`);
      await clock.advance(3 * 60_000); // the service restarts three minutes later
    }
    assert.ok(clock.now() - T0 < H);
    assert.ok(total <= BUDGET, `${total} ms on air in one hour, budget ${BUDGET}`);
    assert.ok(total > BUDGET - FRAME, 'the whole budget was usable');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('read-only card: once saves fail no frame goes out, each refusal counted, over any number of restarts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-law-'));
  try {
    const clock = new ManualClock(T0);
    const path = join(dir, 'airtime.json');
    // First run on a healthy card spends a third of the budget; then the card turns read-only (ext4 errors=remount-ro).
    const first = new AirtimeLedger({ store: new CardStore(path), now: () => clock.now() });
    await first.start();
    await first.record('eu868-p', clock.now(), BUDGET / 3);
    await first.stop();
    let total = BUDGET / 3;
    let refused = 0;
    for (let start = 0; start < 5; start++) {
      await clock.advance(3 * 60_000);
      const r = await run(path, clock, { readOnly: true });
      assert.is(r.last, 'LedgerSaveError', `start ${start}`);
      assert.is(r.onAir, 0);
      assert.is(r.refused, 1);
      total += r.onAir;
      refused += r.refused;
    }
    assert.ok(total <= BUDGET);
    assert.is(refused, 5);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** A ledger whose wall clock (`wall`) and monotonic clock (`mono`) the test moves separately. */
function clocks(store = new MemoryLedgerStore(), bootId = 'boot-1', t = { wall: T0, mono: 50_000 }) {
  const jumps: number[] = [];
  const ledger = new AirtimeLedger({ store, now: () => t.wall, monotonicNow: () => t.mono, bootId, onClockJump: (j) => jumps.push(j) });
  const pass = (ms: number) => {
    t.wall += ms;
    t.mono += ms;
  };
  return { ledger, t, pass, jumps, store };
}

test('clock jump forward (NTP step after boot without RTC) grants no second budget; slew is not a jump', async () => {
  const { ledger, t, pass, jumps } = clocks();
  await ledger.start();
  await ledger.record('eu868-p', t.wall, 300_000);
  pass(300_000);
  t.wall += 40; // 40 ms of slew over 5 min: below the tolerance
  assert.is(ledger.usedMs('eu868-p'), 300_000);
  assert.equal(jumps, []);
  t.wall += 2 * H; // NTP steps the clock two hours forward
  assert.is(ledger.usedMs('eu868-p'), 300_000, 'the airtime keeps its real age (5 minutes)');
  assert.ok(ledger.waitMs('eu868-p', BUDGET, 100_000) > 0, 'no second budget');
  assert.is(jumps.length, 1);
  assert.ok(Math.abs(jumps[0]! - 2 * H) < 100);
  // It leaves the window when it really is an hour old, by the monotonic clock.
  pass(H - 300_000 - 1000);
  assert.ok(ledger.usedMs('eu868-p') > 0);
  pass(300_000 + 2000);
  assert.is(ledger.usedMs('eu868-p'), 0);
});

test('clock jump backward: records now "in the future" count for a whole window from now', async () => {
  const { ledger, t, pass, jumps } = clocks();
  await ledger.start();
  await ledger.record('eu868-p', t.wall, 300_000);
  pass(600_000);
  t.wall -= 5 * H;
  // Pulled back to now: the whole 300 s lie ahead in every window that ends later, so 100 s more do not fit.
  assert.ok(ledger.waitMs('eu868-p', BUDGET, 100_000) > 0);
  assert.is(jumps.length, 1);
  assert.ok(jumps[0]! < 0);
  // By the monotonic clock it would have left the window 5 minutes from now + 55 min; it is still counted whole.
  pass(H - 300_000);
  assert.is(ledger.usedMs('eu868-p'), 300_000, 'stricter than the monotonic account');
});

test('clock jump while the relay was down (restart in the same boot): caught from the saved anchor', async () => {
  const store = new MemoryLedgerStore();
  const t = { wall: T0, mono: 50_000 };
  const a = clocks(store, 'boot-1', t);
  await a.ledger.start();
  await a.ledger.record('eu868-p', t.wall, 300_000);
  a.pass(300_000);
  assert.is(a.ledger.usedMs('eu868-p'), 300_000);
  await a.ledger.stop();
  a.pass(60_000);
  t.wall += 3 * H; // stepped while no relay ran
  const b = clocks(store, 'boot-1', t);
  await b.ledger.start();
  assert.is(b.jumps.length, 1);
  assert.is(b.ledger.usedMs('eu868-p'), 300_000);
  // After a reboot the monotonic clock restarted: the anchor is not used, records from the future count from now.
  const c = clocks(store, 'boot-2', { wall: T0 - H, mono: 10 });
  await c.ledger.start();
  assert.is(c.jumps.length, 0);
  assert.ok(c.ledger.waitMs('eu868-p', BUDGET, 100_000) > 0);
  c.pass(H - 300_000);
  assert.is(c.ledger.usedMs('eu868-p'), 300_000);
});

test('US915: at most 400 ms per channel in any 10 s (250 kHz) or 20 s (125 kHz), other channels independent', async () => {
  const clock = new ManualClock(T0, { autoAdvance: true });
  const ledger = new AirtimeLedger({ now: () => clock.now() });
  const governor = new AirtimeGovernor({ region: US915, ledger, clock, policy: 'fail' });
  const ch = { frequencyHz: 906_875_000, bandwidthHz: 250_000 };
  await governor.permit({ ...ch, airtimeMs: 300 });
  await clock.advance(1000);
  const r = await governor.permit({ ...ch, airtimeMs: 200 }).then(() => undefined, (e: Error & { waitMs: number }) => e);
  assert.is(r?.name, 'DutyCycleExceededError');
  // The window ending with the new frame must hold only 400 ms: the first frame (t0..t0+300) must leave 100 ms of
  // it behind, i.e. the new frame ends at t0 + 100 + 10 s.
  assert.is(Math.round(r!.waitMs), T0 + 100 + 10_000 - 200 - clock.now());
  await governor.permit({ frequencyHz: 915_000_000, bandwidthHz: 250_000, airtimeMs: 390 }, {});
  const narrow = { frequencyHz: 903_000_000, bandwidthHz: 125_000 };
  await governor.permit({ ...narrow, airtimeMs: 390 });
  await clock.advance(15_000);
  const r2 = await governor.permit({ ...narrow, airtimeMs: 390 }).then(() => 'sent', (e: Error) => e.name);
  assert.is(r2, 'DutyCycleExceededError', '125 kHz: 20 s window');
  // 'wait' policy: back-to-back 399 ms frames go one per 10 s (4 % occupancy), not 100 % as with a dwell check only.
  const w = new AirtimeGovernor({ region: US915, ledger: new AirtimeLedger({ now: () => clock.now() }), clock });
  const start = clock.now();
  for (let i = 0; i < 20; i++) {
    await w.permit({ ...ch, airtimeMs: 399 });
    await clock.advance(399);
  }
  // The window may keep 1 ms of the previous frame: 400 − 399.
  assert.ok(clock.now() - start >= 19 * 9_999 + 399, `${clock.now() - start} ms for 20 frames`);
  // 500 kHz is a DTS channel: no time limit.
  for (let i = 0; i < 5; i++) await governor.permit({ frequencyHz: 915_000_000, bandwidthHz: 500_000, airtimeMs: 399 });
});

test.run();
