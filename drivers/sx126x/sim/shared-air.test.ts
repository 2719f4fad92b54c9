// The shared air's rules in virtual time (ManualClock): delivery, txdone, half duplex, busy, untuned, collisions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../lib/testing/manual-clock.js';
import { timeOnAirMs } from '../../../lib/lora/time-on-air.js';
import type { AirTuning } from './air-channel.js';
import { SharedAir, type AirEvent } from './shared-air.js';

const LF: AirTuning = { freqHz: 869_525_000, bwHz: 250_000, sf: 11, cr: 5, syncWord: 0x2b, preamble: 16, x: 0, y: 0 };
const toa = (bytes: number, t: AirTuning = LF) =>
  timeOnAirMs({ spreadingFactor: t.sf, bandwidthHz: t.bwHz, codingRate: t.cr, preambleLength: t.preamble, explicitHeader: true, crcOn: true }, bytes);

function setup() {
  const clock = new ManualClock(0);
  const air = new SharedAir({ clock });
  const make = (tuning?: Partial<AirTuning>) => {
    const got: AirEvent[] = [];
    const a = air.attach({ send: (e) => got.push(e) });
    if (tuning) a.tune({ ...LF, ...tuning });
    got.length = 0;
    return { a, got, rx: () => got.filter((e) => e.op === 'rx') as Extract<AirEvent, { op: 'rx' }>[] };
  };
  return { clock, air, make };
}

test('a frame: txdone to the sender after the Semtech time on air, rx to the others on the channel, never to itself', async () => {
  const { clock, air, make } = setup();
  const A = make({ x: 0 });
  const B = make({ x: 500 });
  const C = make({ x: 800, sf: 10 }); // other channel
  const D = make(); // never tuned
  A.a.transmit(Uint8Array.of(1, 2, 3));
  await clock.advance(toa(3) - 0.01);
  assert.equal(A.got, [], 'nothing before the frame left the air');
  await clock.advance(0.01);
  assert.equal(A.got, [{ op: 'txdone', airtimeMs: toa(3) }]);
  assert.is(B.rx().length, 1);
  assert.equal([...B.rx()[0]!.data], [1, 2, 3]);
  assert.ok(B.rx()[0]!.rssiDbm < -40 && B.rx()[0]!.snrDb > 0);
  assert.equal(C.got, []);
  assert.equal(D.got, []);
  assert.equal(air.stats(), { antennas: 4, frames: 1, deliveries: 1, collisions: 0, halfDuplex: 0, busy: 0, untuned: 0, ignoredLines: 0 });
});

test('tune is answered tuned; a tx while the previous frame is on air is busy; a tx before any tune is untuned', async () => {
  const { clock, air, make } = setup();
  const A = make();
  A.a.transmit(Uint8Array.of(1));
  assert.equal(A.got, [{ op: 'error', error: 'untuned' }]);
  A.a.tune(LF);
  assert.equal(A.got.at(-1), { op: 'tuned' });
  A.a.transmit(Uint8Array.of(1));
  A.a.transmit(Uint8Array.of(2));
  assert.equal(A.got.at(-1), { op: 'error', error: 'busy' });
  await clock.advance(toa(1));
  assert.equal(A.got.at(-1), { op: 'txdone', airtimeMs: toa(1) });
  A.a.transmit(Uint8Array.of(3)); // free again
  await clock.advance(toa(1));
  assert.is(A.got.filter((e) => e.op === 'txdone').length, 2);
  assert.is(air.stats().busy, 1);
  assert.is(air.stats().untuned, 1);
});

test('half duplex: an antenna that transmits during a frame does not get it (either order)', async () => {
  const { clock, air, make } = setup();
  const A = make({ x: 0 });
  const B = make({ x: 300 });
  // B on another SF (no collision at all), but still on the receive list of A's frame until it transmits.
  A.a.transmit(new Uint8Array(20));
  await clock.advance(10);
  B.a.tune({ ...LF, x: 300 });
  B.a.transmit(new Uint8Array(1)); // B starts mid-frame: it loses A's frame
  await clock.advance(toa(20));
  assert.equal(B.rx(), []);
  assert.is(A.rx().length, 0, "A was sending when B's frame started: it does not hear it");
  assert.is(air.stats().halfDuplex, 2);
});

