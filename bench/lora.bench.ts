/**
 * LoRa bearer benchmarks (emulated SX126x radios, real driver, simulated air; no hardware):
 *
 * 1. On-air bytes for a 32-byte text, measured from the frames the Lattice bearers actually put on the simulated air
 *    (4 relays in a line; the router's part — take custody, re-send — is done here by hand), at 1 hop and summed over
 *    3 hops, broadcast and direct message; baseline = the same bundle carried as its CBOR wire bytes (compaction off).
 *    The DM's first hop leaves the originator's 32-byte key out (the addressee's advert listed it); later hops carry
 *    the key and the recipient (the relays are not the recipient).
 *    Next to it, what Meshtastic and MeshCore put on the air for the same text, from our native implementations'
 *    encoders (the frames are built and their bytes counted, not computed from a formula):
 *    - Meshtastic (firmware-protocol/meshtastic/ota: createPacketCipher = Router::perhapsEncode, encodeOtaFrame =
 *      the 16-byte PacketHeader): a TEXT_MESSAGE_APP Data on LongFast's default channel (AES-CTR), the DM as a PKI
 *      DM (AES-CCM, +12 B) to a node whose key is known. Relays re-send the same bytes, so 3 hops = 3 × one frame.
 *    - MeshCore (firmware-protocol/meshcore/mesh createGroupDatagram / createDatagram over ota encodeGroupText /
 *      encodeTextPayload, encodePacket): GRP_TXT on the Public channel from sender "relay", TXT_MSG with the ECDH
 *      secret; flooded, each forwarder appends its 1-byte hash to the path (Mesh::routeRecvPacket).
 *    Note the guarantees differ: Lattice carries a 64-byte Ed25519 signature and the full 32-byte sender key end to
 *    end (any relay can verify; store-and-forward custody), Meshtastic broadcasts are unsigned (2.8 may add 64 B),
 *    MeshCore channel messages are unauthenticated beyond the shared-key 2-byte MAC.
 *    Every combination is measured for a 32-byte and a 20-character text; `--markdown` also prints them side by
 *    side with LongFast airtime (lib/lora time-on-air, EU868 LongFast SF11/BW250) — markdown() below.
 * 2. IRQ-to-frame latency: from the receiving chip raising DIO1 (RxDone) to the bearer's `frame` event (driver IRQ
 *    service, SPI reads, link decode, reassembly, compact → wire rebuild), p50/p99. The router's store comes after
 *    (the lead's bench measures IRQ-to-bundle-stored).
 */
import { create } from '@bufbuild/protobuf';
import { Channel } from '@meshtastic/protobufs';
import type { BenchRow } from './bench-row.js';
import { Mesh, Portnums } from '../firmware-protocol/meshtastic/messages.js';
import { timeOnAirMs } from '../lib/lora/time-on-air.js';
import { BROADCAST, type InFrame } from '../runtime/bearer/bearer.js';
import { decodeBundle, encodeBundle } from '../runtime/bundle/bundle-codec.js';
import { createBundle, withCustody } from '../runtime/bundle/create-bundle.js';
import { generateIdentity, type Identity } from '../runtime/identity/identity.js';
import { decodeFrame, encodeFrame } from '../runtime/wire/frame-codec.js';
import { decodeLinkFrame } from '../runtime/bearers/lora/link-frame.js';
import { latticeModulation } from '../lib/lora/lattice-presets.js';
import { createLoraNeighbourhood } from '../runtime/bearers/lora/sim/lora-neighbourhood.js';
import { setLogSink } from '../runtime/log/logger.js';
import { waitFor } from '../lib/testing/wait-for.js';
import { stampAt } from '../runtime/bundle/stamp.js';
import { decodeV2Frame, isV2 } from '../runtime/bearers/lora/v2/v2-frame.js';
import { createPacketCipher } from '../firmware-protocol/meshtastic/ota/create-packet-cipher.js';
import { encodeOtaFrame } from '../firmware-protocol/meshtastic/ota/ota-frame.js';
import { generateX25519KeyPair } from '../firmware-protocol/meshtastic/ota/pki-crypto.js';
import { createDatagram, createGroupDatagram } from '../firmware-protocol/meshcore/mesh/packet-factories.js';
import { encodePacket, PAYLOAD_TYPE } from '../firmware-protocol/meshcore/ota/packet.js';
import { encodeGroupText } from '../firmware-protocol/meshcore/ota/group-payload.js';
import { encodeTextPayload, TXT_TYPE } from '../firmware-protocol/meshcore/ota/text-payload.js';
import { identityFromSeed } from '../firmware-protocol/meshcore/ota/identity.js';
import { channelHash, PUBLIC_CHANNEL_SECRET } from '../firmware-protocol/meshcore/channel-secret.js';
import { randomBytes } from 'node:crypto';

