/**
 * A `lora:` entry with `protocol: meshcore` to a native MeshCore node, for a radio lora-from-config.ts already opened:
 * its settings (mc-settings.ts), its identity and device state in `<dataDir>/meshcore/<name>/`, the board's one
 * airtime ledger (shared with the board's other radios: one duty-cycle budget per sub-band), the SX126x as a
 * PacketRadio (the native Meshtastic node's NativeRadio, tuned to MeshCore's channel), the firmware parts composed by
 * mc-stack-from-parts.ts, and the relay's own MeshCoreGateway attached to the node's companion device in memory.
 */
import { join } from 'node:path';
import type { LoraRadio } from '../../../drivers/sx126x/lora-radio.js';
import { AirtimeGovernor } from '../../airtime/airtime-governor.js';
import type { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import type { BearerFactory } from '../../bearer/bearer-kind.js';
import type { Components } from '../../components/components.js';
import type { LoraConfig } from '../lora/lora-config.js';
import { MeshCoreGateway } from '../meshcore/meshcore-gateway.js';
import { AirUtilisation } from '../meshtastic-native/air-utilisation.js';
import { NativeRadio } from '../meshtastic-native/native-radio.js';
import { companionLinkOpener } from './companion-link.js';
import { loadOrCreateMcIdentity } from './mc-identity.js';
import { registerMcNativeMetrics } from './mc-native-metrics.js';
import { McNativeNode } from './mc-native-node.js';
import { mcNativeSettings, type McNativeSettings } from './mc-settings.js';
import { buildMcStack } from './mc-stack-from-parts.js';
import type { LocalIdentity } from '../../../firmware-protocol/meshcore/ota/identity.js';

/** Where a native MeshCore node keeps its key and device state. */
export function mcStateDir(dataDir: string, name: string): string {
  return join(dataDir, 'meshcore', name);
}

export async function mcNodeFactory(l: LoraConfig, opened: { radio: LoraRadio; ledger: AirtimeLedger; dataDir: string }): Promise<BearerFactory<McNativeNode>> {
  const settings = mcNativeSettings(l);
  const dir = mcStateDir(opened.dataDir, l.name);
  const { identity } = await loadOrCreateMcIdentity(dir);
  const device = `${l.hal}${l.device ? ` ${l.device}` : l.air ? ` ${l.air.host}:${l.air.port}` : ''}`;
  return (components) => buildMcNode({ settings, identity, radio: opened.radio, ledger: opened.ledger, stateDir: dir, device, components });
}

export interface McNodeParts {
  settings: McNativeSettings;
  identity: LocalIdentity;
  radio: LoraRadio;
  ledger: AirtimeLedger;
  stateDir: string;
  /** For status: how the radio is attached. */
  device: string;
  components: Components;
  /** Gateway timings (tests). */
  gateway?: { pollIntervalMs?: number };
}

/** The node from its parts (the simulated default builds its nodes here too). */
export function buildMcNode(p: McNodeParts): McNativeNode {
  const { settings, components } = p;
  const log = components.logger.forComponent(settings.name);
  const metrics = components.metrics ? registerMcNativeMetrics(components.metrics) : undefined;
  const utilisation = new AirUtilisation(components.clock);
  // A frame the duty cycle has no room for is refused at once; the mesh counts it (its own budget keeps it rare).
  const governor = new AirtimeGovernor({ region: settings.rules, ledger: p.ledger, policy: 'fail', clock: components.clock });
  const radio = new NativeRadio({
    name: settings.name, radio: p.radio, modulation: settings.modulation, utilisation, log, governor,
    observer: {
      heard: (f) => {
        metrics?.heard.inc({ bearer: settings.name });
        metrics?.airtime.inc({ bearer: settings.name, direction: 'rx' }, f.airtimeMs / 1000);
      },
      sent: (_bytes, ms) => metrics?.airtime.inc({ bearer: settings.name, direction: 'tx' }, ms / 1000),
      dropped: (reason) => metrics?.dropped.inc({ bearer: settings.name, reason }),
    },
  });
  // The power monitor's battery (runtime/power, issue 16) when one runs: the companion's GET_BATT_AND_STORAGE and the
  // repeater's status and telemetry report it; without one they report 0 mV as boards without a battery sense do.
  const battery = components.battery;
  const stack = buildMcStack({
    settings, identity: p.identity, radio, stateDir: p.stateDir, clock: components.clock, log,
    ...(battery ? { batteryMilliVolts: () => battery()?.milliVolts } : {}),
  });
  const gateway = new MeshCoreGateway({
    name: settings.name,
    open: companionLinkOpener(stack.device, `memory:${settings.name}`),
    ...(settings.floodScope ? { floodScope: settings.floodScope } : {}),
    ...(p.gateway?.pollIntervalMs !== undefined ? { pollIntervalMs: p.gateway.pollIntervalMs } : {}),
    // The link is in-process: a lost session comes back at once.
    reconnect: { initialMs: 50, maxMs: 1000 },
    ...(components.metrics ? { metrics: components.metrics } : {}),
    log,
  });
  return new McNativeNode({
    name: settings.name, publicKey: p.identity.publicKey, role: settings.role, region: settings.region, preset: settings.preset,
    radio, stack, gateway, utilisation, floodScope: settings.floodScope, device: p.device, log, clock: components.clock,
    ...(settings.companion ? { companion: settings.companion } : {}), ...(metrics ? { metrics } : {}),
  });
}
