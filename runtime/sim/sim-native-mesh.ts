/**
 * The native Meshtastic mesh of `lattice run`'s simulated default (issue 13): this relay's own SX1262 as a native
 * Meshtastic node (`mt0`, a ROUTER, the firmware's client API on 127.0.0.1:4403 — or a free port when 4403 is
 * taken — so the official apps and CLI can connect) and two simulated native nodes, Hilltop 2 km away and Harbour
 * 4 km away in a line (LongFast reaches ≈ 6 km on this air: Harbour hears Hilltop, Hilltop hears the relay, and
 * Harbour reaches the relay directly or through Hilltop's rebroadcast). All three are the real native node —
 * firmware routing, over-the-air codec and cipher, device side — each on the real SX126x driver over an emulated
 * chip on one in-process simulated air (drivers/sx126x/sim), 10× faster than real time.
 *
 * Hilltop and Harbour say something on the primary channel now and then; what this relay's node hears arrives in
 * its inbox like any foreign text (logged by the neighbourhood), and the apps connected to it see the mesh.
 *
 * Each of them first announces itself as a node with an app connected does (the app's heartbeat makes the firmware
 * broadcast its NodeInfo asking for replies), one after the other, and speaks its first line a few seconds after
 * start. Without that the relay's node — a ROUTER, which never asks an unknown node for its NodeInfo
 * (MeshService::handleFromRadio) — learns their names only from NodeInfo answers to its own traffic or from the
 * broadcasts 30 s after boot; a first line heard before that reached the inbox without a name.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import { join } from 'node:path';
import { createEmulatedRadios, type EmulatedRadios } from '../../drivers/sx126x/sim/emulated-radios.js';
import { meshtasticModulation } from '../../lib/lora/meshtastic-presets.js';
import { AirtimeGovernor } from '../airtime/airtime-governor.js';
import { AirtimeLedger } from '../airtime/airtime-ledger.js';
import type { Components } from '../components/components.js';
import type { Logger } from '../log/logger.js';
import { AirUtilisation } from '../bearers/meshtastic-native/air-utilisation.js';
import { loadOrCreateNativeIdentity } from '../bearers/meshtastic-native/native-identity.js';
import { registerNativeMetrics } from '../bearers/meshtastic-native/native-metrics.js';
import { NativeNode } from '../bearers/meshtastic-native/native-node.js';
import { NativeRadio } from '../bearers/meshtastic-native/native-radio.js';
import { nativeRegionRules } from '../bearers/meshtastic-native/native-region.js';
import type { NativeSettings } from '../bearers/meshtastic-native/native-settings.js';
import type { NativeStack } from '../bearers/meshtastic-native/native-stack.js';
import { buildNativeStack } from '../bearers/meshtastic-native/stack-from-parts.js';

/** The relay's own native node in the simulated default (distinct from the `lora:` names configs use). */
export const SIM_NATIVE_BEARER = 'mt-sim';
const API_PORT = 4403;
/** Emulated chip time per wall time: 10× faster, so LongFast's second-long frames take 0.1 s. */
const TIME_SCALE = 0.1;
/**
 * When the simulated nodes announce themselves (one each, this far apart: a NodeInfo frame and its answer take
 * ≈ 0.4 s of wall time at TIME_SCALE, so they never meet on the air) and say their first line.
 */
const ANNOUNCE_AT_MS = 300;
const ANNOUNCE_GAP_MS = 1_000;
const FIRST_LINE_AT_MS = 3_000;

const PEERS = [
  { name: 'hilltop', longName: 'Hilltop', shortName: 'HILL', x: 2000, lines: ['wind 14 kt from the west', 'clear skies up here', 'solar at 13.1 V'] },
  { name: 'harbour', longName: 'Harbour', shortName: 'HRBR', x: 4000, lines: ['tide is turning', 'fog rolling in by the pier', 'ferry is late again'] },
];

export interface SimNativeMeshOptions {
  dataDir: string;
  log: Logger;
  /** Time between two lines from the simulated nodes (default 20 s). */
  intervalMs?: number;
}

export class SimNativeMesh {
  private emulated?: EmulatedRadios;
  private peers: NativeNode[] = [];
  private peerStacks: NativeStack[] = [];
  private timers: NodeJS.Timeout[] = [];
  private count = 0;

  constructor(private readonly o: SimNativeMeshOptions) {}

  /** The relay's own native node, built with the relay's components (metrics, logging, clock). */
  async mainBearer(components: Components): Promise<NativeNode> {
    this.emulated = createEmulatedRadios({ nodes: [{ name: SIM_NATIVE_BEARER, x: 0 }, ...PEERS.map((p) => ({ name: p.name, x: p.x }))], timeScale: TIME_SCALE });
    // 4403, or a port the system picks when 4403 is taken, decided by the bind itself at start (a check here raced
    // with another relay starting at the same time: both saw 4403 free and the second died with EADDRINUSE).
    const api = { host: '127.0.0.1', port: API_PORT, orAnyPort: true };
    const main = await this.node(SIM_NATIVE_BEARER, { role: 'ROUTER', longName: 'Lattice relay (simulated)', shortName: 'LTC', api }, components);
    for (const p of PEERS) {
      this.peers.push(await this.node(p.name, { role: 'CLIENT', longName: p.longName, shortName: p.shortName }, { ...components, metrics: undefined }, this.peerStacks));
    }
    return main;
  }