const TEXT = 'Meet at the north gate at 18:00!';
/** The issue's second text: 20 characters (20 bytes). */
const TEXT20 = 'see you at the ridge';
const TEXTS = [{ label: '32-B', text: TEXT }, { label: '20-char', text: TEXT20 }] as const;

/** Polls every millisecond: the frames come at the pace of the scaled air, and the loop should not add to it. */
const until = (what: string, cond: () => boolean) => waitFor(what, cond, 30_000, 1);

/** Sends a bundle over `hops` hops of a line of relays the way the router would; returns the bytes of each data
 * frame transmitted and, separately, of the link ACKs (unicast only). */
async function latticeHops(compact: boolean, dm: boolean, hops: number, v2 = false, text = TEXT): Promise<{ data: number[]; acks: number[] }> {
  const ids: Identity[] = Array.from({ length: hops + 1 }, () => generateIdentity());
  const hood = createLoraNeighbourhood({ nodes: ids.map((id, i) => ({ name: `n${i}`, nodeId: id.nodeId, x: i * 3000, ...(v2 ? { v2: { identity: id } } : {}) })), compact });
  const inbox: InFrame[][] = hood.bearers.map(() => []);
  // Like a router whose vault has the payload at once: unicast payloads are settled durable, and so ACKed.
  hood.bearers.forEach((b, i) => b.on('frame', (f) => {
    inbox[i]!.push(f);
    f.settle?.('stored');
  }));
  const sizes: number[] = [];
  const acks: number[] = [];
  try {
    await hood.start();
    const last = ids[hops]!;
    // v2: bundles shaped for v2 (a stamp for sentAt and nonce). The relays first carry one earlier message of the
    // same origin (not counted): v2 frames carry 2-byte key hints once the next hop holds the keys, and the first
    // message through a relay carries them in full (32 B each) — the steady state is what the rows show.
    const stamp = stampAt(Date.now());
    const rounds = v2 ? 2 : 1;
    for (let round = 0; round < rounds; round++) {
    sizes.length = 0;
    acks.length = 0;
    for (const box of inbox) box.length = 0; // flood echoes of the warm-up round
    let bundle = createBundle(ids[0]!, { recipient: dm ? last.nodeId : null, text, ...(v2 ? { stamp: stamp + round } : {}) });
    for (let h = 0; h < hops; h++) {
      const before = hood.emulated.air.log.length;
      const next = ids[h + 1]!;
      const bytes = encodeFrame({ kind: 'bundle', payload: encodeBundle(bundle) });
      const res = await hood.bearers[h]!.send({ peer: dm ? next.nodeIdHex : BROADCAST, kind: 'bundle', bytes });
      if (res !== 'accepted') throw new Error(`hop ${h}: ${res}`);
      await until(`hop ${h + 1}`, () => inbox[h + 1]!.length > 0);
      // For unicast, 'accepted' came with the link ACK, so the ACK is in the log already.
      for (const f of hood.emulated.air.log.slice(before)) {
        const type = (isV2(f.payload) ? decodeV2Frame(f.payload) : decodeLinkFrame(f.payload)).type;
        // v2 chain frames (an origin's anchor, once per epoch per relay; key disclosures, once per interval with
        // broadcasts) are not per message: not counted here.
        if (type !== 'chain') (type === 'ack' ? acks : sizes).push(f.payload.length);
      }
      // The router at the next relay: decode, take custody, forward.
      bundle = withCustody(decodeBundle(decodeFrame(inbox[h + 1]!.shift()!.bytes).payload), next.shortId);
    }
    }
  } finally {
    await hood.stop();
  }
  return { data: sizes, acks };
}

