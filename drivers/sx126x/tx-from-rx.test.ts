/**
 * Transmitting while receiving: SetStandby before the buffer and SetTx (RadioLib SX126x::transmit), and never over
 * a frame being received (firmware isActivelyReceiving). The emulator flags the faulty sequence; our driver waits for
 * the frame, receives it intact, then sends.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Sx126xChip } from './chip.js';
import type { LoraModulation, RxPacket } from './lora-radio.js';
import { createEmulatedRadios } from './sim/emulated-radios.js';
import { waitFor } from '../../lib/testing/wait-for.js';

// SF10: a 60-byte frame lasts ≈ 620 ms of chip time, long enough to start a transmit in its middle.
const SLOW: LoraModulation = {
  frequencyHz: 869_462_500, spreadingFactor: 10, bandwidthHz: 125_000, codingRate: 5, preambleLength: 8,
  syncWord: 0x24, crcOn: true, invertIq: false, explicitHeader: true, txPowerDbm: 14,
};
const until = (what: string, cond: () => boolean) => waitFor(what, cond, 5000, 1);
const FRAME = new Uint8Array(60).fill(0x5a);

/** The old driver's transmit from RX: no SetStandby, buffer written and SetTx issued while the modem is receiving. */
async function faultyTransmit(chip: Sx126xChip, payload: Uint8Array): Promise<void> {
  await chip.setPacketParamsLora(8, true, payload.length, true, false);
  await chip.setDioIrqParams(0x0201, 0x0001);
  await chip.writeBuffer(0x00, payload);
  await chip.clearIrqStatus(0x43ff);
  await chip.setTx(0);
}

const CASES: Array<{ name: string; faulty: boolean }> = [
  { name: 'faulty sequence (no standby, no wait): flagged, the frame being received is lost', faulty: true },
  { name: 'our driver: waits for the frame, receives it intact, then sends after it', faulty: false },
];

for (const c of CASES) {
  test(`transmit while a frame is being received: ${c.name}`, async () => {
    const sim = createEmulatedRadios({ nodes: ['a', 'b'], timeScale: 0.05 });
    try {
      const [a, b] = sim.radios;
      const bNode = sim.node('b');
      await a!.configure(SLOW);
      await b!.configure(SLOW);
      const atB: RxPacket[] = [];
      b!.onPacket((p) => atB.push(p));
      await b!.startReceive();
      const sending = a!.transmit(FRAME);
      await until('B locked onto A\'s frame', () => bNode.chip.receiving);
      if (c.faulty) {
        await faultyTransmit(new Sx126xChip(bNode.hal), Uint8Array.of(1, 2, 3));
        assert.ok(bNode.chip.violations.some((v) => v.startsWith('WriteBuffer: buffer written while a packet is being received')), bNode.chip.violations.join('; '));
        assert.ok(bNode.chip.violations.some((v) => v.startsWith('SetTx: SetTx issued while in RX')), bNode.chip.violations.join('; '));
        await sending;
        assert.is(atB.length, 0, 'A\'s frame was cut off at B');
      } else {
        await b!.transmit(Uint8Array.of(1, 2, 3));
        await sending;
        // The RxDone handler reads the packet out of the chip asynchronously; on a loaded machine it can still be on
        // its way when both transmits have resolved. Intact content (below) shows B's buffer did not overwrite it.
        await until('A\'s frame at B', () => atB.length >= 1);
        assert.is(atB.length, 1, 'A\'s frame received once');
        assert.equal(Array.from(atB[0]!.payload), Array.from(FRAME));
        assert.is(atB[0]!.crcError, false);
        assert.ok(b!.stats.txDeferredForRx >= 1, 'the transmit waited');
        const [fa, fb] = [sim.air.log.find((f) => f.from === 'a')!, sim.air.log.find((f) => f.from === 'b')!];
        assert.ok(fb.startAt >= fa.endAt, `B started at ${fb.startAt.toFixed(1)}, after A's frame ended at ${fa.endAt.toFixed(1)}`);
        assert.equal(bNode.chip.violations, []);
      }
    } finally {
      await sim.close();
    }
  });
}

test('a stale PreambleDetected (a frame with another sync word) does not hold a transmit: a false detection after two preambles', async () => {
  const sim = createEmulatedRadios({ nodes: ['a', 'b', 'c'], timeScale: 0.05 });
  try {
    const [a, b, c] = sim.radios;
    await a!.configure({ ...SLOW, syncWord: 0x12 });
    await b!.configure(SLOW);
    await c!.configure(SLOW);
    const atC: RxPacket[] = [];
    c!.onPacket((p) => atC.push(p));
    await c!.startReceive();
    await b!.startReceive();
    // B's modem locks onto the preamble, then finds another sync word: PreambleDetected stays latched, no header.
    await a!.transmit(Uint8Array.of(9));
    assert.ok(sim.node('b').chip.irqStatus & 0x04, 'PreambleDetected latched');
    await b!.transmit(Uint8Array.of(7));
    await until('B\'s frame at C', () => atC.length === 1);
    assert.equal(Array.from(atC[0]!.payload), [7]);
    assert.is(b!.stats.rxFalseDetections, 1, 'the latched flag was ignored once it had stood two preambles');
    assert.equal(sim.node('b').chip.violations, []);
  } finally {
    await sim.close();
  }
});

test.run();