  private async node(name: string, o: Pick<NativeSettings, 'role' | 'longName' | 'shortName' | 'api'>, components: Components, stacks?: NativeStack[]): Promise<NativeNode> {
    const dir = join(this.o.dataDir, name);
    const { identity } = await loadOrCreateNativeIdentity(dir);
    const log = components.logger.forComponent(name);
    const modulation = meshtasticModulation('EU_868', 'LONG_FAST', 14);
    const settings: NativeSettings = {
      name, preset: 'LONG_FAST', region: 'EU_868', modulation, rules: nativeRegionRules('EU_868'), hopLimit: 3,
      channels: [{ index: 0, name: '', psk: Uint8Array.of(1) }], ...o,
    };
    const metrics = components.metrics ? registerNativeMetrics(components.metrics) : undefined;
    const utilisation = new AirUtilisation(components.clock);
    // The simulated nodes keep their duty cycle in memory: the demo's budget need not survive a restart.
    const governor = new AirtimeGovernor({ region: settings.rules, ledger: new AirtimeLedger(), policy: 'fail', clock: components.clock });
    const radio = new NativeRadio({ name, radio: this.emulated!.node(name).radio, modulation, governor, utilisation, log });
    const stack = buildNativeStack({ settings, identity, radio, governor, stateDir: dir, clock: components.clock, log, ...(metrics ? { metrics } : {}) });
    stacks?.push(stack);
    return new NativeNode({
      name, nodeNum: identity.nodeNum, publicKey: identity.publicKey, role: settings.role, region: 'EU_868', preset: 'LONG_FAST',
      radio, stack, utilisation, device: 'emulated SX1262 (simulated default)', log, clock: components.clock,
      ...(settings.api ? { api: settings.api } : {}), ...(metrics ? { metrics } : {}),
    });
  }

  /** A simulated node by name (`hilltop`, `harbour`), once mainBearer built them. */
  peer(name: string): NativeNode | undefined {
    const i = PEERS.findIndex((p) => p.name === name);
    return i >= 0 ? this.peers[i] : undefined;
  }

  /** Starts the simulated nodes (the relay starts its own) and their chatter. */
  async start(): Promise<void> {
    for (const p of this.peers) await p.start();
    this.o.log.info('simulated native Meshtastic mesh up', {
      nodes: PEERS.map((p, i) => `${p.longName}=${this.peers[i]!.radio().self!.address}`).join(' '),
      note: `this relay's own radio is a native Meshtastic ROUTER (${SIM_NATIVE_BEARER}); connect an app or \`meshtastic --host 127.0.0.1\` to its client API`,
    });
    const every = this.o.intervalMs ?? 20_000;
    this.peers.forEach((_, i) => this.after(ANNOUNCE_AT_MS + i * ANNOUNCE_GAP_MS, () => this.announce(i)));
    this.after(FIRST_LINE_AT_MS, () => {
      void this.say();
      const t = setInterval(() => void this.say(), every);
      t.unref();
      this.timers.push(t);
    });
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  /**
   * What an app's heartbeat with nonce 1 makes the firmware do (DeviceService.broadcastOwnNodeInfo,
   * NodeInfoModule::sendOurNodeInfo(NODENUM_BROADCAST, wantReplies = true)): our User to everyone, asking for theirs.
   */
  private announce(i: number): void {
    const peer = this.peers[i]!;
    const stack = this.peerStacks[i]!;
    const num = peer.radio().self!.nodeNum;
    const owner = stack.state().nodes().find((n) => n.num === num)?.user;
    if (!owner) return;
    stack.port.sendFromPhone(create(Mesh.MeshPacketSchema, {
      to: 0xffffffff,
      channel: 0,
      payloadVariant: { case: 'decoded', value: { portnum: Portnums.PortNum.NODEINFO_APP, payload: toBinary(Mesh.UserSchema, owner), wantResponse: true } },
    }));
  }

  private async say(): Promise<void> {
    const i = this.count++ % PEERS.length;
    const p = PEERS[i]!;
    const text = p.lines[Math.floor(this.count / PEERS.length) % p.lines.length]!;
    const r = await this.peers[i]!.sendText({ to: 'mt:ch:0', text }).catch((err: Error) => ({ status: 'refused', reason: err.message }));
    this.o.log.info(`${p.longName} says on the native mesh`, { text, status: r.status });
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const p of [...this.peers].reverse()) await p.stop().catch(() => undefined);
  }

  /** Closes the emulated radios (after the relay stopped its own node). */
  async close(): Promise<void> {
    await this.emulated?.close();
  }
}