/** LongFast's default channel (PSK 1), as a stock node has it. */
const LONGFAST_CHANNELS = [create(Channel.ChannelSchema, { index: 0, role: Channel.Channel_Role.PRIMARY, settings: { psk: Uint8Array.of(1) } })];

/** Meshtastic: bytes of each frame over `hops` hops (relays re-send the originator's frame; only hop_limit and
 * relay_node change, in the fixed header). */
function meshtasticFrames(dm: boolean, text: string, hops: number): number[] {
  const me = 0x1a2b3c4d;
  const peer = 0x5e6f7081;
  const ours = generateX25519KeyPair();
  const theirs = generateX25519KeyPair();
  const cipher = createPacketCipher({ channels: LONGFAST_CHANNELS, ownNodeNum: me, privateKey: ours.privateKey, publicKeyOf: (n) => (n === peer ? theirs.publicKey : undefined) });
  const data = create(Mesh.DataSchema, { portnum: Portnums.PortNum.TEXT_MESSAGE_APP, payload: new TextEncoder().encode(text) });
  const packet = create(Mesh.MeshPacketSchema, { from: me, to: dm ? peer : 0xffffffff, id: 0x0badcafe, hopLimit: 3, hopStart: 3, wantAck: dm, channel: 0, payloadVariant: { case: 'decoded', value: data } });
  const enc = cipher.encrypt(packet);
  if (!enc.ok) throw new Error(`meshtastic encode: ${enc.reason}`);
  if (dm !== (enc.packet.pkiEncrypted === true)) throw new Error('meshtastic: the DM should go PKI, the broadcast on the channel');
  return Array.from({ length: hops }, (_, h) => encodeOtaFrame({ ...enc.packet, hopLimit: 3 - h, relayNode: h === 0 ? 0 : 0x10 + h }).length);
}

/** MeshCore: bytes of each frame over `hops` hops of a flood (each forwarder appends its 1-byte hash). */
function meshcoreFrames(dm: boolean, text: string, hops: number): number[] {
  const sender = identityFromSeed(randomBytes(32));
  const recipient = identityFromSeed(randomBytes(32));
  const ts = Math.floor(Date.now() / 1000);
  const ctx = { identity: sender, rtcSeconds: () => ts, random: Math.random };
  const packet = dm
    ? createDatagram(ctx, PAYLOAD_TYPE.TXT_MSG, recipient.publicKey, sender.sharedSecret(recipient.publicKey), encodeTextPayload({ senderTimestamp: ts, txtType: TXT_TYPE.PLAIN, attempt: 0, text }))
    : createGroupDatagram(PAYLOAD_TYPE.GRP_TXT, { hash: channelHash(PUBLIC_CHANNEL_SECRET), secret: PUBLIC_CHANNEL_SECRET }, encodeGroupText(ts, 'relay', text));
  const forwarders = Uint8Array.from({ length: hops }, (_, k) => 0x21 + k);
  return Array.from({ length: hops }, (_, k) => encodePacket({ ...packet, path: forwarders.subarray(0, k) }).length);
}

interface Measured {
  text: string;
  kind: 'broadcast' | 'DM';
  /** Bytes of each data frame over the 3 hops, per format. */
  v1: number[];
  v2: number[];
  meshtastic: number[];
  meshcore: number[];
}

/** The side-by-side table of the last run, for markdown(). */
let lastRun: Measured[] = [];

