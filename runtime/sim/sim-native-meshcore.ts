/**
 * The native MeshCore mesh of `lattice run`'s simulated default (issue 14): this relay's own SX1262 as a native
 * MeshCore repeater with the companion protocol (`mc-sim`, companion port 127.0.0.1:5000 — or a free port when 5000
 * is taken — so the official app, `meshcore-cli -t 127.0.0.1 -p 5000` or meshcore.js can connect), and two simulated
 * native MeshCore nodes on the same emulated air: Ridge, a repeater 1.5 km away, and Cabin, a companion 3 km away
 * (reaching the relay directly or through Ridge). All three are the real native node — mesh, repeater, companion
 * device — each on the real SX126x driver over an emulated chip (drivers/sx126x/sim), on MeshCore's EU_NARROW channel,
 * 10× faster than real time. The air is its own: the native Meshtastic mesh (sim-native-mesh.ts) is another.
 *
 * Ridge and Cabin advert at start, one after the other (the relay's node and the app learn them as contacts), and
 * Cabin says something on the public channel now and then; what the relay's node hears arrives in its inbox like any
 * foreign text, and the apps connected to it see the mesh.
 */
import { join } from 'node:path';
import { createEmulatedRadios, type EmulatedRadios } from '../../drivers/sx126x/sim/emulated-radios.js';
import { PUBLIC_CHANNEL_SECRET } from '../../firmware-protocol/meshcore/channel-secret.js';
import { AirtimeLedger } from '../airtime/airtime-ledger.js';
import type { Components } from '../components/components.js';
import type { Logger } from '../log/logger.js';
import { nativeRegionRules } from '../bearers/meshtastic-native/native-region.js';
import { buildMcNode } from '../bearers/meshcore-native/mc-from-config.js';
import { loadOrCreateMcIdentity } from '../bearers/meshcore-native/mc-identity.js';
import type { McNativeNode } from '../bearers/meshcore-native/mc-native-node.js';
import { mcModulation } from '../bearers/meshcore-native/mc-preset.js';
import type { McNativeSettings } from '../bearers/meshcore-native/mc-settings.js';

/** The relay's own native MeshCore node in the simulated default (distinct from the `lora:` names configs use). */
export const SIM_MC_NATIVE_BEARER = 'mc-sim';
const COMPANION_PORT = 5000;
/** Emulated chip time per wall time: 10× faster, so EU_NARROW's second-long frames take 0.1 s. */
const TIME_SCALE = 0.1;
/** When Ridge and Cabin advert (far enough apart that the two never meet on the air), and Cabin's first line. */
const ADVERT_AT_MS = 500;
const ADVERT_GAP_MS = 1_500;
const FIRST_LINE_AT_MS = 6_000;

const PEERS = [
  { name: 'ridge', nodeName: 'Ridge', role: 'repeater' as const, x: 1500 },
  { name: 'cabin', nodeName: 'Cabin', role: 'companion' as const, x: 3000 },
];
const LINES = ['snow on the upper trail', 'stove is lit, hut is warm', 'battery bank at 78 %', 'two hikers heading down'];

export interface SimNativeMeshCoreOptions {
  dataDir: string;
  log: Logger;
  /** Time between two of Cabin's lines (default 20 s). */
  intervalMs?: number;
}

export class SimNativeMeshCore {
  private emulated?: EmulatedRadios;
  private peers: McNativeNode[] = [];
  private main?: McNativeNode;
  private timers: NodeJS.Timeout[] = [];
  private count = 0;

  constructor(private readonly o: SimNativeMeshCoreOptions) {}

  /** The relay's own native node, built with the relay's components (metrics, logging, clock). */
  async mainBearer(components: Components): Promise<McNativeNode> {
    this.emulated = createEmulatedRadios({ nodes: [{ name: SIM_MC_NATIVE_BEARER, x: 0 }, ...PEERS.map((p) => ({ name: p.name, x: p.x }))], timeScale: TIME_SCALE });
    // 5000, or a port the system picks when 5000 is taken, decided by the bind itself at start (see sim-native-mesh.ts).
    const companion = { host: '127.0.0.1', port: COMPANION_PORT, orAnyPort: true };
    const main = (this.main = await this.node(SIM_MC_NATIVE_BEARER, 'Lattice relay (simulated)', 'repeater', components, companion));
    for (const p of PEERS) this.peers.push(await this.node(p.name, p.nodeName, p.role, { ...components, metrics: undefined }));
    return main;
  }

  private async node(name: string, nodeName: string, role: 'repeater' | 'companion', components: Components, companion?: { host: string; port: number; orAnyPort?: boolean }): Promise<McNativeNode> {
    const dir = join(this.o.dataDir, name);
    const { identity } = await loadOrCreateMcIdentity(dir);
    const settings: McNativeSettings = {
      name, preset: 'EU_NARROW', region: 'EU_868', modulation: { ...mcModulation({ preset: 'EU_NARROW' })!, txPowerDbm: 14 }, rules: nativeRegionRules('EU_868'),
      role, nodeName, channels: [{ index: 0, name: 'Public', secret: PUBLIC_CHANNEL_SECRET }], floodScope: null,
      ...(companion ? { companion } : {}),
    };
    // The simulated nodes keep their duty cycle in memory: the demo's budget need not survive a restart.
    return buildMcNode({
      settings, identity, radio: this.emulated!.node(name).radio, ledger: new AirtimeLedger(), stateDir: dir,
      device: 'emulated SX1262 (simulated default)', components,
    });
  }

  /** A simulated node by name (`ridge`, `cabin`), once mainBearer built them. */
  peer(name: string): McNativeNode | undefined {
    const i = PEERS.findIndex((p) => p.name === name);
    return i >= 0 ? this.peers[i] : undefined;
  }

  /** Starts the simulated nodes (the relay starts its own), the adverts and Cabin's chatter. */
  async start(): Promise<void> {
    for (const p of this.peers) await p.start();
    this.o.log.info('simulated native MeshCore mesh up', {
      nodes: PEERS.map((p, i) => `${p.nodeName}=${this.peers[i]!.radio().self!.publicKey!.slice(0, 12)}`).join(' '),
      note: `this relay's own radio is a native MeshCore repeater (${SIM_MC_NATIVE_BEARER}); connect the app, meshcore-cli or meshcore.js to its companion port (lattice status)`,
    });
    // The relay's node first (Cabin then has it as a contact: a DM to the relay needs it), then Ridge and Cabin.
    this.after(ADVERT_AT_MS, () => this.main?.stack.advertNow(true));
    this.peers.forEach((p, i) => this.after(ADVERT_AT_MS + (i + 1) * ADVERT_GAP_MS, () => p.stack.advertNow(true)));
    const every = this.o.intervalMs ?? 20_000;
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

  private async say(): Promise<void> {
    const text = LINES[this.count++ % LINES.length]!;
    const r = await this.peers[1]!.sendText({ to: 'mc:ch:0', text }).catch((err: Error) => ({ status: 'refused', reason: err.message }));
    this.o.log.info('Cabin says on the native MeshCore mesh', { text, status: r.status });
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
