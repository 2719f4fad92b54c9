/**
 * Native MeshCore nodes in one process for tests: each the real node (mesh, repeater, companion device and TCP
 * server, the relay's own gateway) over a radio of one FakeLoraAir (runtime/bearers/lora/testing: collisions, range,
 * Semtech time on air scaled 100× faster), with its own state directory, on a fast channel (SF7 / 250 kHz in the EU
 * band P) so that floods and their firmware delays take tens of milliseconds. Test-only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PUBLIC_CHANNEL_SECRET } from '../../../../firmware-protocol/meshcore/channel-secret.js';
import { nativeRegionRules } from '../../meshtastic-native/native-region.js';
import { AirtimeLedger } from '../../../airtime/airtime-ledger.js';
import { defaultComponents } from '../../../components/components.js';
import type { BatterySource } from '../../../power/battery-figure.js';
import { FakeLoraAir } from '../../lora/testing/fake-lora-air.js';
import { buildMcNode } from '../mc-from-config.js';
import { generateMcIdentity } from '../mc-identity.js';
import type { McNativeNode } from '../mc-native-node.js';
import type { McNativeSettings } from '../mc-settings.js';
import { mcModulation } from '../mc-preset.js';
import type { Metrics } from '../../../metrics/metrics.js';

export interface RigNodeSpec {
  name: string;
  role?: 'repeater' | 'companion';
  /** Serve the companion protocol on a free loopback port. */
  companion?: boolean;
  adminPassword?: string;
  guestPassword?: string;
  metrics?: Metrics;
  /** The relay's battery as the power monitor gives it (runtime/power); none = no power monitor. */
  battery?: BatterySource;
}

/** The fast channel every rig node uses: 869.525 MHz / 250 kHz / SF7 / CR 4/5, MeshCore's air format. */
export const RIG_MODULATION = mcModulation({ preset: 'EU_LEGACY', sf: 7, txPowerDbm: 14 })!;

export class McRig {
  readonly nodes: McNativeNode[] = [];
  private readonly parts = new Map<string, Omit<Parameters<typeof buildMcNode>[0], 'components'> & { metrics?: Metrics; battery?: BatterySource }>();
  private constructor(readonly air: FakeLoraAir, private readonly dir: string) {}

  /** `inRange(a, b)` by index in `specs`; default everyone hears everyone. */
  static async create(specs: RigNodeSpec[], inRange?: (a: number, b: number) => boolean): Promise<McRig> {
    const rig = new McRig(new FakeLoraAir(inRange), await mkdtemp(join(tmpdir(), 'mc-rig-')));
    for (const s of specs) {
      const settings: McNativeSettings = {
        name: s.name, preset: 'custom', region: 'EU_868', modulation: RIG_MODULATION, rules: nativeRegionRules('EU_868'),
        role: s.role ?? 'repeater', nodeName: s.name,
        channels: [{ index: 0, name: 'Public', secret: PUBLIC_CHANNEL_SECRET }],
        ...(s.companion ? { companion: { host: '127.0.0.1', port: 0 } } : {}),
        ...(s.adminPassword !== undefined ? { adminPassword: s.adminPassword } : {}),
        ...(s.guestPassword !== undefined ? { guestPassword: s.guestPassword } : {}),
        floodScope: null,
      };
      const parts = {
        settings, identity: generateMcIdentity(), radio: rig.air.radio(), ledger: new AirtimeLedger(), stateDir: join(rig.dir, s.name),
        device: 'fake air', ...(s.metrics ? { metrics: s.metrics } : {}), ...(s.battery ? { battery: s.battery } : {}),
      };
      rig.parts.set(s.name, parts);
      rig.nodes.push(rig.build(s.name));
    }
    return rig;
  }

  private build(name: string): McNativeNode {
    const { metrics, battery, ...p } = this.parts.get(name)!;
    return buildMcNode({ ...p, components: defaultComponents({ ...(metrics ? { metrics } : {}), ...(battery ? { battery } : {}) }) });
  }

  /** Stops the node and starts it again from its state directory (same key, same radio), as a relay restart does. */
  async restart(name: string): Promise<McNativeNode> {
    const i = this.nodes.findIndex((x) => x.name === name);
    await this.nodes[i]!.stop();
    const n = this.build(name);
    this.nodes[i] = n;
    await n.start();
    await n.gateway.whenUp();
    return n;
  }

  node(name: string): McNativeNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no rig node ${name}`);
    return n;
  }

  async start(): Promise<void> {
    for (const n of this.nodes) await n.start();
    for (const n of this.nodes) await n.gateway.whenUp();
  }

  async stop(): Promise<void> {
    for (const n of [...this.nodes].reverse()) await n.stop().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
