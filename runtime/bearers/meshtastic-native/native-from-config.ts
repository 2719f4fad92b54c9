/**
 * A `lora:` entry with `protocol: meshtastic` to a native node, for a radio lora-from-config.ts already opened:
 * its settings (native-settings.ts), its identity and device state in `<dataDir>/meshtastic/<name>/`, the board's
 * one airtime ledger, and the parts of the firmware composed by stack-from-parts.ts.
 */
import { join } from 'node:path';
import type { LoraRadio } from '../../../drivers/sx126x/lora-radio.js';
import { AirtimeGovernor } from '../../airtime/airtime-governor.js';
import type { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import type { BearerFactory } from '../../bearer/bearer-kind.js';
import type { LoraConfig } from '../lora/lora-config.js';
import { AirUtilisation } from './air-utilisation.js';
import { loadOrCreateNativeIdentity } from './native-identity.js';
import { registerNativeMetrics } from './native-metrics.js';
import { NativeNode } from './native-node.js';
import { NativeRadio } from './native-radio.js';
import { nativeSettings } from './native-settings.js';
import { buildNativeStack } from './stack-from-parts.js';
import { PowerSlot } from './power-telemetry.js';

/** Where a native node keeps its key and device state. */
export function nativeStateDir(dataDir: string, name: string): string {
  return join(dataDir, 'meshtastic', name);
}

export async function nativeNodeFactory(l: LoraConfig, opened: { radio: LoraRadio; ledger: AirtimeLedger; dataDir: string }): Promise<BearerFactory<NativeNode>> {
  const settings = nativeSettings(l);
  const dir = nativeStateDir(opened.dataDir, l.name);
  const { identity } = await loadOrCreateNativeIdentity(dir, settings.nodeNum !== undefined ? { nodeNum: settings.nodeNum } : {});
  return (components) => {
    const log = components.logger.forComponent(l.name);
    const metrics = components.metrics ? registerNativeMetrics(components.metrics) : undefined;
    const utilisation = new AirUtilisation(components.clock);
    // The firmware refuses a send over its duty cycle rather than queueing it (native-radio.ts).
    const governor = new AirtimeGovernor({ region: settings.rules, ledger: opened.ledger, policy: 'fail', clock: components.clock });
    const radio = new NativeRadio({
      name: l.name, radio: opened.radio, modulation: settings.modulation, utilisation, log, governor,
      observer: {
        // Frames heard and sent are counted by the router (mesh-adapters.ts); the radio counts airtime and CRC drops.
        heard: (f) => metrics?.airtime.inc({ bearer: l.name, direction: 'rx' }, f.airtimeMs / 1000),
        sent: (_bytes, ms) => metrics?.airtime.inc({ bearer: l.name, direction: 'tx' }, ms / 1000),
        dropped: (reason) => metrics?.dropped.inc({ bearer: l.name, reason }),
      },
    });
    // Filled by the daemon when a power monitor runs (runtime/power): battery in DeviceMetrics, power telemetry.
    const power = new PowerSlot();
    const stack = buildNativeStack({ settings, identity, radio, governor, stateDir: dir, clock: components.clock, log, battery: () => power.battery(), powerMetrics: () => power.powerMetrics(), ...(metrics ? { metrics } : {}) });
    return new NativeNode({
      name: l.name, nodeNum: identity.nodeNum, publicKey: identity.publicKey, role: settings.role, region: settings.region, preset: settings.preset,
      radio, stack, utilisation, device: `${l.hal}${l.device ? ` ${l.device}` : ''}`, log, clock: components.clock, power,
      ...(settings.api ? { api: settings.api } : {}), ...(metrics ? { metrics } : {}),
    });
  };
}
