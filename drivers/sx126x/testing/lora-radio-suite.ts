/**
 * The LoraRadio contract suite: what any LoraRadio (the SX126x driver on the emulator, on a real board, over the
 * serial bridge, or a bearer test's fake) must do. Register it with a uvu test function and an opener.
 */
import * as assert from 'uvu/assert';
import type { Test } from 'uvu';
import type { LoraModulation, LoraRadio, RxPacket } from '../lora-radio.js';
import { timeOnAirMs } from '../../../lib/lora/time-on-air.js';

export interface LoraRadioSuiteOptions {
  /** A fresh radio (and optionally a peer radio on the same air for TX/RX checks). */
  open(): Promise<{ radio: LoraRadio; peer?: LoraRadio; close(): Promise<void> }>;
  modulation: LoraModulation;
  /** Whether the suite may transmit (real boards: only when the operator says so). */
  transmit: boolean;
}

export function registerLoraRadioSuite(test: Test, o: LoraRadioSuiteOptions): void {
  test('LoraRadio: using it before configure() is a state error', async () => {
    const r = await o.open();
    try {
      const e = await r.radio.transmit(Uint8Array.of(1)).then(() => undefined, (err: Error) => err);
      assert.ok(e instanceof Error, 'transmit before configure must fail');
    } finally {
      await r.close();
    }
  });

  test('LoraRadio: configure rejects bad modulation and accepts the good one', async () => {
    const r = await o.open();
    try {
      for (const bad of [{ spreadingFactor: 4 }, { bandwidthHz: 100_000 }, { codingRate: 9 }, { preambleLength: 0 }, { syncWord: 0x10000 }, { txPowerDbm: 30 }]) {
        const e = await r.radio.configure({ ...o.modulation, ...bad } as LoraModulation).then(() => undefined, (err: Error) => err);
        assert.ok(e instanceof RangeError, `rejects ${JSON.stringify(bad)}`);
      }
      await r.radio.configure(o.modulation);
      await r.radio.configure({ ...o.modulation, spreadingFactor: o.modulation.spreadingFactor === 7 ? 8 : 7 });
    } finally {
      await r.close();
    }
  });

  test('LoraRadio: CAD answers a boolean; receive starts and stops; payload limits', async () => {
    const r = await o.open();
    try {
      await r.radio.configure(o.modulation);
      assert.type(await r.radio.channelActivity(), 'boolean');
      await r.radio.startReceive();
      assert.type(await r.radio.channelActivity(), 'boolean');
      await r.radio.standby();
      for (const bad of [new Uint8Array(0), new Uint8Array(256)]) {
        const e = await r.radio.transmit(bad).then(() => undefined, (err: Error) => err);
        assert.ok(e instanceof Error, `rejects ${bad.length} bytes`);
      }
    } finally {
      await r.close();
    }
  });

  test('LoraRadio: transmit reports the Semtech time on air and a listening peer receives it', async () => {
    if (!o.transmit) {
      console.log('SKIP LoraRadio transmit check: transmitting not allowed here');
      return;
    }
    const r = await o.open();
    try {
      await r.radio.configure(o.modulation);
      let got: Promise<RxPacket> | undefined;
      if (r.peer) {
        await r.peer.configure(o.modulation);
        await r.peer.startReceive();
        got = new Promise<RxPacket>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('peer heard nothing within 10 s')), 10_000);
          const off = r.peer!.onPacket((p) => { clearTimeout(t); off(); resolve(p); });
        });
      }
      const payload = new TextEncoder().encode('contract suite');
      const { airtimeMs } = await r.radio.transmit(payload);
      const expected = timeOnAirMs(o.modulation, payload.length);
      assert.ok(Math.abs(airtimeMs - expected) < 1e-6, `airtime ${airtimeMs} vs ${expected}`);
      if (got) {
        const p = await got;
        assert.is(new TextDecoder().decode(p.payload), 'contract suite');
        assert.is(p.crcError, false);
        assert.ok(Number.isFinite(p.rssi) && Number.isFinite(p.snr));
      }
    } finally {
      await r.close();
    }
  });

  test('LoraRadio: an unsubscribed listener hears nothing; close is idempotent', async () => {
    const r = await o.open();
    try {
      await r.radio.configure(o.modulation);
      if (o.transmit && r.peer) {
        await r.peer.configure(o.modulation);
        await r.radio.startReceive();
        let removed = 0;
        let kept = 0;
        const off = r.radio.onPacket(() => removed++);
        r.radio.onPacket(() => kept++);
        off();
        await r.peer.transmit(Uint8Array.of(1, 2, 3));
        const end = Date.now() + 5000;
        while (kept === 0 && Date.now() < end) await new Promise((res) => setTimeout(res, 5));
        assert.is(kept, 1, 'the remaining listener heard the packet');
        assert.is(removed, 0, 'the removed listener did not');
      }
      await r.radio.close();
      await r.radio.close();
    } finally {
      await r.close();
    }
  });
}
