/**
 * `lattice run`'s simulated default: a small neighbourhood of real relays (Router + Vault each) around this node,
 * so a newcomer sees store-and-forward working in the first minute without any radio.
 *
 *   north, east, south   linked to this relay only, over in-memory bearers (like IP links): they reach each other
 *                        only through this relay, so every message between them shows this relay in its custody.
 *   ridge, valley        LoRa-only relays on emulated SX1262 radios (the real driver over an SPI-level chip model on
 *                        a simulated air, drivers/sx126x/testing): this relay's lora0 at 0 km, ridge at 3 km, valley
 *                        at 6 km. Radios reach ~5.5 km, so valley reaches everyone else only through ridge and this
 *                        relay, with the EU868 duty cycle enforced on every transmitter.
 *
 *   a native mesh        this relay's own SX1262 as a native Meshtastic ROUTER (`mt-sim`, client API on 4403) with
 *                        two simulated native nodes, Hilltop and Harbour (sim-native-mesh.ts).
 *
 *   a native MeshCore    a second SX1262 of this relay as a native MeshCore repeater with the companion protocol
 *   mesh                 (`mc-sim`, companion port 5000) with Ridge (a repeater) and Cabin (a companion)
 *                        (sim-native-meshcore.ts).
 *
 *   one board,           the relay's bridge joins its two native radios, no companion radio (sim-native-bridge.ts):
 *   both meshes          channel text crosses both ways, `@MC:` / `@MT:` DMs reach the named user.
 *
 * Every few seconds one of them sends a sealed DM or a broadcast to another; each delivery is logged on one line.
 */
import { join } from 'node:path';
import type { Bearer } from '../bearer/bearer.js';
import { MemoryHub, memoryBearer } from '../bearers/memory/memory-bearer.js';
import { createLoraNeighbourhood, type LoraNeighbourhood } from '../bearers/lora/sim/lora-neighbourhood.js';
import type { Identity } from '../identity/identity.js';
import type { Logger } from '../log/logger.js';
import type { BridgeConfig } from '../config/config.js';
import { defaultComponents, type Components } from '../components/components.js';
import { simBridgeSettings } from './sim-bridge-settings.js';
import { SimNativeMesh } from './sim-native-mesh.js';
import { SimNativeMeshCore } from './sim-native-meshcore.js';
import { SimNativeBridge } from './sim-native-bridge.js';
import type { NativeNode } from '../bearers/meshtastic-native/native-node.js';
import type { McNativeNode } from '../bearers/meshcore-native/mc-native-node.js';
import { SimRelay } from './sim-relay.js';

export interface SimNeighbourhoodOptions {
  dataDir: string;
  main: Identity;
  log: Logger;
  /** Time between simulated messages. Default 4 s. */
  intervalMs?: number;
}

const NAMES = ['north', 'east', 'south'];
const LORA_NAMES = ['ridge', 'valley'];
/** Emulated chip time per wall time: 10x real time keeps LoRa's pace visible without minutes per frame. */
const LORA_TIME_SCALE = 0.1;
const LINES = [
  'battery 87 %, solar 12.4 V',
  'anyone on the ridge tonight?',
  'wind picking up from the west',
  'relay check, reply if you hear this',
  'rain gauge reads 4 mm',
  'trail is clear past the bridge',
];

export class SimNeighbourhood {
  private readonly hub = new MemoryHub();
  private lora?: LoraNeighbourhood;
  private relays: SimRelay[] = [];
  private timer?: NodeJS.Timeout;
  private count = 0;
  private bridgeScene?: SimNativeBridge;
  private mtMain?: NativeNode;
  private mcMain?: McNativeNode;
  private native?: SimNativeMesh;
  private nativeMc?: SimNativeMeshCore;

  constructor(private readonly options: SimNeighbourhoodOptions) {}

