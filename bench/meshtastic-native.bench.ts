/**
 * The native Meshtastic node (issue 13):
 * - CPU per received packet: a frame heard → header parsed (ota-frame.ts) → duplicate check (PacketHistory) →
 *   decrypted (the PacketCipher, AES-128-CTR with the default key) → NodeDB update, modules → rebroadcast decision
 *   (managed flooding: queued with its contention delay, or not), through the real MeshRouter with the real codec and
 *   cipher; against one AES-128-CTR of the same bytes in the same run (the floor any node pays to read a packet).
 *   Every frame is a distinct LongFast channel text from one of 16 other nodes with hops left, so each one is decoded
 *   and queued for rebroadcast; the queue is sent between batches (the radio takes no time), so it never overflows.
 * - RSS of `lattice run` with one native radio idle (hal sim on a `lattice sim air` of its own), against the same
 *   relay without it in the same run.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums, Channel } from '@meshtastic/protobufs';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './bench-row.js';
import { startAirServer } from '../drivers/sx126x/sim/air-server.js';
import { freePort } from '../lib/testing/free-port.js';
import { ManualClock } from '../lib/testing/manual-clock.js';
import { meshtasticModulation } from '../lib/lora/meshtastic-presets.js';
import { MeshRouter } from '../firmware-protocol/meshtastic/mesh/mesh-router.js';
import type { MeshRadioFrame } from '../firmware-protocol/meshtastic/mesh/mesh-radio.js';
import { MemoryNodeDirectory } from '../firmware-protocol/meshtastic/mesh/testing/memory-node-directory.js';
import { createPacketCipher } from '../firmware-protocol/meshtastic/ota/create-packet-cipher.js';
import { decodeOtaFrame, encodeOtaFrame } from '../firmware-protocol/meshtastic/ota/ota-frame.js';
import { aesCtr, channelNonce } from '../firmware-protocol/meshtastic/ota/channel-crypto.js';
import { expandPsk } from '../firmware-protocol/meshtastic/ota/channel-keys.js';

const ME = 0x1234abcd;
const channels = [create(Channel.ChannelSchema, { index: 0, role: Channel.Channel_Role.PRIMARY, settings: { name: '', psk: Uint8Array.of(1) } })];
const LORA = { usePreset: true, modemPreset: 0 };

/** `count` distinct encrypted frames as other nodes put them on the air. */
function frames(count: number): Uint8Array[] {
  const senders = Array.from({ length: 16 }, (_, i) => 0x0a000001 + i * 0x10101);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const from = senders[i % senders.length]!;
    const cipher = createPacketCipher({ channels, ownNodeNum: from, publicKeyOf: () => undefined, lora: LORA });
    const p = create(Mesh.MeshPacketSchema, {
      from, to: 0xffffffff, id: 0x10000 + i, channel: 0, hopLimit: 3, hopStart: 3,
      payloadVariant: { case: 'decoded', value: { portnum: Portnums.PortNum.TEXT_MESSAGE_APP, payload: new TextEncoder().encode(`#${i} anyone on the ridge tonight? wind picking up from the west`) } },
    });
    const enc = cipher.encrypt(p);
    if (!enc.ok) throw new Error(`encrypt: ${enc.reason}`);
    out.push(encodeOtaFrame(enc.packet));
  }
  return out;
}

