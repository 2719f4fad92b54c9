/**
 * Bridge benchmarks, over the two firmware simulators on in-process byte links (the bytes a USB cable would carry):
 *
 * - added latency, p50/p99, from "a simulated user's channel text reaches the relay's radio" (the simulator hands
 *   the packet to its client queue) to "the simulated users on the other mesh hear the bridged text", each way,
 *   through the real gateways, Router, Vault (durable LMDB) and Bridge (durable queue), with the bridge's limits off;
 * - throughput (bridged messages/s) Meshtastic → MeshCore with the limits off;
 * - baseline, measured in the same run over the same simulators and gateways: a plain gateway-to-gateway echo (the
 *   foreign event of one gateway handed straight to the other gateway's send, no router, vault or bridge) — the
 *   floor set by the simulated radios, links and codecs. The ratio is bridge / echo;
 * - each latency twice: texts 0.5 s apart, an idle relay (the vault's fsync budget, runtime/vault/fsync-budget.ts,
 *   refills between texts, so each of the two durable stores of a bridged text, the foreign bundle and the relay's
 *   new one, waits for one fsync and no more), and texts back to back (the next one 30 ms after the last was heard:
 *   the budget is spent and the vault batches, 10 flushes a second);
 * - the vault's flushes over the back-to-back texts and the throughput run: the most in any one second (its budget:
 *   ≤ 10), sampled every 10 ms, and the average.
 *
 * The Meshtastic firmware drops a client's text sent within 2 s of the previous one (PhoneAPI.cpp, TWO_SECONDS_MS →
 * RATE_LIMIT_EXCEEDED) and the gateway paces texts 2.1 s apart to respect it. That is the radio's limit, not the
 * bridge's: to measure the bridge, the simulated Meshtastic radio runs its firmware clock 100× fast (the 2-s rule
 * lasts 20 ms) and the gateway paces at 25 ms; each simulated packet holds the air 1 ms. On a real radio MeshCore →
 * Meshtastic can never exceed one text per 2 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from './bench-row.js';
import type { Bearer } from '../runtime/bearer/bearer.js';
import type { BridgeConfig } from '../runtime/config/config.js';
import { DEFAULTS } from '../runtime/config/defaults.js';
import { Bridge } from '../runtime/bridge/bridge.js';
import { createBundle } from '../runtime/bundle/create-bundle.js';
import { encodeBundle } from '../runtime/bundle/bundle-codec.js';
import { generateIdentity } from '../runtime/identity/identity.js';
import { createLogger } from '../runtime/log/logger.js';
import { Router } from '../runtime/router/router.js';
import { Vault } from '../runtime/vault/vault.js';
import { MeshtasticBearer } from '../runtime/bearers/meshtastic/meshtastic-bearer.js';
import { MeshCoreGateway } from '../runtime/bearers/meshcore/meshcore-gateway.js';
import { SimDevice as MtDevice } from '../firmware-protocol/meshtastic/sim/sim-device.js';
import { memoryLink } from '../firmware-protocol/meshtastic/sim/memory-link.js';
import { SimDevice as McDevice } from '../firmware-protocol/meshcore/sim/sim-device.js';
import { SimMesh as McMesh, type SimNode as McNode } from '../firmware-protocol/meshcore/sim/sim-mesh.js';
import { connectMemoryLink } from '../firmware-protocol/meshcore/sim/memory-link.js';
import { waitFor } from '../lib/testing/wait-for.js';

const ALICE = 0xa11ce001;
const MT_CLOCK_SCALE = 100;
const UNLIMITED = { messagesPerMinute: 1e9, airtimeMsPerHour: 1e12 };

interface Rig {
  mt: MtDevice;
  mc: McDevice;
  bob: McNode;
  bearers: [MeshtasticBearer, MeshCoreGateway];
  vault?: Vault;
  /** Resolves when the other mesh heard a text containing `marker`. */
  heardOn(mesh: 'mc' | 'mt', marker: string): Promise<number>;
  stop(): Promise<void>;
}

