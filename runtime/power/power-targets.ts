/**
 * What the power policies act on in a running relay, found by what each part offers (the hooks its own file
 * documents), so that no bearer has to know about power:
 * - transmit power: LoRa bearers and native Meshtastic nodes (`setTxPowerCap`);
 * - advert / NodeInfo intervals: LoRa bearers (`setAdvertIntervalFactor`), native nodes (`setIntervalFactor`, which
 *   also stretches their power telemetry);
 * - the ROUTER → CLIENT switch: native nodes (`setClientRole`);
 * - shard repair: the shard store (`pauseRepair`);
 * - BLE scans: the process-wide scan gate (runtime/links/ble-scan-gate.ts).
 */
import type { PowerPoliciesConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { pauseBleScans } from '../links/ble-scan-gate.js';
import type { NodePowerFigures } from '../bearers/meshtastic-native/power-telemetry.js';
import type { PolicyName } from './power-policies.js';

export interface RadioPowerHooks {
  readonly name: string;
  setTxPowerCap(dbm: number | undefined): Promise<void>;
  setAdvertIntervalFactor?(factor: number): void;
  setIntervalFactor?(factor: number): void;
  setClientRole?(on: boolean): void;
  usePower?(source: (() => NodePowerFigures | undefined) | undefined): void;
}

export interface PowerTargets {
  radios: RadioPowerHooks[];
  shards?: { pauseRepair(paused: boolean): void };
}

export function isRadioPowerHooks(x: unknown): x is RadioPowerHooks {
  return typeof x === 'object' && x !== null && typeof (x as RadioPowerHooks).setTxPowerCap === 'function';
}

/** Makes the targets match the active policies (idempotent: called at attach and on each change). */
export async function applyPolicies(t: PowerTargets, active: ReadonlySet<PolicyName>, c: PowerPoliciesConfig, log: Logger, holder: object): Promise<void> {
  const factor = active.has('stretch-intervals') ? c.intervalFactor : 1;
  const cap = active.has('reduce-tx-power') ? c.reducedTxPowerDbm : undefined;
  for (const r of t.radios) {
    try {
      await r.setTxPowerCap(cap);
    } catch (err) {
      log.warn('cannot change the transmit power', { bearer: r.name, err: String(err) });
    }
    r.setAdvertIntervalFactor?.(factor);
    r.setIntervalFactor?.(factor);
    r.setClientRole?.(active.has('client-role'));
  }
  t.shards?.pauseRepair(active.has('stop-shard-repair'));
  pauseBleScans(holder, active.has('stop-ble-scan'));
}