  /** The bearers this relay needs to be part of the neighbourhood (added to the daemon's bearers before start), built
   * with the relay's components. */
  async mainBearers(components: Components): Promise<Bearer[]> {
    this.relays = await Promise.all([...NAMES, ...LORA_NAMES].map((n) => SimRelay.create(n, join(this.options.dataDir, n))));
    const main = memoryBearer({ hub: this.hub, nodeId: this.options.main.nodeIdHex, name: 'sim' })(components);
    for (const r of this.relays) if (NAMES.includes(r.name)) this.hub.link(this.options.main.nodeIdHex, r.identity.nodeIdHex);
    const loraRelays = this.relays.filter((r) => LORA_NAMES.includes(r.name));
    this.lora = createLoraNeighbourhood({
      nodes: [
        // Link version 2 between all three, as a configured `protocol: lattice` radio speaks it by default.
        { name: 'lora0', nodeId: this.options.main.nodeId, x: 0, v2: { identity: this.options.main }, components },
        ...loraRelays.map((r, i) => ({ name: r.name, nodeId: r.identity.nodeId, x: 3000 * (i + 1), v2: { identity: r.identity } })),
      ],
      timeScale: LORA_TIME_SCALE,
      autoAdvert: true,
      advertIntervalMs: 120_000,
    });
    this.native = new SimNativeMesh({ dataDir: join(this.options.dataDir, 'native'), log: this.options.log });
    const native = (this.mtMain = await this.native.mainBearer(components));
    this.nativeMc = new SimNativeMeshCore({ dataDir: join(this.options.dataDir, 'native-meshcore'), log: this.options.log });
    const nativeMc = (this.mcMain = await this.nativeMc.mainBearer(components));
    return [main, this.lora.bearer('lora0'), native, nativeMc];
  }

  /** The bridge settings to run with: the user's, or the simulated default's mapping when no bridge is configured. */
  bridgeSettings(user: BridgeConfig): BridgeConfig {
    return simBridgeSettings(user);
  }

  /** Closes the emulated radios; the daemon calls it after its own bearers stopped. */
  async closeRadios(): Promise<void> {
    await this.lora?.stop();
    await this.native?.close();
    await this.nativeMc?.close();
  }

  async start(): Promise<void> {
    const log = this.options.log;
    for (const r of this.relays) {
      const bearers = NAMES.includes(r.name) ? [memoryBearer({ hub: this.hub, nodeId: r.identity.nodeIdHex, name: 'sim' })(defaultComponents())] : [this.lora!.bearer(r.name)];
      await r.start(bearers, log);
    }
    log.info('simulated neighbourhood up', {
      relays: this.relays.map((r) => `${r.name}=${r.identity.shortId}`).join(' '),
      note: 'north/east/south link only to this relay; ridge (3 km) and valley (6 km) are LoRa-only, valley out of range of this relay',
    });
    await this.native?.start();
    await this.nativeMc?.start();
    if (this.native && this.nativeMc) {
      this.bridgeScene = new SimNativeBridge({
        mt: this.native, mc: this.nativeMc, log,
        relayNodeNum: () => this.mtMain?.radio().self?.nodeNum,
        relayKey: () => this.mcMain?.radio().self?.publicKey,
        relayAdvert: () => this.mcMain?.stack.advertNow(true),
      });
      this.bridgeScene.start();
    }
    const every = this.options.intervalMs ?? 4000;
    this.timer = setInterval(() => void this.tick().catch((err) => log.warn('simulated send failed', { err: String(err) })), every);
    setTimeout(() => void this.tick().catch(() => undefined), 500).unref();
  }

  private async tick(): Promise<void> {
    if (this.relays.length < 2) return;
    const n = this.count++;
    const from = this.relays[n % this.relays.length]!;
    const to = this.relays[(n + 1 + (Math.floor(n / this.relays.length) % (this.relays.length - 1))) % this.relays.length]!;
    const broadcast = n % 4 === 3;
    const text = `#${n + 1} ${LINES[n % LINES.length]}`;
    if (!from.router?.running) return;
    const { bundleId } = await from.router.send({ to: broadcast ? '*' : to.identity.nodeIdHex, text });
    this.options.log.info(`${from.name} sent`, { id: bundleId.slice(0, 8), to: broadcast ? 'everyone' : to.name, text, sealed: !broadcast });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.bridgeScene?.stop();
    await this.native?.stop();
    await this.nativeMc?.stop();
    for (const r of [...this.relays].reverse()) await r.stop();
  }
}
