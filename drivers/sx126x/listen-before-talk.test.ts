/**
 * Listen before talk in the driver: CAD before every transmit with RadioLib's CAD parameters for the SF, a back-off
 * in the modulation's symbol and frame time, bounded tries, counted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { meshtasticModulation } from '../../lib/lora/meshtastic-presets.js';
import { symbolTimeMs } from '../../lib/lora/modulation.js';
import { timeOnAirMs } from '../../lib/lora/time-on-air.js';
import { waitFor } from '../../lib/testing/wait-for.js';
import { cadParamsFor, cadSlotMs, lbtBackoffMs } from './listen-before-talk.js';
import type { LoraModulation, LoraRadioEvent } from './lora-radio.js';
import { Opcode } from './opcodes.js';
import { createEmulatedRadios } from './sim/emulated-radios.js';

const BASE: LoraModulation = {
  frequencyHz: 869_462_500, spreadingFactor: 7, bandwidthHz: 125_000, codingRate: 5, preambleLength: 8,
  syncWord: 0x24, crcOn: true, invertIq: false, explicitHeader: true, txPowerDbm: 14,
};
const until = (what: string, cond: () => boolean) => waitFor(what, cond, 5000, 1);

test('SetCadParams right before every SetCad: RadioLib setCad() values per SF (4 symbols, SF + 13, 10, standby)', async () => {
  // [SF, expected SetCadParams bytes]
  const table: Array<[number, number[]]> = [
    [5, [0x02, 18, 10, 0, 0, 0, 0]], [6, [0x02, 19, 10, 0, 0, 0, 0]], [7, [0x02, 20, 10, 0, 0, 0, 0]],
    [8, [0x02, 21, 10, 0, 0, 0, 0]], [9, [0x02, 22, 10, 0, 0, 0, 0]], [10, [0x02, 23, 10, 0, 0, 0, 0]],
    [11, [0x02, 24, 10, 0, 0, 0, 0]], [12, [0x02, 25, 10, 0, 0, 0, 0]],
  ];
  const sim = createEmulatedRadios({ nodes: ['a'], timeScale: 0.01 });
  try {
    const [a] = sim.radios;
    const log = sim.node('a').chip.commandLog;
    for (const [sf, bytes] of table) {
      await a!.configure({ ...BASE, spreadingFactor: sf, bandwidthHz: sf >= 11 ? 500_000 : 125_000 });
      for (const run of [() => a!.transmit(Uint8Array.of(1)), () => a!.channelActivity()]) {
        log.length = 0;
        await run();
        const cad = log.findIndex((c) => c.opcode === Opcode.SetCad);
        assert.ok(cad > 0, `SF${sf}: a CAD ran`);
        const params = log.slice(0, cad).reverse().find((c) => c.opcode === Opcode.SetCadParams);
        assert.equal(params && Array.from(params.data), bytes, `SF${sf}`);
      }
    }
  } finally {
    await sim.close();
  }
});

test('back-off: at least one frame time plus whole contention slots of the modulation, window doubling per busy CAD', () => {
  const lf = meshtasticModulation('EU_868', 'LONG_FAST');
  const sf = meshtasticModulation('EU_868', 'SHORT_FAST');
  // [modulation, payload bytes, attempt, random, expected slots]
  const table: Array<[LoraModulation, number, number, number, number]> = [
    [lf, 200, 1, 0, 0], [lf, 200, 1, 0.999, 7], [lf, 200, 2, 0.999, 15], [lf, 200, 6, 0.999, 255], [lf, 200, 9, 0.999, 255],
    [sf, 20, 1, 0.5, 4], [sf, 20, 3, 0.5, 16],
  ];
  for (const [m, len, attempt, r, slots] of table) {
    const frame = timeOnAirMs(m, len);
    const ms = lbtBackoffMs(m, frame, attempt, () => r);
    assert.ok(Math.abs(ms - (frame + slots * cadSlotMs(m))) < 1e-9, `SF${m.spreadingFactor} attempt ${attempt} r ${r}: ${ms}`);
  }
  // A LongFast frame outlasts the old fixed 50–500 ms back-off; the slot is the CAD (4.5 symbols) plus 7.6 ms.
  assert.ok(lbtBackoffMs(lf, timeOnAirMs(lf, 200), 1, () => 0) > 500);
  assert.ok(Math.abs(cadSlotMs(lf) - (4.5 * symbolTimeMs(lf) + 7.6)) < 1e-9);
  assert.ok(cadSlotMs(lf) > 4 * cadSlotMs(sf), 'slots scale with the symbol time');
  assert.equal(cadParamsFor(11), { symbols: 4, symbolCode: 0x02, detPeak: 24, detMin: 10, exitMode: 0 });
});

// Table: B starts a transmit while A's long frame is on the air, with and without listen before talk.
const SLOW: LoraModulation = { ...BASE, spreadingFactor: 10 };
const CASES: Array<{ name: string; listenBeforeTalk: boolean; collides: boolean }> = [
  { name: 'without listening (the fault): B talks over A', listenBeforeTalk: false, collides: true },
  { name: 'with listen before talk: B backs off and sends after A', listenBeforeTalk: true, collides: false },
];

for (const c of CASES) {
  test(`busy channel: ${c.name}`, async () => {
    const sim = createEmulatedRadios({ nodes: ['a', 'b', 'c'], timeScale: 0.05, radio: { listenBeforeTalk: c.listenBeforeTalk } });
    try {
      const [a, b, cc] = sim.radios;
      for (const r of sim.radios) await r.configure(SLOW);
      const atC: number[][] = [];
      cc!.onPacket((p) => { if (!p.crcError) atC.push(Array.from(p.payload)); });
      await cc!.startReceive();
      const events: LoraRadioEvent[] = [];
      b!.onEvent((e) => events.push(e));
      const sending = a!.transmit(new Uint8Array(60).fill(1));
      await until('A on the air', () => sim.air.log.length === 1);
      await b!.transmit(Uint8Array.of(2));
      await sending;
      const [fa, fb] = [sim.air.log.find((f) => f.from === 'a')!, sim.air.log.find((f) => f.from === 'b')!];
      const overlap = fb.startAt < fa.endAt;
      assert.is(overlap, c.collides, `B at ${fb.startAt.toFixed(0)}, A until ${fa.endAt.toFixed(0)}`);
      if (c.collides) {
        assert.is(b!.stats.cadRuns, 0, 'no CAD');
      } else {
        assert.ok(b!.stats.channelBusy >= 1);
        assert.equal(events[0], { type: 'channel-busy', attempt: 1, attempts: 5 });
        await until('both frames at C', () => atC.length === 2);
        assert.equal(atC, [Array(60).fill(1), [2]]);
      }
      assert.is(b!.listensBeforeTalk, c.listenBeforeTalk);
    } finally {
      await sim.close();
    }
  });
}

test('bounded tries: a channel busy on every CAD refuses the frame with Sx126xChannelBusyError, counted', async () => {
  const sim = createEmulatedRadios({ nodes: ['a', 'b'], timeScale: 0.02, radio: { listenBeforeTalk: { attempts: 2 }, random: () => 0 } });
  try {
    const [a, b] = sim.radios;
    const slow = { ...BASE, spreadingFactor: 12 };
    await a!.configure(slow);
    await b!.configure(slow);
    // A's 255-byte SF12 frame lasts ≈ 9.5 s; B's back-off after the first busy CAD is one 1-byte frame (≈ 0.8 s).
    const sending = a!.transmit(new Uint8Array(255));
    await until('A on the air', () => sim.air.log.length === 1);
    const err = await b!.transmit(Uint8Array.of(1)).then(() => undefined, (e: Error) => e);
    assert.is(err?.name, 'Sx126xChannelBusyError');
    assert.is((err as unknown as { attempts: number }).attempts, 2);
    assert.equal([b!.stats.channelBusy, b!.stats.lbtGaveUp, b!.stats.txPackets], [2, 1, 0]);
    assert.is(sim.air.log.length, 1, 'B sent nothing');
    await sending;
  } finally {
    await sim.close();
  }
});

test.run();
