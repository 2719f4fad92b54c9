// The real SX126x driver on emulated chips whose RF side is the air of `lattice sim air` over TCP (hal: sim).
import { test } from 'uvu';
import { createServer } from 'node:net';
import * as assert from 'uvu/assert';
import type { LoraModulation } from '../../../lib/lora/modulation.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import type { RxPacket } from '../lora-radio.js';
import { startAirServer } from './air-server.js';
import { openSimSx126x, type SimRadio } from './open-sim-radio.js';

// SF8/125 kHz: frames of 40-60 ms. TxDone comes from the air server over its socket, and the driver waits
// 5 ms + 5 × time on air for it (RadioLib): with frames of a few milliseconds (SF7/500 kHz) a loaded machine's
// socket round trip took longer than that. Lattice's sync word 0x24 (register pair 0x2444).
const FAST: LoraModulation = { frequencyHz: 869_525_000, spreadingFactor: 8, bandwidthHz: 125_000, codingRate: 5, preambleLength: 8, syncWord: 0x24, crcOn: true, invertIq: false, explicitHeader: true, txPowerDbm: 14 };

/**
 * A TCP port free on 127.0.0.1 now, below the kernel's ephemeral range (32768+): the air is restarted on it, and a
 * port from listen(0) could meanwhile become the local port of someone's outgoing connection.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function radios(port: number, positions: Array<[number, number]>): Promise<{ nodes: SimRadio[]; got: RxPacket[][] }> {
  const nodes = positions.map(([x, y], i) => openSimSx126x({ name: `n${i}`, air: { host: '127.0.0.1', port }, position: { x, y }, initialBackoffMs: 20, maxBackoffMs: 100 }));
  const got: RxPacket[][] = nodes.map(() => []);
  nodes.forEach((n, i) => n.radio.onPacket((p) => got[i]!.push(p)));
  await waitFor('links up', () => nodes.every((n) => n.port.connected), 5000, 5);
  return { nodes, got };
}

test('two radios: the driver transmits through the air (TxDone on txdone), the other receives with the air\'s RSSI/SNR; the tune carries the one-byte sync word', async () => {
  const server = await startAirServer({ host: '127.0.0.1', port: 0 });
  const { nodes, got } = await radios(server.port, [[0, 0], [600, 800]]);
  try {
    const [a, b] = nodes as [SimRadio, SimRadio];
    for (const n of nodes) await n.radio.configure(FAST);
    await b.radio.startReceive();
    await waitFor('b tuned', () => b.port.stats.tuned === 1, 5000, 5);
    const { airtimeMs } = await a.radio.transmit(Uint8Array.of(0x4c, 0x41, 0x54));
    assert.ok(airtimeMs > 0);
    await waitFor('b got it', () => got[1]!.length === 1, 5000, 5);
    assert.equal([...got[1]![0]!.payload], [0x4c, 0x41, 0x54]);
    assert.is(got[1]![0]!.crcError, false);
    // 1 km, 14 dBm, n = 3: about -107 dBm, SNR about +4 dB in 500 kHz.
    assert.ok(got[1]![0]!.rssi < -100 && got[1]![0]!.rssi > -115, `rssi ${got[1]![0]!.rssi}`);
    assert.ok(got[1]![0]!.snr > 0 && got[1]![0]!.snr < 10, `snr ${got[1]![0]!.snr}`);
    assert.is(a.port.stats.framesOut, 1);
    assert.is(server.stats().frames, 1);
    assert.is(server.stats().deliveries, 1);
    assert.is(got[0]!.length, 0, 'never hears itself');
  } finally {
    for (const n of nodes) await n.close();
    await server.stop();
  }
});

test('a chip not in RX loses what the air delivers to its antenna, as the real chip would', async () => {
  const server = await startAirServer({ host: '127.0.0.1', port: 0 });
  const { nodes, got } = await radios(server.port, [[0, 0], [10, 0]]);
  try {
    const [a, b] = nodes as [SimRadio, SimRadio];
    for (const n of nodes) await n.radio.configure(FAST);
    await b.radio.startReceive();
    await waitFor('b tuned', () => b.port.stats.tuned === 1, 5000, 5);
    await a.radio.transmit(Uint8Array.of(1));
    await waitFor('first one', () => got[1]!.length === 1, 5000, 5);
    await b.radio.standby(); // the antenna stays tuned; the chip no longer listens
    await a.radio.transmit(Uint8Array.of(2));
    await waitFor('the air delivered it', () => b.port.stats.framesIn === 2, 5000, 5);
    await b.radio.startReceive();
    await a.radio.transmit(Uint8Array.of(3));
    await waitFor('third one', () => got[1]!.length === 2, 5000, 5);
    assert.equal(got[1]!.map((p) => p.payload[0]), [1, 3], 'the one sent while b was in standby is lost');
  } finally {
    for (const n of nodes) await n.close();
    await server.stop();
  }
});

test('the air goes away and comes back: TX without air completes, the link is made again with back-off and counted, traffic resumes', async () => {
  const port = await freePort();
  let server = await startAirServer({ host: '127.0.0.1', port });
  const { nodes, got } = await radios(port, [[0, 0], [100, 0]]);
  try {
    const [a, b] = nodes as [SimRadio, SimRadio];
    const losses: string[] = [];
    a.port.onLoss((why) => losses.push(why));
    for (const n of nodes) await n.radio.configure(FAST);
    await b.radio.startReceive();
    await waitFor('b tuned', () => b.port.stats.tuned === 1, 5000, 5);
    await server.stop();
    await waitFor('links down', () => nodes.every((n) => !n.port.connected), 5000, 5);
    const { airtimeMs } = await a.radio.transmit(Uint8Array.of(7)); // into nothing: TxDone after its time on air
    assert.ok(airtimeMs > 0);
    assert.is(a.port.stats.txWithoutAir, 1);
    assert.equal(losses, ['tx-without-air']);
    server = await startAirServer({ host: '127.0.0.1', port });
    await waitFor('links up again', () => nodes.every((n) => n.port.connected), 5000, 5);
    for (const n of nodes) {
      assert.ok(n.port.stats.drops >= 1, 'drop counted');
      assert.ok(n.port.stats.reconnects >= 1, 'reconnect counted');
    }
    // b was in RX before the drop: its antenna is tuned again on reconnect, without a new SetRx.
    await waitFor('b tuned again', () => b.port.stats.tuned === 2, 5000, 5);
    await a.radio.transmit(Uint8Array.of(8));
    await waitFor('b got it', () => got[1]!.length === 1, 5000, 5);
    assert.is(got[1]![0]!.payload[0], 8);
  } finally {
    for (const n of nodes) await n.close();
    await server.stop();
  }
});

test.run();