test('collisions table: overlapping co-SF frames at one receiver, by capture margin; other SFs never collide', async () => {
  // A at x=0 sends to R; I at xI sends an overlapping frame. [what, I's position, I's SF, I's sync, R gets A, R gets I]
  const rows: Array<[string, number, number, number, boolean, boolean]> = [
    // R at x=1000, A 1000 m from it. 30·log10(d) path loss: 6 dB is a distance ratio of 1.585.
    ['equal distance: both lost', 2000, 11, 0x2b, false, false],
    ['interferer 1.5x farther (5.3 dB weaker): both lost', 2500, 11, 0x2b, false, false],
    ['interferer 1.7x farther (6.9 dB weaker): A captured', 2700, 11, 0x2b, true, false],
    ['interferer 100 m from R: it is captured, A lost', 1100, 11, 0x2b, false, true],
    ['other SF: no collision', 2000, 10, 0x2b, true, false],
    ['other sync word still interferes', 2000, 11, 0x12, false, false],
  ];
  for (const [what, xI, sfI, syncI, getsA, getsI] of rows) {
    const { clock, air, make } = setup();
    const A = make({ x: 0 });
    const R = make({ x: 1000 });
    const I = make({ x: xI, sf: sfI, syncWord: syncI });
    A.a.transmit(Uint8Array.of(0xaa));
    await clock.advance(5);
    I.a.transmit(Uint8Array.of(0x11));
    await clock.advance(5000);
    const got = R.rx().map((e) => e.data[0]);
    assert.is(got.includes(0xaa), getsA, `${what}: A at R`);
    assert.is(got.includes(0x11), getsI, `${what}: I at R`);
    assert.is(air.framesOnAir, 0);
    void A;
  }
});

test('capture by distance: a near sender survives a far one at the same receiver (> 6 dB), the far one is lost', async () => {
  const { clock, air, make } = setup();
  const near = make({ x: 100 });
  const far = make({ x: -1500 });
  const R = make({ x: 0 });
  far.a.transmit(Uint8Array.of(0xf));
  await clock.advance(1);
  near.a.transmit(Uint8Array.of(0xe));
  await clock.advance(5000);
  assert.equal(R.rx().map((e) => e.data[0]), [0xe]);
  assert.is(air.stats().collisions, 1, "the far frame's loss at R");
  // near and far are each other's receivers too, but both were transmitting: half duplex, not collision.
  assert.is(air.stats().halfDuplex, 2);
});

test('frames back to back do not collide; one that started on another channel hears nothing after retuning', async () => {
  const { clock, air, make } = setup();
  const A = make({ x: 0 });
  const B = make({ x: 0, y: 200 });
  const R = make({ x: 100 });
  A.a.transmit(Uint8Array.of(1));
  await clock.advance(toa(1));
  B.a.transmit(Uint8Array.of(2));
  await clock.advance(toa(1));
  assert.equal(R.rx().map((e) => e.data[0]), [1, 2]);
  A.a.transmit(Uint8Array.of(3));
  R.a.tune({ ...LF, x: 100, freqHz: LF.freqHz + 250_000 });
  await clock.advance(toa(1));
  assert.equal(R.rx().map((e) => e.data[0]), [1, 2], 'tuned away while it was on air');
  assert.is(air.stats().collisions, 0);
});

test('out of range: nothing, and no collision counted for a receiver that never heard it', async () => {
  const { clock, air, make } = setup();
  const A = make({ x: 0 });
  const R = make({ x: 20_000 });
  A.a.transmit(Uint8Array.of(1));
  await clock.advance(5000);
  assert.equal(R.got, []);
  assert.is(air.stats().deliveries, 0);
});

test('a detached antenna gets nothing; its frame still ends and others still hear it', async () => {
  const { clock, air, make } = setup();
  const A = make({ x: 0 });
  const R = make({ x: 10 });
  A.a.transmit(Uint8Array.of(9));
  A.a.detach();
  await clock.advance(5000);
  assert.equal(A.got, []);
  assert.is(R.rx().length, 1);
  assert.is(air.stats().antennas, 1);
});

test.run();
