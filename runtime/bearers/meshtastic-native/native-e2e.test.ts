/**
 * Native Meshtastic nodes end to end (issue 13 "Tests and proof"), in-process: relays' `lora:` entries with
 * `protocol: meshtastic` and `hal: sim`, built through the one config schema and loraBearers — the real SX126x driver
 * on the byte-level emulator whose RF side is one shared simulated air (`lattice sim air`'s server) — and two
 * official `@meshtastic/core` clients at once on one node's client API. What went on the air is read by listening
 * antennas on the same air and decoded with the over-the-air codec, not taken from the nodes' word.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create } from '@bufbuild/protobuf';
import { Channel } from '@meshtastic/protobufs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAirServer, type AirServer } from '../../../drivers/sx126x/sim/air-server.js';
import { createPacketCipher } from '../../../firmware-protocol/meshtastic/ota/create-packet-cipher.js';
import { decodeOtaFrame } from '../../../firmware-protocol/meshtastic/ota/ota-frame.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import type { ForeignMessage } from '../../bearer/bearer.js';
import { defaultComponents } from '../../components/components.js';
import { parseConfig } from '../../config/parse-config.js';
import { generateIdentity } from '../../identity/identity.js';
import { setLogSink } from '../../log/logger.js';
import { createMetrics, type Metrics } from '../../metrics/metrics.js';
import { freePort } from '../../daemon/testing/relay-process.js';
import { loraBearers } from '../lora/lora-from-config.js';
import type { NativeNode } from './native-node.js';
import { AirSniffer } from './testing/air-sniffer.js';
import { CoreClient } from './testing/core-client.js';

setLogSink(() => undefined, 'silent');

interface Relay {
  name: string;
  node: NativeNode;
  foreign: ForeignMessage[];
  metrics: Metrics;
  api?: number;
  position: [number, number];
}

/** A fresh relay's native node on the air; ShortFast (SF7/250 kHz) keeps frames to tens of milliseconds. */
async function relay(air: AirServer, dirs: string[], cleanups: Array<() => Promise<void>>, name: string, position: [number, number], o: { api?: boolean; role?: string } = {}): Promise<Relay> {
  const dir = await mkdtemp(join(tmpdir(), `native-${name}-`));
  dirs.push(dir);
  const api = o.api ? await freePort() : undefined;
  const config = parseConfig({
    lora: [{
      name, protocol: 'meshtastic', preset: 'ShortFast', region: 'EU_868', hal: 'sim', air: `127.0.0.1:${air.port}`, position,
      meshtastic: { role: o.role ?? 'CLIENT', longName: `Relay ${name}`, shortName: name.slice(0, 4).toUpperCase(), api: api ? `127.0.0.1:${api}` : false },
    }],
  }, {}, { home: dir });
  const built = await loraBearers(config.lora, { identity: generateIdentity(), dataDir: dir, bearerNames: [name] });
  cleanups.push(...(built.cleanups ?? []));
  const metrics = createMetrics({ defaultMetrics: false });
  const node = built.bearers[0]!(defaultComponents({ metrics })) as NativeNode;
  const foreign: ForeignMessage[] = [];
  node.on('foreign', (m) => foreign.push(m));
  await node.start();
  cleanups.unshift(() => node.stop());
  return { name, node, foreign, metrics, position, ...(api ? { api } : {}) };
}

const defaultChannel = [create(Channel.ChannelSchema, { index: 0, role: Channel.Channel_Role.PRIMARY, settings: { name: '', psk: Uint8Array.of(1) } })];
const sniffCipher = createPacketCipher({ channels: defaultChannel, ownNodeNum: 0x7ffffff0, publicKeyOf: () => undefined, lora: { usePreset: true, modemPreset: 6 } });

function heardTexts(s: AirSniffer): Array<{ from: number; id: number; text?: string; hopLimit: number; hopStart: number; relayNode: number; channelHash: number }> {
  return s.frames.map((f) => {
    const p = decodeOtaFrame(f.bytes);
    const d = sniffCipher.decrypt(p);
    const text = d.ok && d.packet.payloadVariant.case === 'decoded' && d.packet.payloadVariant.value.portnum === 1 ? new TextDecoder().decode(d.packet.payloadVariant.value.payload) : undefined;
    return { from: p.from, id: p.id, hopLimit: p.hopLimit, hopStart: p.hopStart, relayNode: p.relayNode, channelHash: p.channel, ...(text !== undefined ? { text } : {}) };
  });
}

/** The SDK's send resolves on the Routing ACK for its packet and rejects with a plain object otherwise. */
async function acked(p: Promise<number>): Promise<number> {
  try {
    return await p;
  } catch (e) {
    throw new Error(`the SDK's send was not acknowledged: ${JSON.stringify(e)}`);
  }
}

