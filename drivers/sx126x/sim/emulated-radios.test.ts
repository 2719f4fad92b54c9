import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LoraModulation, RxPacket } from '../lora-radio.js';
import { createEmulatedRadios } from './emulated-radios.js';

const MOD: LoraModulation = {
  frequencyHz: 869_525_000, spreadingFactor: 7, bandwidthHz: 125_000, codingRate: 5, preambleLength: 8,
  syncWord: 0x12, crcOn: true, invertIq: false, explicitHeader: true, txPowerDbm: 14,
};

function nextPacket(radio: { onPacket(l: (p: RxPacket) => void): () => void }, ms = 10_000): Promise<RxPacket> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { off(); reject(new Error('no packet')); }, ms);
    const off = radio.onPacket((p) => { clearTimeout(t); off(); resolve(p); });
  });
}

test('A transmits, B receives through the emulated chips and air', async () => {
  const sim = createEmulatedRadios({ nodes: ['a', 'b'], timeScale: 0.05 });
  try {
    const [a, b] = sim.radios;
    await a!.configure(MOD);
    await b!.configure(MOD);
    await b!.startReceive();
    const got = nextPacket(b!);
    const { airtimeMs } = await a!.transmit(new TextEncoder().encode('hello lattice'));
    const p = await got;
    assert.equal(new TextDecoder().decode(p.payload), 'hello lattice');
    assert.is(p.crcError, false);
    assert.ok(p.rssi < 0 && p.rssi > -100, `rssi ${p.rssi}`);
    assert.ok(airtimeMs > 40 && airtimeMs < 60, `airtime ${airtimeMs}`);
    for (const n of sim.nodes) assert.equal(n.chip.violations, []);
    for (const n of sim.nodes) assert.equal(n.chip.driverFaults, []);
  } finally {
    await sim.close();
  }
});

test.run();
