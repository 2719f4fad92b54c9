import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeafWatchdog } from './deaf-watchdog.js';
import { LoraBearer } from './lora-bearer.js';
import { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import { EU868 } from '../../../lib/lora/regions.js';
import { latticeModulation } from '../../../lib/lora/lattice-presets.js';
import { ManualClock } from '../../../lib/testing/manual-clock.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { generateIdentity } from '../../identity/identity.js';
import { createMetrics } from '../../metrics/metrics.js';
import type { LoraRadio, RxPacket } from '../../../drivers/sx126x/lora-radio.js';

const MIN = 60_000;

test('deaf after max(10 × mean gap, floor) of silence once the channel was busy; backs off after a restart', () => {
  const w = new DeafWatchdog({ floorMs: 5 * MIN });
  let t = 0;
  for (let i = 0; i < 7; i++) w.heard((t += 60_000));
  assert.is(w.thresholdMs(), undefined, 'seven frames are not yet a history');
  assert.is(w.deafFor(t + 24 * 60 * MIN), 0);
  w.heard((t += 60_000));
  assert.is(w.thresholdMs(), 10 * MIN, 'mean gap 1 min: 10 min');
  assert.is(w.deafFor(t + 10 * MIN), 0);
  assert.is(w.deafFor(t + 10 * MIN + 1), 1);
  // A busier channel: the floor holds.
  const busy = new DeafWatchdog({ floorMs: 5 * MIN });
  for (let i = 0; i < 20; i++) busy.heard(i * 1000);
  assert.is(busy.thresholdMs(), 5 * MIN);
  // Restarted: the next try waits twice as long, up to 8×; a frame heard resets it.
  const at = t + 11 * MIN;
  w.restarted(at);
  assert.is(w.deafFor(at + 20 * MIN), 0);
  assert.ok(w.deafFor(at + 20 * MIN + 1) > 0);
  for (let i = 0; i < 5; i++) w.restarted(at);
  assert.is(w.thresholdMs(), 80 * MIN);
  w.heard(at + MIN);
  assert.ok(w.thresholdMs()! < 20 * MIN);
});

/** A radio the test drives: delivers packets on demand, can go deaf, counts what the bearer asks of it. */
class ScriptedRadio implements LoraRadio {
  calls: string[] = [];
  deaf = false;
  private listeners = new Set<(p: RxPacket) => void>();
  async configure(): Promise<void> {
    this.calls.push('configure');
  }
  async start(): Promise<void> {
    this.calls.push('start');
    this.deaf = false; // what a reset and init sequence does to a chip that lost its RX state
  }
  async transmit(payload: Uint8Array): Promise<{ airtimeMs: number }> {
    this.calls.push(`tx ${payload.length}`);
    return { airtimeMs: 10 };
  }
  async startReceive(): Promise<void> {
    this.calls.push('startReceive');
  }
  async channelActivity(): Promise<boolean> {
    return false;
  }
  onPacket(l: (p: RxPacket) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  async standby(): Promise<void> {
    this.calls.push('standby');
  }
  async close(): Promise<void> {}
  /** A frame on the air: heard unless deaf. */
  air(at: number): void {
    if (this.deaf) return;
    const p: RxPacket = { payload: Uint8Array.of(0xff, 1, 2), rssi: -90, snr: 5, crcError: false, receivedAt: at };
    for (const l of this.listeners) l(p);
  }
}

test('the LoRa bearer re-initialises a radio that went deaf, counts and logs it, and hears again', async () => {
  const clock = new ManualClock(1_700_000_000_000);
  const radio = new ScriptedRadio();
  const metrics = createMetrics();
  const { modulation } = latticeModulation({ preset: 'ShortFast', region: 'EU_868' });
  const bearer = new LoraBearer({
    name: 'lora0', radio, nodeId: generateIdentity().nodeId, modulation, region: EU868, ledger: new AirtimeLedger({ now: () => clock.now() }),
    clock, advertOnStart: false, advertIntervalMs: 0, deafWatchdog: { floorMs: 5 * MIN }, metrics,
  });
  await bearer.start();
  try {
    // A busy channel: a frame every 20 s for 10 minutes.
    for (let i = 0; i < 30; i++) {
      await clock.advance(20_000);
      radio.air(clock.now());
      bearer.sweep();
    }
    assert.is(bearer.metrics.counters.deaf_restarts, undefined);
    // The chip loses its RX state: the channel stays as busy, the radio hears nothing.
    radio.deaf = true;
    radio.calls = [];
    for (let i = 0; i < 16; i++) {
      await clock.advance(20_000);
      radio.air(clock.now());
      bearer.sweep();
    }
    assert.is(bearer.metrics.counters.deaf_restarts, 1, 'after 5 min (the floor) of silence, once');
    await waitFor('the re-initialisation', () => radio.calls.includes('startReceive'), 5000, 1);
    assert.equal(radio.calls, ['standby', 'start', 'configure', 'startReceive']);
    assert.match(await metrics.render(), /lattice_lora_deaf_restarts_total\{bearer="lora0"\} 1/);
    // It hears again: no further restarts.
    for (let i = 0; i < 30; i++) {
      await clock.advance(20_000);
      radio.air(clock.now());
      bearer.sweep();
    }
    assert.is(bearer.metrics.counters.deaf_restarts, 1);
    assert.ok((bearer.metrics.counters['discarded.malformed'] ?? 0) > 0, 'frames arrive again');
  } finally {
    await bearer.stop();
  }
});

test.run();
