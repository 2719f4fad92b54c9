/**
 * MeshCore companion link benchmarks:
 * - frame decoder throughput on a realistic frame mix fed in 64-byte serial-sized chunks, against a plain
 *   Buffer copy of the same chunks in the same run (the floor any decoder has to pay);
 * - frame received → handed to the gateway (`foreign` event) latency, p50/p99, through the real session and
 *   gateway over an in-process link to the simulated radio.
 */
import type { BenchRow } from './bench-row.js';
import { MeshCoreFrameDecoder, encodeMeshCoreFrame, MESHCORE_MARKER_FROM_RADIO } from '../firmware-protocol/framing/meshcore-frame.js';
import { encodeMessageFrame } from '../firmware-protocol/meshcore/message-frames.js';
import { isPlausibleRadioCode } from '../firmware-protocol/meshcore/codes.js';
import { SimDevice } from '../firmware-protocol/meshcore/sim/sim-device.js';
import { SimMesh } from '../firmware-protocol/meshcore/sim/sim-mesh.js';
import { connectMemoryLink } from '../firmware-protocol/meshcore/sim/memory-link.js';
import { MeshCoreGateway } from '../runtime/bearers/meshcore/meshcore-gateway.js';

function workload(totalBytes: number): Uint8Array {
  const frames = [
    encodeMeshCoreFrame(Uint8Array.of(0x83), MESHCORE_MARKER_FROM_RADIO),
    encodeMeshCoreFrame(encodeMessageFrame({ kind: 'channel', channelIdx: 0, pathLen: 3, txtType: 0, senderTimestamp: 1700000000, text: 'Alice: the quick brown fox jumps over the lazy dog', snr: 6.25 }, true), MESHCORE_MARKER_FROM_RADIO),
    encodeMeshCoreFrame(new Uint8Array(148).fill(0x03), MESHCORE_MARKER_FROM_RADIO),
    encodeMeshCoreFrame(new Uint8Array(120).fill(0x88), MESHCORE_MARKER_FROM_RADIO),
  ];
  const out = new Uint8Array(totalBytes);
  let pos = 0;
  for (let i = 0; pos < totalBytes; i++) {
    const f = frames[i % frames.length];
    const n = Math.min(f.length, totalBytes - pos);
    out.set(f.subarray(0, n), pos);
    pos += n;
  }
  return out;
}

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export async function benchDecoderThroughput(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const size = options.quick ? 4 << 20 : 32 << 20;
  const wire = workload(size);
  const chunk = 64;
  const rounds = 3;
  let frames = 0;
  // Warm up both paths once.
  new MeshCoreFrameDecoder().push(wire.subarray(0, 1 << 16));
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const d = new MeshCoreFrameDecoder({ accept: (p) => isPlausibleRadioCode(p[0]) });
    let n = 0;
    const s = time(() => {
      for (let i = 0; i < wire.length; i += chunk) n += d.push(wire.subarray(i, i + chunk)).length;
    });
    frames = n;
    best = Math.min(best, s);
  }
  let copyBest = Infinity;
  const src = Buffer.from(wire.buffer, wire.byteOffset, wire.byteLength);
  const dst = Buffer.allocUnsafe(4096);
  for (let r = 0; r < rounds; r++) {
    copyBest = Math.min(copyBest, time(() => {
      for (let i = 0; i < src.length; i += chunk) src.copy(dst, 0, i, Math.min(i + chunk, src.length));
    }));
  }
  const mb = size / (1 << 20);
  return [
    // A 115200-baud serial link carries 11.25 KiB/s; a Wi-Fi companion a few hundred KiB/s at most.
    { name: 'decoder throughput (64-byte chunks)', value: mb / best, unit: 'MiB/s', baseline: mb / copyBest, baselineName: 'Buffer copy',
      goal: '≥ 10 MiB/s', pass: mb / best >= 10, note: `${frames} frames` },
    { name: 'decoder frames/s', value: frames / best, unit: 'frames/s' },
  ];
}

export async function benchFrameToGatewayLatency(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const n = options.quick ? 300 : 2000;
  const device = new SimDevice({ offlineQueueSize: 256 });
  // The simulated air is real LoRa timing: the fastest preset keeps the run short (the sample starts at the link).
  Object.assign(device.persistent.prefs, { nodeName: 'Bench', sf: 7, bwHz: 500000 });
  const mesh = new SimMesh(device);
  const alice = mesh.addNode({ name: 'Alice' });
  alice.advert();
  const link = connectMemoryLink(device);
  const gw = new MeshCoreGateway({ name: 'meshcore-bench', open: async () => link, pollIntervalMs: 0 });
  const samples: number[] = [];
  let pending: ((t: number) => void) | null = null;
  gw.on('foreign', () => {
    const t = performance.now() - link.lastDeliveryAt;
    pending?.(t);
  });
  await gw.start();
  await gw.whenUp({ signal: AbortSignal.timeout(10000) });
  for (let i = 0; i < n; i++) {
    const got = new Promise<number>((resolve) => { pending = resolve; });
    alice.sendChannel('Public', `message ${i}`);
    samples.push(await got);
  }
  await gw.stop();
  mesh.stop();
  samples.sort((a, b) => a - b);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] * 1000;
  return [
    { name: 'frame received → gateway foreign event p50', value: q(0.5), unit: 'µs', note: `${n} channel messages` },
    { name: 'frame received → gateway foreign event p99', value: q(0.99), unit: 'µs', goal: '< 10 ms', pass: q(0.99) < 10_000 },
  ];
}