export async function benchLoraOnAirBytes(): Promise<BenchRow[]> {
  const restore = setLogSink(() => undefined, 'silent');
  try {
    const rows: BenchRow[] = [];
    const { modulation } = latticeModulation({ preset: 'Lattice', region: 'EU_868' });
    const toa = (n: number) => timeOnAirMs(modulation, n);
    const longFast = latticeModulation({ preset: 'LongFast', region: 'EU_868' }).modulation;
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    const lf = (frames: number[]) => sum(frames.map((n) => timeOnAirMs(longFast, n)));
    const lfNote = (frames: number[]) => `${lf(frames).toFixed(0)} ms on LongFast`;
    lastRun = [];
    for (const { label, text } of TEXTS) {
    const textBytes = Buffer.byteLength(text);
    const overhead = (n: number) => n - textBytes;
    for (const dm of [false, true]) {
      const kind = dm ? 'DM' : 'broadcast';
      const measured = await latticeHops(true, dm, 3, false, text);
      const v2 = await latticeHops(true, dm, 3, true, text);
      const compact = measured.data;
      const plain = (await latticeHops(false, dm, 3, false, text)).data;
      const mt = meshtasticFrames(dm, text, 3);
      const mc = meshcoreFrames(dm, text, 3);
      lastRun.push({ text: label, kind, v1: compact, v2: v2.data, meshtastic: mt, meshcore: mc });
      rows.push(
        { name: `lattice ${kind} ${label} text, 1 hop`, value: compact[0]!, unit: 'B', baseline: plain[0]!, baselineName: 'CBOR wire bytes as is', note: `${toa(compact[0]!).toFixed(0)} ms at SF9/BW125, ${lfNote(compact.slice(0, 1))}` },
        { name: `lattice ${kind} ${label} text, 3 hops (sum)`, value: sum(compact), unit: 'B', baseline: sum(plain), baselineName: 'CBOR wire bytes as is', note: lfNote(compact) },
        { name: `meshtastic ${kind} ${label} text, 1 hop`, value: mt[0]!, unit: 'B', baseline: compact[0]!, baselineName: 'lattice', note: `${dm ? 'PKI DM: +12 B CCM tag/nonce' : 'channel AES-CTR, unsigned'}, ${lfNote(mt.slice(0, 1))}` },
        { name: `meshtastic ${kind} ${label} text, 3 hops (sum)`, value: sum(mt), unit: 'B', baseline: sum(compact), baselineName: 'lattice', note: lfNote(mt) },
        { name: `meshcore ${kind} ${label} text, 1 hop`, value: mc[0]!, unit: 'B', baseline: compact[0]!, baselineName: 'lattice', note: `${dm ? 'TXT_MSG' : 'GRP_TXT, sender "relay"'}, ${lfNote(mc.slice(0, 1))}` },
        { name: `meshcore ${kind} ${label} text, 3 hops (sum)`, value: sum(mc), unit: 'B', baseline: sum(compact), baselineName: 'lattice', note: lfNote(mc) },
      );
      rows.push(
        { name: `lattice v2 ${kind} ${label} text, 1 hop`, value: v2.data[0]!, unit: 'B', baseline: compact[0]!, baselineName: 'lattice v1', goal: '≤ 24 B overhead', pass: overhead(v2.data[0]!) <= 24, note: `${overhead(v2.data[0]!)} B overhead, ${toa(v2.data[0]!).toFixed(0)} ms at SF9/BW125, ${timeOnAirMs(longFast, v2.data[0]!).toFixed(0)} ms on LongFast (v1 ${timeOnAirMs(longFast, compact[0]!).toFixed(0)} ms); ${dm ? 'AES-CCM 8-B tag end to end, 4-B hop MAC' : '6-B group tag, 4-B delayed-key sender MAC'}` },
        { name: `lattice v2 ${kind} ${label} text, 3 hops (sum)`, value: sum(v2.data), unit: 'B', baseline: sum(compact), baselineName: 'lattice v1', goal: '≤ 24 B + 2 B custody per relay, each hop', pass: v2.data.every((n, hop) => overhead(n) - 2 * hop <= 24), note: `per hop ${v2.data.map(overhead).join(' / ')} B overhead (+2 B custody per relay; the origin key as a 2-B hint once relays hold it), ${lfNote(v2.data)}` },
      );
      if (dm && label === '32-B') rows.push({ name: 'lattice v2 link ACKs for the DM, 3 hops (sum)', value: sum(v2.acks), unit: 'B', note: `${v2.acks.length} ACK frames of 5 B` });
      if (dm && label === '32-B') rows.push({ name: 'lattice link ACKs for the DM, 3 hops (sum)', value: sum(measured.acks), unit: 'B', note: `${measured.acks.length} ACK frames of 10 B (Meshtastic answers DMs with a ROUTING packet, MeshCore with an ACK/PATH packet; not counted on their rows)` });
    }
    }
    return rows;
  } finally {
    restore();
  }
}