async function rig(mode: 'bridge' | 'echo', dir: string): Promise<Rig> {
  const t0 = performance.now();
  const mt = new MtDevice({
    nodeNum: 0x1a77ce00,
    nodes: [{ num: ALICE, longName: 'Alice', shortName: 'ALI', channels: [0] }],
    airtimeMs: 1,
    ackDelayMs: 1,
    now: () => t0 + (performance.now() - t0) * MT_CLOCK_SCALE,
    // The firmware's 15-min API idle timeout on the scaled clock would be 9 s of real time: keep it 15 real minutes.
    apiIdleTimeoutMs: 15 * 60_000 * MT_CLOCK_SCALE,
  });
  mt.start();
  const mc = new McDevice({ offlineQueueSize: 256 });
  // The simulated MeshCore air is real LoRa timing now: the fastest preset keeps its share of the latency small.
  Object.assign(mc.persistent.prefs, { nodeName: 'Relay', sf: 7, bwHz: 500000 });
  const mcMesh = new McMesh(mc);
  mcMesh.historyLimit = 16;
  mt.mesh.historyLimit = 16;
  const bob = mcMesh.addNode({ name: 'Bob' });
  bob.advert();

  const waiters = new Map<string, (t: number) => void>();
  const settle = (text: string | undefined) => {
    if (!text) return;
    const m = /#(\d+)#/.exec(text);
    if (!m) return;
    const w = waiters.get(m[0]);
    if (w) {
      waiters.delete(m[0]);
      w(performance.now());
    }
  };
  mt.mesh.onReceived((r) => settle(r.text));
  mcMesh.onHeard((h) => settle(h.message.text));

  const log = createLogger('bench.bridge');
  const mtBearer = new MeshtasticBearer({
    name: 'meshtastic0', device: 'sim', transport: 'serial', opener: async () => memoryLink(mt), logger: log,
    session: { textIntervalMs: 25 },
  });
  const mcBearer = new MeshCoreGateway({ name: 'meshcore0', open: async () => connectMemoryLink(mc), pollIntervalMs: 0 });
  const bearers: [MeshtasticBearer, MeshCoreGateway] = [mtBearer, mcBearer];

  const identity = generateIdentity();
  const echoSends = new Set<Promise<void>>();
  const echoFailures: string[] = [];
  let vault: Vault | undefined;
  let router: Router | undefined;
  let bridge: Bridge | undefined;
  if (mode === 'bridge') {
    vault = new Vault({ path: join(dir, 'vault') });
    await vault.start();
    router = new Router({ identity, vault, bearers, log, bloomIntervalMs: 3_600_000 });
    await router.start();
    const settings: BridgeConfig = {
      ...DEFAULTS.bridge,
      enabled: true,
      meshtastic: 'meshtastic0',
      meshcore: 'meshcore0',
      mappings: [{ meshtastic: 0, meshcore: 'public', direction: 'both' }],
      limits: { mtToMc: UNLIMITED, mcToMt: UNLIMITED },
      queue: { maxEntries: 100_000 },
    };
    bridge = new Bridge({ router, vault, identity, bearers, settings, log, dataDir: dir });
  } else {
    // The floor: what one gateway hears goes straight to the other gateway, as a relay-own bundle to its channel.
    // A send still waiting for the radio's reply when the listener already heard the text is awaited at stop, and
    // any failure fails the run instead of escaping as an unhandled rejection.
    const forward = (to: Bearer, peer: string) => (m: { text?: string }) => {
      const bundle = createBundle(identity, { recipient: peer, text: m.text ?? '' });
      const p = to.send({ peer, kind: 'bundle', bytes: encodeBundle(bundle), bundle }).then(
        (r) => { if (r !== 'accepted') echoFailures.push(`${to.name} answered ${r}`); },
        (err: unknown) => { echoFailures.push(`${to.name}: ${String(err)}`); },
      );
      echoSends.add(p);
      void p.finally(() => echoSends.delete(p));
    };
    mtBearer.on('foreign', forward(mcBearer, 'mc:ch:0'));
    mcBearer.on('foreign', forward(mtBearer, 'mt:ch:0'));
  }
  for (const b of bearers) await b.start();
  await waitFor('the simulated radios to come up', () => mtBearer.canReach('mt:ch:0') && mcBearer.canReach('mc:ch:0'));
  await bridge?.start();
  return {
    mt, mc, bob, bearers, ...(vault ? { vault } : {}),
    heardOn(_mesh, marker) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          waiters.delete(marker);
          reject(new Error(`${marker} was not heard within 30 s`));
        }, 30_000);
        waiters.set(marker, (at) => {
          clearTimeout(t);
          resolve(at);
        });
      });
    },
    async stop() {
      await Promise.all(echoSends);
      await bridge?.stop();
      for (const b of [...bearers].reverse()) await b.stop();
      await router?.stop();
      await vault?.stop();
      mcMesh.stop();
      mc.powerOff();
      mt.stop();
      if (echoFailures.length) throw new Error(`echo forwarding failed: ${echoFailures.slice(0, 3).join('; ')}`);
    },
  };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

