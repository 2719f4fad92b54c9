/**
 * Meshtastic companion link benchmarks:
 * - stream decoder (0x94 0xC3 framing) throughput on a realistic FromRadio mix fed in 64-byte serial-sized chunks,
 *   against a plain Buffer copy of the same chunks in the same run (the floor any decoder pays), plus frames/s;
 * - frame received → handed to the gateway (`foreign` event) latency p50/p99, through the real session and gateway
 *   over an in-process link to the simulated radio.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import type { BenchRow } from './bench-row.js';
import type { ByteLink } from '../firmware-protocol/framing/byte-link.js';
import { MeshtasticStreamDecoder, encodeStreamFrame } from '../firmware-protocol/framing/meshtastic-stream.js';
import { Mesh, Portnums } from '../firmware-protocol/meshtastic/messages.js';
import { memoryLink } from '../firmware-protocol/meshtastic/sim/memory-link.js';
import { SimDevice } from '../firmware-protocol/meshtastic/sim/sim-device.js';
import { MeshtasticBearer } from '../runtime/bearers/meshtastic/meshtastic-bearer.js';
import type { Logger } from '../runtime/log/logger.js';

function fromRadioFrame(init: Parameters<typeof create<typeof Mesh.FromRadioSchema>>[1]): Uint8Array {
  return encodeStreamFrame(toBinary(Mesh.FromRadioSchema, create(Mesh.FromRadioSchema, init)));
}

function workload(totalBytes: number): { wire: Uint8Array; frames: number } {
  const text = new TextEncoder().encode('Alice: the quick brown fox jumps over the lazy dog near the rooftop relay');
  const frames = [
    fromRadioFrame({ payloadVariant: { case: 'queueStatus', value: { res: 0, free: 15, maxlen: 16, meshPacketId: 0x1234abcd } } }),
    fromRadioFrame({ payloadVariant: { case: 'packet', value: { from: 0x11111111, to: 0xffffffff, id: 0x55667788, rxTime: 1700000000, rxSnr: 6.25, hopLimit: 3, hopStart: 3, payloadVariant: { case: 'decoded', value: { portnum: Portnums.PortNum.TEXT_MESSAGE_APP, payload: text } } } } }),
    fromRadioFrame({ payloadVariant: { case: 'nodeInfo', value: { num: 0x22222222, user: { id: '!22222222', longName: 'Bob Handheld', shortName: 'BOB', publicKey: new Uint8Array(32).fill(0x94) }, snr: 5, lastHeard: 1700000000 } } }),
    new TextEncoder().encode('DEBUG | 12:00:01 42 [Router] Received text msg from=0x11111111, id=0x55667788\r\n'),
  ];
  const out = new Uint8Array(totalBytes);
  let pos = 0;
  let count = 0;
  for (let i = 0; ; i++) {
    const f = frames[i % frames.length]!;
    if (pos + f.length > totalBytes) break;
    out.set(f, pos);
    pos += f.length;
    if (f[0] === 0x94) count++;
  }
  return { wire: out.subarray(0, pos), frames: count };
}

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export async function benchDecoderThroughput(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const { wire, frames: expected } = workload(options.quick ? 4 << 20 : 32 << 20);
  const chunk = 64;
  const rounds = 3;
  let frames = 0;
  new MeshtasticStreamDecoder().push(wire.subarray(0, 1 << 16)); // warm up
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const d = new MeshtasticStreamDecoder();
    let n = 0;
    const s = time(() => {
      for (let i = 0; i < wire.length; i += chunk) {
        for (const e of d.push(wire.subarray(i, i + chunk))) if (e.type === 'frame') n++;
      }
    });
    frames = n;
    best = Math.min(best, s);
  }
  if (frames !== expected) throw new Error(`decoder found ${frames} frames, workload has ${expected}`);
  let copyBest = Infinity;
  const src = Buffer.from(wire.buffer, wire.byteOffset, wire.byteLength);
  const dst = Buffer.allocUnsafe(4096);
  for (let r = 0; r < rounds; r++) {
    copyBest = Math.min(copyBest, time(() => {
      for (let i = 0; i < src.length; i += chunk) src.copy(dst, 0, i, Math.min(i + chunk, src.length));
    }));
  }
  const mb = wire.length / (1 << 20);
  const rate = mb / best;
  const copyRate = mb / copyBest;
  return [
    { name: 'meshtastic stream decoder (64-byte chunks)', value: rate, unit: 'MiB/s', baseline: copyRate, baselineName: 'Buffer copy', ratio: rate / copyRate, note: `${frames} frames + log lines` },
    { name: 'meshtastic stream decoder frames/s', value: frames / best, unit: 'frames/s' },
  ];
}

export async function benchFrameToGatewayLatency(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const n = options.quick ? 300 : 2000;
  const device = new SimDevice({ seed: 1 });
  let lastDeliveryAt = 0;
  const opener = async (): Promise<ByteLink> => {
    const link = memoryLink(device);
    return {
      ...link,
      description: link.description,
      get isOpen() {
        return link.isOpen;
      },
      write: (b, o) => link.write(b, o),
      close: () => link.close(),
      onClose: (l) => link.onClose(l),
      // Stamp the instant the bytes reach the session: the start of "frame received".
      onData: (l) => link.onData((c) => {
        lastDeliveryAt = performance.now();
        l(c);
      }),
    };
  };
  const quiet: Logger = { namespace: 'bench', error() {}, warn() {}, info() {}, debug() {}, trace() {}, enabled: () => false, frame() {}, child: () => quiet };
  const bearer = new MeshtasticBearer({ name: 'meshtastic-bench', device: 'memory', transport: 'serial', opener, logger: quiet });
  let pending: ((t: number) => void) | null = null;
  bearer.on('foreign', () => pending?.(performance.now() - lastDeliveryAt));
  await bearer.start();
  const t0 = Date.now();
  while (bearer.status().state !== 'up') {
    if (Date.now() - t0 > 10_000) throw new Error('bench gateway did not come up');
    await new Promise((r) => setTimeout(r, 10));
  }
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const got = new Promise<number>((resolve) => (pending = resolve));
    device.injectText({ from: 0x11111111, channel: 0, text: `message ${i}` });
    samples.push(await got);
  }
  await bearer.stop();
  device.stop();
  samples.sort((a, b) => a - b);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]! * 1000;
  return [
    { name: 'meshtastic frame received → gateway foreign event p50', value: q(0.5), unit: 'µs', note: `${n} channel texts` },
    { name: 'meshtastic frame received → gateway foreign event p99', value: q(0.99), unit: 'µs' },
  ];
}
