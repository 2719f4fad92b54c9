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

  test('LoraRadio: receive and CAD before configure() are state errors; so is anything after close()', async () => {
    const r = await o.open();
    try {
      for (const [what, call] of [['startReceive', () => r.radio.startReceive()], ['channelActivity', () => r.radio.channelActivity()]] as const) {
        const e = await call().then(() => undefined, (err: Error) => err);
        assert.ok(e instanceof Error, `${what} before configure must fail`);
      }
      await r.radio.configure(o.modulation);
      await r.radio.close();
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['configure', () => r.radio.configure(o.modulation)], ['startReceive', () => r.radio.startReceive()],
        ['channelActivity', () => r.radio.channelActivity()], ['transmit', () => r.radio.transmit(Uint8Array.of(1))],
      ];
      for (const [what, call] of calls) {
        const e = await call().then(() => undefined, (err: Error) => err);
        assert.ok(e instanceof Error, `${what} after close must fail`);
      }
    } finally {
      await r.close();
    }
  });

  test('LoraRadio: an implicit-header radio sends only payloads of its fixed length', async () => {
    if (!o.transmit) return;
    const r = await o.open();
    try {
      await r.radio.configure({ ...o.modulation, explicitHeader: false, implicitPayloadLength: 8 });
      const e = await r.radio.transmit(new Uint8Array(5)).then(() => undefined, (err: Error) => err);
      assert.ok(e instanceof Error, 'a 5-byte payload on an 8-byte implicit header must fail');
      assert.ok((await r.radio.transmit(new Uint8Array(8))).airtimeMs > 0);
    } finally {
      await r.close();
    }
  });

  test('LoraRadio: an aborted transmission rejects with the abort reason and is cut off the air', async () => {
    if (!o.transmit) return;
    const r = await o.open();
    try {
      // The longest packet the modulation allows, so the abort lands while it is on the air.
      const slow = { ...o.modulation, spreadingFactor: 12 };
      await r.radio.configure(slow);
      let heard: Promise<RxPacket> | undefined;
      if (r.peer) {
        await r.peer.configure(slow);
        await r.peer.startReceive();
        heard = new Promise<RxPacket>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('peer heard nothing within 20 s')), 20_000);
          const off = r.peer!.onPacket((p) => { clearTimeout(t); off(); resolve(p); });
        });
      }
      const ac = new AbortController();
      const sending = r.radio.transmit(new Uint8Array(255).fill(0x55), { signal: ac.signal });
      await new Promise((res) => setTimeout(res, 1));
      ac.abort();
      const e = await sending.then(() => undefined, (err: Error) => err);
      assert.ok(e instanceof Error, 'rejected');
      assert.is(e!.name, 'AbortError');
      if (heard) {
        // The next packet is the first the peer hears: nothing of the aborted one arrives, whole or collided.
        await r.radio.transmit(Uint8Array.of(1, 2, 3));
        assert.equal([...(await heard).payload], [1, 2, 3]);
      }
    } finally {
      await r.close();
    }
  });

  test('LoraRadio: receive resumes after a transmission, and CAD sees a peer on the air', async () => {
    if (!o.transmit) return;
    const r = await o.open();
    if (!r.peer) return void (await r.close());
    try {
      await r.radio.configure(o.modulation);
      await r.peer.configure(o.modulation);
      await r.peer.startReceive();
      await r.radio.startReceive();
      await r.radio.transmit(Uint8Array.of(9));
      const heard = new Promise<RxPacket>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('heard nothing within 10 s')), 10_000);
        const off = r.radio.onPacket((p) => { clearTimeout(t); off(); resolve(p); });
      });
      await r.peer.transmit(Uint8Array.of(7, 7));
      assert.equal([...(await heard).payload], [7, 7], 'still receiving after its own transmission');
      // A long packet from the peer: CAD during it reports activity.
      await r.peer.configure({ ...o.modulation, spreadingFactor: 12 });
      await r.radio.configure({ ...o.modulation, spreadingFactor: 12 });
      // The peer may listen before it talks (its own CAD first): CAD until it sees the packet or the packet is over.
      let over = false;
      const long = r.peer.transmit(new Uint8Array(255)).finally(() => { over = true; });
      let seen = false;
      while (!seen && !over) seen = await r.radio.channelActivity();
      assert.is(seen, true, 'CAD during the peer\'s packet');
      await long;
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
