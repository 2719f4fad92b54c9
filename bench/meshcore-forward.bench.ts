/**
 * The MeshCore mesh (issue 14): CPU per forwarded packet, as a ratio to one AES-128-ECB + HMAC-SHA256 of the same
 * bytes measured in the same run (the cipher of every encrypted MeshCore payload, ota/cipher.ts macThenDecrypt).
 * Frames go through the real createMesh: logRxRaw, parse (ota/packet.ts), packet hash (SHA-256) and the 160-entry
 * dedupe scan, Mesh::onRecvPacket, the forward decision, the TX queue, the budget and the encoding of the frame sent.
 * The radio transmits in no time and the handler's retransmit delay is 0, so the queue drains between batches
 * without timers (a delay is a number, not CPU). Rows:
 * - flood GRP_TXT relayed by a repeater (it holds no channel: no decryption, as simple_repeater);
 * - the same with the channel held (the native node is repeater and companion: it decrypts and forwards);
 * - direct TXT_MSG for which we are the next hop (remove our hash, priority 0).
 */
import type { BenchRow } from './bench-row.js';
import { ManualClock } from '../lib/testing/manual-clock.js';
import { meshCoreModulation } from '../lib/lora/meshcore-presets.js';
import type { PacketRadioFrame } from '../lib/lora/packet-radio.js';
import { macThenDecrypt } from '../firmware-protocol/meshcore/ota/cipher.js';
import { PAYLOAD_TYPE, ROUTE_TYPE, encodePacket, type McPacket } from '../firmware-protocol/meshcore/ota/packet.js';
import { createMesh } from '../firmware-protocol/meshcore/mesh/create-mesh.js';
import type { GroupChannelKey, MeshHandler } from '../firmware-protocol/meshcore/mesh/mesh-handler.js';
import { createDatagram, createGroupDatagram } from '../firmware-protocol/meshcore/mesh/packet-factories.js';
import { identityFor, seededRandom } from '../firmware-protocol/meshcore/mesh/testing/mesh-network.js';

const channel: GroupChannelKey = { hash: 0x11, secret: Uint8Array.from(Buffer.from('8b3387e9c5cdea6ac9e5edbaa115cd72', 'hex')) };
const me = identityFor('bench-repeater');
const senders = Array.from({ length: 16 }, (_, i) => identityFor(`sender-${i}`));

function cpuMs(t0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

/** `n` distinct frames as other nodes put them on the air, and the MAC ‖ ciphertext of each. */
function frames(kind: 'flood' | 'direct', n: number): { raw: Uint8Array; sealed: Uint8Array; secret: Uint8Array }[] {
  const out = [];
  for (let i = 0; i < n; i++) {
    const from = senders[i % senders.length];
    const ctx = { identity: from, rtcSeconds: () => 1_700_000_000 + i, random: Math.random };
    const ts = Buffer.alloc(5);
    ts.writeUInt32LE(1_700_000_000 + i);
    const text = Buffer.concat([ts, Buffer.from(`sender-${i % 16}: #${i} anyone on the ridge tonight? wind from the west`)]);
    let p: McPacket;
    let secret: Uint8Array;
    if (kind === 'flood') {
      p = createGroupDatagram(PAYLOAD_TYPE.GRP_TXT, channel, text);
      p = { ...p, routeType: ROUTE_TYPE.FLOOD, path: Uint8Array.of(0x21, 0x37) };
      secret = channel.secret;
    } else {
      const dest = senders[(i + 1) % senders.length];
      secret = from.sharedSecret(dest.publicKey);
      p = createDatagram(ctx, PAYLOAD_TYPE.TXT_MSG, dest.publicKey, secret, text);
      p = { ...p, routeType: ROUTE_TYPE.DIRECT, path: Uint8Array.of(me.publicKey[0], 0x44, 0x55) };
    }
    out.push({ raw: encodePacket(p), sealed: p.payload.subarray(kind === 'flood' ? 1 : 2), secret });
  }
  return out;
}

async function forwardCpu(kind: 'flood' | 'direct', holdChannel: boolean, n: number): Promise<{ perPacketUs: number; aesUs: number; forwarded: number; frameBytes: number }> {
  const batch = 16; // below the 32-packet TX queue: every forward is queued, none refused
  const all = frames(kind, n + batch);
  const clock = new ManualClock();
  let listener: ((f: PacketRadioFrame) => void) | undefined;
  const handler: MeshHandler = {
    allowPacketForward: () => true,
    retransmitDelayMs: () => 0,
    directRetransmitDelayMs: () => 0,
    airtimeBudgetFactor: () => 0,
    logRxRaw: () => undefined,
    searchChannelsByHash: (h) => (holdChannel && h === channel.hash ? [channel] : []),
    onGroupDataRecv: () => undefined,
  };
  const mesh = createMesh({
    radio: {
      transmit: async () => ({ airtimeMs: 0 }),
      channelBusy: async () => false,
      onReceive: (l) => {
        listener = l;
        return () => (listener = undefined);
      },
    },
    identity: me,
    modulation: meshCoreModulation('EU_UK_NARROW'),
    clock,
    random: seededRandom(1),
    handler,
  });
  mesh.start();
  const turn = () => new Promise<void>((r) => setImmediate(r));
  const feed = async (from: number, to: number): Promise<number> => {
    const t0 = process.cpuUsage();
    for (let i = from; i < to; i += batch) {
      for (let j = i; j < Math.min(to, i + batch); j++) listener!({ bytes: all[j].raw, rssiDbm: -90, snrDb: 5 });
      while (mesh.queueLength() > 0) await turn(); // the TX loop sends them (measured: it is part of forwarding)
    }
    return cpuMs(t0);
  };
  await feed(0, batch); // warm up
  const before = mesh.counters.forwarded;
  const ms = await feed(batch, n + batch);
  const forwarded = mesh.counters.forwarded - before;
  await mesh.stop();
  if (forwarded !== n) throw new Error(`${forwarded} of ${n} packets forwarded`);
  // Baseline, same run: one AES-128-ECB + HMAC-SHA256 over the same MAC ‖ ciphertext bytes (ota/cipher.ts).
  const sealed = all.slice(batch);
  for (const s of sealed.slice(0, batch)) macThenDecrypt(s.secret, s.sealed);
  const t0 = process.cpuUsage();
  for (const s of sealed) if (!macThenDecrypt(s.secret, s.sealed)) throw new Error('baseline MAC mismatch');
  const aesMs = cpuMs(t0);
  return { perPacketUs: (ms * 1000) / n, aesUs: (aesMs * 1000) / n, forwarded, frameBytes: all[0].raw.length };
}

export async function benchForwardCpu(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const n = options.quick ? 2000 : 20_000;
  const rows: BenchRow[] = [];
  const cases = [
    ['flood GRP_TXT forwarded (repeater: no channel held)', 'flood', false],
    ['flood GRP_TXT decrypted and forwarded (channel held)', 'flood', true],
    ['direct TXT_MSG forwarded (we are the next hop)', 'direct', false],
  ] as const;
  for (const [name, kind, hold] of cases) {
    const r = await forwardCpu(kind, hold, n);
    rows.push({ name, value: r.perPacketUs, unit: 'µs CPU', baseline: r.aesUs, baselineName: 'one AES-128-ECB + HMAC-SHA256 of the same bytes', note: `${n} distinct ${r.frameBytes}-byte frames, ${r.forwarded} forwarded` });
  }
  return rows;
}