type Add = (name: string, position: [number, number], o?: { api?: boolean; role?: string }) => Promise<Relay>;

async function scene(fn: (s: { air: AirServer; add: Add; sniffers: AirSniffer[] }) => Promise<void>): Promise<void> {
  const air = await startAirServer({ host: '127.0.0.1', port: 0 });
  const dirs: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const sniffers: AirSniffer[] = [];
  try {
    await fn({ air, add: (name, position, o) => relay(air, dirs, cleanups, name, position, o), sniffers });
  } finally {
    for (const s of sniffers) s.close();
    for (const c of cleanups) await c().catch(() => undefined);
    await air.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}

/** Two relays 600 m apart (always in range): A with two official clients, B with one; NodeInfo exchanged. */
async function pair(add: Add, air: AirServer, sniffers: AirSniffer[]) {
  // The two nodes start, and the three clients connect, at the same time (A's two clients connect at once).
  const [a, b] = await Promise.all([add('alpha', [0, 0], { api: true }), add('bravo', [600, 0], { api: true })]);
  const sniffer = await AirSniffer.open(air.port, a.node.modulation, [300, 0]);
  sniffers.push(sniffer);
  const connected = await Promise.allSettled([CoreClient.connect(a.api!), CoreClient.connect(a.api!), CoreClient.connect(b.api!)]);
  const failed = connected.find((c) => c.status === 'rejected');
  if (failed) {
    // The ones that connected are closed, or they would keep this process alive after the failure.
    for (const c of connected) if (c.status === 'fulfilled') await c.value.close();
    throw failed.reason;
  }
  const [c1, c2, bClient] = connected.map((c) => (c as PromiseFulfilledResult<CoreClient>).value) as [CoreClient, CoreClient, CoreClient];
  const nodeA = a.node.radio().self!.nodeNum!;
  const nodeB = b.node.radio().self!.nodeNum!;
  // NodeInfo exchange: a client's nodeinfo ping makes A broadcast its User (with its public key) asking for an
  // answer (want_response), and B answers with its own, as NodeInfoModule does.
  c1.nodeInfoPing();
  await waitFor('B knows A with its key', () => bClient.nodes.get(nodeA)?.publicKey?.length === 32);
  await waitFor('both clients of A know B with its key', () => [c1, c2].every((c) => c.nodes.get(nodeB)?.publicKey?.length === 32));
  return { a, b, sniffer, c1, c2, bClient, nodeA, nodeB, close: () => Promise.all([c1.close(), c2.close(), bClient.close()]) };
}

const hex = (n: number) => `mt:!${n.toString(16).padStart(8, '0')}`;

test('two official clients at once: NodeInfo exchange, a second node\'s text reaches both, a client\'s text is heard on the air, decrypts and is acknowledged', async () => {
  await scene(async ({ air, add, sniffers }) => {
    const { a, b, sniffer, c1, c2, nodeA, nodeB, close } = await pair(add, air, sniffers);
    assert.is(c1.myNodeNum, nodeA, 'my_info over the API and `from` on the air are one number');
    assert.is(a.node.clients, 2);
    assert.is(c1.nodes.get(nodeB)!.longName, 'Relay bravo');
    assert.ok(heardTexts(sniffer).some((f) => f.from === nodeA) && heardTexts(sniffer).some((f) => f.from === nodeB));
    await waitFor('A offers B as a DM peer', () => a.node.canReach(hex(nodeB)));

    // A text from the second native node reaches both clients.
    assert.is((await b.node.sendText({ to: 'mt:ch:0', text: 'hello from bravo' })).status, 'sent');
    await waitFor('both clients got the text', () => [c1, c2].every((c) => c.messages.some((m) => m.data === 'hello from bravo' && m.from === nodeB)));
    assert.ok(a.foreign.some((m) => m.text === 'hello from bravo' && m.to === 'mt:ch:0' && !m.direct));

    // A client's text (no hop limit given) goes out with the channel's default hop limit and decrypts with its key;
    // its want_ack is answered by the implicit ACK (B's rebroadcast heard), which resolves the SDK's send.
    await acked(c2.device.sendText('hello from the app', 'broadcast', true, 0));
    const onAir = heardTexts(sniffer).find((f) => f.text === 'hello from the app' && f.from === nodeA && f.relayNode === (nodeA & 0xff || 0xff));
    assert.ok(onAir, 'heard on the air and decrypted with the channel key');
    assert.equal([onAir.hopLimit, onAir.hopStart], [3, 3]);
    await waitFor('B delivers it to the relay', () => b.foreign.some((m) => m.text === 'hello from the app'));
    await close();
  });
});

test('PKI DM round trip between an official client and a second native node', async () => {
  await scene(async ({ air, add, sniffers }) => {
    const { a, b, sniffer, c1, c2, nodeA, nodeB, close } = await pair(add, air, sniffers);
    // B's DM reaches both of A's clients marked pki_encrypted with B's key (the apps show the lock from it).
    assert.is((await b.node.sendText({ to: hex(nodeA), text: 'psst alpha' })).status, 'sent');
    await waitFor('both clients got the DM', () => [c1, c2].every((c) => c.packets.some((p) => p.from === nodeB && p.to === nodeA && p.pkiEncrypted && p.publicKey.length === 32
      && p.payloadVariant.case === 'decoded' && new TextDecoder().decode(p.payloadVariant.value.payload) === 'psst alpha')));
    assert.ok(a.foreign.some((m) => m.text === 'psst alpha' && m.direct && m.from === hex(nodeB)));
    // On the air it is PKI: channel byte 0, unreadable with the channel key (research §2.5).
    assert.ok(heardTexts(sniffer).some((f) => f.from === nodeB && f.channelHash === 0 && f.text === undefined));
    // The answer from a client, acknowledged end to end (the SDK resolves on B's Routing ACK).
    await acked(c1.device.sendText('psst bravo', nodeB, true, 0));
    const dm = await waitFor('B got the answer', () => b.foreign.find((m) => m.text === 'psst bravo'));
    assert.ok(dm.direct);
    assert.is(dm.from, hex(nodeA));
    await close();
  });
});

test('managed flooding across a chain of 4: each relay rebroadcasts once, with the hop fields the firmware writes', async () => {
  await scene(async ({ air, add, sniffers }) => {
    // ShortFast reaches ≈ 3 km on this air: 2.5 km apart, each relay hears only its neighbours.
    const xs = [0, 2500, 5000, 7500];
    const relays = await Promise.all(xs.map((x, i) => add(`chain${i}`, [x, 0])));
    sniffers.push(...await Promise.all(relays.map((r) => AirSniffer.open(air.port, r.node.modulation, r.position))));
    const nums = relays.map((r) => r.node.radio().self!.nodeNum!);
    assert.is((await relays[0]!.node.sendText({ to: 'mt:ch:0', text: 'down the valley' })).status, 'sent');
    await waitFor('the far end got it', () => relays[3]!.foreign.some((m) => m.text === 'down the valley'), 15_000);
    await waitFor('chain3 relayed it', () => heardTexts(sniffers[3]!).some((f) => f.text === 'down the valley' && f.relayNode === (nums[3]! & 0xff)), 15_000);
    // Every frame of this packet heard anywhere, one per transmitter.
    const heard = new Map<number, { hopLimit: number; hopStart: number; from: number }>();
    for (const s of sniffers) for (const f of heardTexts(s)) if (f.text === 'down the valley') heard.set(f.relayNode, f);
    assert.equal([...heard.keys()].sort(), nums.map((n) => n & 0xff).sort());
    nums.forEach((n, i) => {
      const f = heard.get(n & 0xff)!;
      assert.equal({ hopLimit: f.hopLimit, hopStart: f.hopStart, from: f.from }, { hopLimit: 3 - i, hopStart: 3, from: nums[0]! }, `copy relayed by chain${i}`);
    });
    // No relay put it on the air twice: each sniffer heard each transmitter in range at most once.
    for (const s of sniffers) {
      const copies = heardTexts(s).filter((f) => f.text === 'down the valley').map((f) => f.relayNode);
      assert.equal(copies.length, new Set(copies).size, `duplicate rebroadcast heard: ${copies}`);
    }
    for (const r of relays.slice(1)) assert.is(r.foreign.filter((m) => m.text === 'down the valley').length, 1);
    // The metric counts every packet chain1 relayed, not only this text (it read 2 in one CI run; a likely second
    // packet is the NodeInfo a CLIENT sends to a node it has no User for, MeshService::handleFromRadio, which chain1
    // relays between chain2 and chain0). "This text once" is the sniffers' check above.
    const rebroadcasts = await relays[1]!.metrics.read('lattice_meshtastic_native_rebroadcast_total');
    assert.ok((rebroadcasts?.[0]?.value ?? 0) >= 1, 'chain1 counted its rebroadcast');
    // The originator hears chain1's copy of its own packet (its implicit ACK) and counts it as a duplicate.
    const dupes = await relays[0]!.metrics.read('lattice_meshtastic_native_duplicates_total');
    assert.ok((dupes?.[0]?.value ?? 0) >= 1, 'chain0 heard chain1\'s copy as a duplicate');
  });
});

test.run();