export async function benchLoraIrqToFrame(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const restore = setLogSink(() => undefined, 'silent');
  const n = options.quick ? 40 : 200;
  const a = generateIdentity();
  const b = generateIdentity();
  const hood = createLoraNeighbourhood({ nodes: [{ name: 'A', nodeId: a.nodeId, x: 0 }, { name: 'B', nodeId: b.nodeId, x: 1000 }] });
  const dio1 = hood.emulated.node('B').chip.dio1;
  let irqAt = 0;
  const set = dio1.set.bind(dio1);
  // Timestamp the RxDone edge on the receiving chip's DIO1 line (bench instrumentation only).
  dio1.set = (level) => {
    if (level === 1 && dio1.value === 0) irqAt = performance.now();
    set(level);
  };
  const samples: number[] = [];
  let received = 0;
  hood.bearer('B').on('frame', () => {
    samples.push(performance.now() - irqAt);
    received++;
  });
  try {
    await hood.start();
    for (let i = 0; i < n; i++) {
      const bytes = encodeFrame({ kind: 'bundle', payload: encodeBundle(createBundle(a, { recipient: null, text: `${TEXT} ${i}` })) });
      await hood.bearer('A').send({ peer: BROADCAST, kind: 'bundle', bytes });
      await until(`frame ${i}`, () => received > i);
    }
  } finally {
    await hood.stop();
    restore();
  }
  samples.sort((x, y) => x - y);
  const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!;
  return [
    { name: 'IRQ (RxDone) to frame delivered, p50', value: pct(50), unit: 'ms', note: `${n} compact bundles, emulated SX1262 over the SPI HAL` },
    { name: 'IRQ (RxDone) to frame delivered, p99', value: pct(99), unit: 'ms' },
  ];
}

/** `--markdown`: the on-air bytes of the last run side by side with LongFast airtime (bench/main.ts prints it after
 * the table). Per cell: bytes / ms on LongFast; 3 hops = the sum over the frames of the three hops. */
export function markdown(): string | undefined {
  if (lastRun.length === 0) return undefined;
  const longFast = latticeModulation({ preset: 'LongFast', region: 'EU_868' }).modulation;
  const cell = (frames: number[]) => `${frames.reduce((a, b) => a + b, 0)} B / ${Math.round(frames.reduce((a, n) => a + timeOnAirMs(longFast, n), 0)).toLocaleString('en-US')} ms`;
  const lines = [
    'On air per message, bytes / LongFast airtime (EU868 LongFast SF11/BW250, lib/lora time-on-air), same run:',
    '',
    '| text | kind | hops | Lattice v1 | Lattice v2 | v2 overhead | Meshtastic | MeshCore |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const m of lastRun) {
    const bytes = m.text === '32-B' ? 32 : 20;
    for (const hops of [1, 3]) {
      const take = (a: number[]) => a.slice(0, hops);
      const oh = take(m.v2).map((n) => n - bytes);
      lines.push(`| ${m.text} | ${m.kind} | ${hops} | ${cell(take(m.v1))} | ${cell(take(m.v2))} | ${hops === 1 ? `${oh[0]} B` : `${oh.join(' / ')} B per hop`} | ${cell(take(m.meshtastic))} | ${cell(take(m.meshcore))} |`);
    }
  }
  return lines.join('\n') + '\n';
}
