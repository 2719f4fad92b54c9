/**
 * Decode once, encode once (issue 12 item 6): the bundle codec passes a LoRa hop costs, counted on the real path —
 * two relays (Router + durable Vault + LoraBearer) on the in-process LoRa air, a sealed DM from A to B.
 *
 *   send:    from router.send() to A's radio putting the frame on the air (the first attempt);
 *   receive: from there to B's router having the bundle durable.
 *
 * A pass is a call of a bundle codec: CBOR encode/decode (bundle-codec.ts), the in-place id peek (bundle-peek.ts),
 * the compact LoRa form (compact-bundle.ts). The frame header (one byte, wire/frame-codec.ts) is not one.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countCalls, type CallCounts } from '../testing/count-calls.js';

const calls = countCalls({
  '/runtime/bundle/bundle-codec.ts': ['encodeBundle', 'decodeBundle'],
  '/runtime/bundle/bundle-peek.ts': ['peekBundle'],
  '/runtime/bearers/lora/compact-bundle.ts': ['encodeCompactBundle', 'decodeCompactBundle'],
});

const { AirtimeLedger } = await import('../airtime/airtime-ledger.js');
const { EU868 } = await import('../../lib/lora/regions.js');
const { latticeModulation } = await import('../../lib/lora/lattice-presets.js');
const { generateIdentity } = await import('../identity/identity.js');
const { setLogSink } = await import('../log/logger.js');
const { LoraBearer } = await import('../bearers/lora/lora-bearer.js');
const { decodeLinkFrame } = await import('../bearers/lora/link-frame.js');
const { FakeLoraAir } = await import('../bearers/lora/testing/fake-lora-air.js');
const { Vault } = await import('../vault/vault.js');
const { Router } = await import('./router.js');
const { waitFor } = await import('../../lib/testing/wait-for.js');

setLogSink(() => undefined, 'silent');

const total = (c: CallCounts): number => Object.values(c).reduce((a, b) => a + b, 0);
const minus = (a: CallCounts, b: CallCounts): CallCounts =>
  Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]).filter(([, v]) => (v as number) > 0));

test('a LoRa hop: a send makes 3 codec passes before the air, a receive 2 before the vault', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codec-passes-'));
  const air = new FakeLoraAir();
  const { modulation } = latticeModulation({ preset: 'ShortFast', region: 'EU_868' });
  const relays = [0, 1].map((i) => {
    const identity = generateIdentity();
    const radio = air.radio();
    const bearer = new LoraBearer({
      name: 'lora0', radio, nodeId: identity.nodeId, modulation, region: EU868, ledger: new AirtimeLedger(),
      advertIntervalMs: 0, advertJitterMs: 50 * (i + 1), timeScale: 0.01,
    });
    const vault = new Vault({ path: join(dir, String(i)), sweepIntervalMs: 0 });
    const router = new Router({ identity, vault, bearers: [bearer], bloomIntervalMs: 3_600_000, bloomDebounceMs: 3_600_000 });
    return { identity, radio, bearer, vault, router };
  });
  const [a, b] = relays as [typeof relays[0], typeof relays[0]];
  try {
    for (const r of relays) {
      await r.vault.start();
      await r.router.start();
      await r.bearer.start();
    }
    // Steady state: each heard the other's advert, and A knows that B holds its key (B listed A in its advert).
    const knowsUs = () => (a.bearer.status().detail!.neighbours as Array<{ id: string; knowsUs: boolean }>).some((n) => n.id === b.identity.nodeIdHex && n.knowsUs);
    // A's first advert may have gone out before B's radio listened (A starts first), or collided with B's own first
    // advert on the air (the fake air models collisions and half duplex): advertise again until heard.
    const heardAfterAdverts = async (what: string, from: typeof a, heard: () => boolean) => {
      for (let i = 0; !heard(); i++) {
        if (i === 20) throw new Error(`${what}: not after 20 adverts`);
        await from.bearer.advertise();
        await waitFor(what, heard, 1_000).catch(() => undefined);
      }
    };
    await heardAfterAdverts('B heard A', a, () => b.bearer.canReach(a.identity.nodeIdHex));
    await heardAfterAdverts('A knows B knows A', b, () => a.bearer.canReach(b.identity.nodeIdHex) && knowsUs());

    let onAir: CallCounts | undefined;
    const transmit = a.radio.transmit.bind(a.radio);
    a.radio.transmit = (bytes, options) => {
      if (!onAir && decodeLinkFrame(bytes).type === 'data') onAir = calls.counts();
      return transmit(bytes, options);
    };
    let atB: CallCounts | undefined;
    b.router.events.on('received', () => {
      atB ??= calls.counts();
    });

    // The hop measured is a clean one: a frame lost on the air, or an ACK later than the (time-scaled) wait on a
    // loaded machine, makes A send again and B decode the copy — passes the retry costs, not the hop. So does a
    // second dispatch round (a peer event while the first was under way re-reads the bundle from the vault: one
    // decodeBundle before the air). Such a hop is measured again with a new bundle (at most three times: a pass
    // added to every clean hop still fails).
    const retries = () => (a.bearer.metrics.counters['retransmissions'] ?? 0) + (a.bearer.metrics.counters['ack_timeouts'] ?? 0);
    for (let attempt = 0; ; attempt++) {
      const before = retries();
      onAir = undefined;
      atB = undefined;
      calls.reset();
      await a.router.send({ to: b.identity.nodeIdHex, text: `decode once, encode once #${attempt}` });
      await waitFor('B stored it', () => atB);
      if ((retries() === before && !onAir?.['decodeBundle']) || attempt === 2) break;
    }
    const send = onAir!;
    const receive = minus(atB!, send);
    console.log(`codec passes — send: ${total(send)} ${JSON.stringify(send)}; receive: ${total(receive)} ${JSON.stringify(receive)}`);
    // Send: encoded once for the vault; on the air in its compact form, checked once to rebuild the exact bytes.
    assert.equal(send, { encodeBundle: 1, encodeCompactBundle: 1, decodeCompactBundle: 1 });
    // Receive: the compact form decoded once and encoded once into the wire bytes the vault keeps.
    assert.equal(receive, { decodeCompactBundle: 1, encodeBundle: 1 });
  } finally {
    for (const r of relays) await r.bearer.stop();
    for (const r of relays) await r.router.stop();
    for (const r of relays) await r.vault.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