function cpuMs(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

export async function benchReceivePath(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const n = options.quick ? 2000 : 10_000;
  // The TX queue holds 16 (MAX_TX_QUEUE): batches below it so every rebroadcast is queued, none evicted.
  const batch = 8;
  const all = frames(n + batch);
  const clock = new ManualClock();
  let listener: ((f: MeshRadioFrame) => void) | undefined;
  let sent = 0;
  const directory = new MemoryNodeDirectory();
  const router = new MeshRouter({
    nodeNum: ME, role: 'CLIENT', directory, clock, modulation: meshtasticModulation('EU_868', 'LONG_FAST'),
    cipher: createPacketCipher({ channels, ownNodeNum: ME, publicKeyOf: (num) => directory.publicKeyOf(num), lora: LORA }),
    radio: {
      transmit: async () => { sent++; return { airtimeMs: 0 }; },
      channelBusy: async () => false,
      onReceive: (l) => { listener = l; return () => (listener = undefined); },
    },
    decodeFrame: (b) => decodeOtaFrame(b),
    encodeFrame: encodeOtaFrame,
    owner: () => create(Mesh.UserSchema, { longName: 'bench', shortName: 'BNCH', publicKey: new Uint8Array(32).fill(7) }),
    nodeInfoBroadcastSecs: 86_400,
  });
  router.start();
  const feed = async (from: number, to: number): Promise<number> => {
    let ms = 0;
    for (let i = from; i < to; i += batch) {
      ms += cpuMs(() => {
        for (let j = i; j < Math.min(to, i + batch); j++) listener!({ bytes: all[j]!, rssiDbm: -90, snrDb: 5 });
      });
      // Lets the contention timers fire and the queue drain (outside the measured time).
      await clock.advance(30_000);
    }
    return ms;
  };
  await feed(0, batch); // warm up
  const ms = await feed(batch, n + batch);
  router.stop();
  // Baseline: one AES-128-CTR over the same encrypted bytes (the default key, the packet's own nonce), same run.
  const key = expandPsk(Uint8Array.of(1));
  const payloads = all.slice(batch).map((f) => ({ iv: channelNonce(f[4]! | (f[5]! << 8) | (f[6]! << 16) | (f[7]! << 24), f[8]! | (f[9]! << 8) | (f[10]! << 16) | (f[11]! << 24)), bytes: f.subarray(16) }));
  for (const p of payloads.slice(0, batch)) aesCtr(key, p.iv, p.bytes);
  const aesMs = cpuMs(() => {
    for (const p of payloads) aesCtr(key, p.iv, p.bytes);
  });
  const rebroadcasts = sent;
  const perPacketUs = (ms * 1000) / n;
  const aesUs = (aesMs * 1000) / n;
  return [
    { name: 'received packet: parse, dedupe, decrypt, rebroadcast decision', value: perPacketUs, unit: 'µs CPU', baseline: aesUs, baselineName: 'one AES-128-CTR of the same bytes', note: `${n} distinct LongFast channel texts of ${all[0]!.length} bytes; ${rebroadcasts} rebroadcast` },
  ];
}

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'lattice.js');
const SETTLE_MS = 4000;

function vmRssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** `lattice run` with these extra arguments: VmRSS once it logged "relay running" and settled. */
async function relayRss(dataDir: string, extra: string[]): Promise<number> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'run', '--no-sim', '--no-discovery', '--data-dir', dataDir, '--api', `127.0.0.1:${port}`, '--metrics', 'off', ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  let out = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "relay running" within 60 s: ${out.slice(-800)}`)), 60_000);
      const check = (d: Buffer) => {
        out += d.toString();
        if (/relay running/.test(out)) { clearTimeout(timer); resolve(); }
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}: ${out.slice(-800)}`)); });
    });
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    return vmRssMiB(child.pid!);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

/** RSS of a relay with one native radio idle (on `lattice sim air`, nobody else on it), against the same relay
 * without it, same run. */
export async function benchNativeIdleRss(): Promise<BenchRow[]> {
  const air = await startAirServer({ host: '127.0.0.1', port: 0 });
  const root = mkdtempSync(join(tmpdir(), 'bench-native-rss-'));
  try {
    const file = join(root, 'lattice.yaml');
    writeFileSync(file, `lora:\n  - name: mt0\n    protocol: meshtastic\n    hal: sim\n    air: 127.0.0.1:${air.port}\n    position: [0, 0]\n    meshtastic: { api: 127.0.0.1:${await freePort()} }\n`);
    const native = await relayRss(join(root, 'native'), ['--config', file]);
    const bare = await relayRss(join(root, 'bare'), []);
    return [{ name: 'relay RSS, one native Meshtastic radio idle', value: native, unit: 'MiB', baseline: bare, baselineName: 'the same relay without it', note: 'hal sim (the real driver on the emulated chip); VmRSS after start + 4 s' }];
  } finally {
    await air.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