let seq = 0;

/** One text from a simulated user, timed until the other mesh heard it. */
async function once(r: Rig, from: 'mt' | 'mc'): Promise<number> {
  const marker = `#${++seq}#`;
  const text = `bench ${marker} the quick brown fox`;
  const heard = r.heardOn(from === 'mt' ? 'mc' : 'mt', marker);
  const t0 = performance.now();
  if (from === 'mt') r.mt.injectText({ from: ALICE, channel: 0, text });
  else r.bob.sendChannel('Public', text);
  return (await heard) - t0;
}

/** `n` texts, each sent `gapMs` after the last was heard (past the scaled 2-s rule and the gateway's pacing, so no
 * sample waits for the Meshtastic radio's limit). */
async function latencies(r: Rig, from: 'mt' | 'mc', n: number, gapMs: number): Promise<number[]> {
  for (let i = 0; i < 5; i++) await once(r, from); // warm-up: JIT, LMDB pages
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    await new Promise((res) => setTimeout(res, gapMs));
    out.push(await once(r, from));
  }
  return out.sort((a, b) => a - b);
}

/** Messages/s Meshtastic → MeshCore with up to `window` texts in flight (the firmware's to-phone queue holds 32). */
async function throughput(r: Rig, n: number, window = 12): Promise<number> {
  const t0 = performance.now();
  const inFlight = new Set<Promise<number>>();
  for (let i = 0; i < n; i++) {
    const marker = `#${++seq}#`;
    const p = r.heardOn('mc', marker);
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    r.mt.injectText({ from: ALICE, channel: 0, text: `burst ${marker}` });
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return n / ((performance.now() - t0) / 1000);
}

/** An idle relay: the fsync budget (10 in any second, 3 back to back) refills between two texts. */
const IDLE_GAP_MS = 500;
/** Back to back: the next text right after the last was heard. */
const BUSY_GAP_MS = 30;

interface Measured {
  mtMc: number[];
  mcMt: number[];
  busyMtMc: number[];
  busyMcMt: number[];
  tput: number;
  /** Vault flushes over the back-to-back texts and the throughput run: per second on average, and the most in any
   * one second. */
  fsyncRate?: number;
  fsyncMaxSecond?: number;
}

/** Samples a counter every 10 ms; `maxPerSecond()` is the most it grew between two samples at most 1000 ms apart
 * (a flush within 10 ms of a window's start may be missed, never one outside it counted). */
function sampler(read: () => number): { stop: () => void; maxPerSecond: () => number } {
  const samples: Array<[number, number]> = [[performance.now(), read()]];
  const timer = setInterval(() => samples.push([performance.now(), read()]), 10);
  return {
    stop: () => {
      clearInterval(timer);
      samples.push([performance.now(), read()]);
    },
    maxPerSecond: () => {
      let best = 0;
      let j = 0;
      for (let i = 0; i < samples.length; i++) {
        while (samples[i]![0] - samples[j]![0] > 1000) j++;
        // Growth between two samples at most a second apart: flushes within (t_j, t_i], a window under a second.
        best = Math.max(best, samples[i]![1] - samples[j]![1]);
      }
      return best;
    },
  };
}

async function measure(r: Rig, n: number, busy: number, burst: number): Promise<Measured> {
  try {
    const mtMc = await latencies(r, 'mt', n, IDLE_GAP_MS);
    const mcMt = await latencies(r, 'mc', n, IDLE_GAP_MS);
    const vault = r.vault;
    const f0 = vault?.fsyncs ?? 0;
    const t0 = performance.now();
    const flushes = vault ? sampler(() => vault.fsyncs) : undefined;
    const busyMtMc = await latencies(r, 'mt', busy, BUSY_GAP_MS);
    const busyMcMt = await latencies(r, 'mc', busy, BUSY_GAP_MS);
    const tput = await throughput(r, burst);
    flushes?.stop();
    const rates = vault && flushes ? { fsyncRate: (vault.fsyncs - f0) / ((performance.now() - t0) / 1000), fsyncMaxSecond: flushes.maxPerSecond() } : {};
    return { mtMc, mcMt, busyMtMc, busyMcMt, tput, ...rates };
  } finally {
    await r.stop();
  }
}

export async function benchBridge(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const n = options.quick ? 40 : 150;
  const busy = options.quick ? 40 : 100;
  const burst = options.quick ? 100 : 300;
  const dir = mkdtempSync(join(tmpdir(), 'bench-bridge-'));
  const load = () => `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`;
  try {
    const loadBefore = load();
    const echo = await measure(await rig('echo', join(dir, 'echo')), n, busy, burst);
    // The daemon's vault (runtime/vault/vault.ts defaults): durable, within its fsync budget.
    const bridged = await measure(await rig('bridge', join(dir, 'bridge')), n, busy, burst);
    const note = (samples: number) => `${samples} samples each, bridge limits off; ${loadBefore} before, ${load()} after`;
    const base = (v: number) => ({ baseline: v, baselineName: 'gateway-to-gateway echo' });

    const rows: BenchRow[] = [];
    for (const [dirName, bs, es, bb, eb] of [['MT → MC', bridged.mtMc, echo.mtMc, bridged.busyMtMc, echo.busyMtMc], ['MC → MT', bridged.mcMt, echo.mcMt, bridged.busyMcMt, echo.busyMcMt]] as const) {
      for (const p of [50, 99]) {
        const v = pct(bs, p);
        rows.push({
          name: `${dirName} channel text, user → other mesh's users, p${p}`, value: v, unit: 'ms', ...base(pct(es, p)),
          ...(p === 99 ? { goal: '≤ 20 ms', pass: v <= 20 } : {}),
          note: `one text every ${IDLE_GAP_MS} ms (an idle relay), durable vault; ${note(bs.length)}`,
        });
      }
      for (const p of [50, 99]) {
        rows.push({ name: `${dirName} channel text, p${p}, texts back to back`, value: pct(bb, p), unit: 'ms', ...base(pct(eb, p)), note: `each text ${BUSY_GAP_MS} ms after the last was heard: the fsync budget is spent and the vault batches; ${note(bb.length)}` });
      }
    }
    rows.push({ name: 'MT → MC throughput, limits off', value: bridged.tput, unit: 'msg/s', ...base(echo.tput), note: `${burst} messages, ≤ 12 in flight (Meshtastic to-phone queue 32); ${load()}` });
    if (bridged.fsyncMaxSecond !== undefined) {
      rows.push({ name: 'vault flushes under bridged load, most in any second', value: bridged.fsyncMaxSecond, unit: 'flush/s', goal: '≤ 10 fsync/s', pass: bridged.fsyncMaxSecond <= 10, note: `over the back-to-back texts and the throughput run, sampled every 10 ms (lattice_vault_fsyncs_total; one flush is one fdatasync); average ${bridged.fsyncRate!.toFixed(2)}/s` });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
