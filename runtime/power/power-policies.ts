/**
 * Power policies: which savings are on at a state of charge. Each applies below its threshold and lifts once the
 * charge is `hysteresis` points above it again (so a battery hovering at a threshold does not flap the radio's power
 * every sample); the shutdown lifts only above `resumeAbove`. Every change is logged once and counted in
 * `lattice_power_policy_changes_total{policy}`; the hooks (power-hooks.ts) carry them out.
 */
import type { PowerPoliciesConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Counter, Gauge, Metrics } from '../metrics/metrics.js';

export const POLICY_NAMES = ['reduce-tx-power', 'stretch-intervals', 'stop-ble-scan', 'stop-shard-repair', 'client-role', 'shutdown'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/** What each policy does, for the log line. */
const WHAT: Record<PolicyName, string> = {
  'reduce-tx-power': 'LoRa transmit power lowered',
  'stretch-intervals': 'adverts and NodeInfo broadcasts stretched',
  'stop-ble-scan': 'BLE scanning stopped',
  'stop-shard-repair': 'shard repair stopped',
  'client-role': 'native Meshtastic node runs as CLIENT',
  shutdown: 'relay stopping before brown-out',
};
const UNDONE: Record<PolicyName, string> = {
  'reduce-tx-power': 'LoRa transmit power back as configured',
  'stretch-intervals': 'adverts and NodeInfo broadcasts at their intervals again',
  'stop-ble-scan': 'BLE scanning allowed again',
  'stop-shard-repair': 'shard repair running again',
  'client-role': 'native Meshtastic node back in its configured role',
  shutdown: 'relay starting again',
};

export function thresholdOf(p: PowerPoliciesConfig, name: PolicyName): number {
  switch (name) {
    case 'reduce-tx-power': return p.reduceTxPowerBelow;
    case 'stretch-intervals': return p.stretchIntervalsBelow;
    case 'stop-ble-scan': return p.stopBleScanBelow;
    case 'stop-shard-repair': return p.stopShardRepairBelow;
    case 'client-role': return p.clientRoleBelow;
    case 'shutdown': return p.shutdownBelow;
  }
}

export interface PolicyChange {
  policy: PolicyName;
  active: boolean;
  stateOfCharge: number;
}

export interface PowerPoliciesOptions {
  config: PowerPoliciesConfig;
  log: Logger;
  metrics?: Metrics;
  /** Active at start (a shutdown saved before a restart). */
  initial?: Iterable<PolicyName>;
}

export class PowerPolicies {
  private readonly active: Set<PolicyName>;
  private readonly changes?: Counter<'policy'>;
  private readonly gauge?: Gauge<'policy'>;

  constructor(private readonly o: PowerPoliciesOptions) {
    this.active = new Set(o.initial ?? []);
    this.changes = o.metrics?.counter({ name: 'lattice_power_policy_changes_total', help: 'Power policies turned on or off (each change once), by policy', labelNames: ['policy'] });
    const active = this.active;
    this.gauge = o.metrics?.gauge({
      name: 'lattice_power_policy_active', help: '1 while a power policy is on, by policy', labelNames: ['policy'],
      collect() {
        for (const p of POLICY_NAMES) this.set({ policy: p }, active.has(p) ? 1 : 0);
      },
    });
  }

  /** The policies on now. */
  get current(): ReadonlySet<PolicyName> {
    return this.active;
  }

  isActive(p: PolicyName): boolean {
    return this.active.has(p);
  }

  /** Takes a new state of charge; returns the changes it made (each logged and counted once). */
  update(stateOfCharge: number): PolicyChange[] {
    const c = this.o.config;
    const out: PolicyChange[] = [];
    for (const name of POLICY_NAMES) {
      const below = thresholdOf(c, name);
      if (below <= 0) {
        if (this.active.has(name)) out.push(this.set(name, false, stateOfCharge));
        continue;
      }
      const liftAt = name === 'shutdown' ? c.resumeAbove : below + c.hysteresis;
      if (!this.active.has(name) && stateOfCharge < below) out.push(this.set(name, true, stateOfCharge));
      else if (this.active.has(name) && stateOfCharge >= liftAt) out.push(this.set(name, false, stateOfCharge));
    }
    return out;
  }

  private set(policy: PolicyName, on: boolean, soc: number): PolicyChange {
    if (on) this.active.add(policy);
    else this.active.delete(policy);
    this.changes?.inc({ policy });
    const rounded = Math.round(soc * 10) / 10;
    if (on) this.o.log.warn(`battery at ${rounded} %: ${WHAT[policy]}`, { policy, stateOfCharge: rounded, below: thresholdOf(this.o.config, policy) });
    else this.o.log.info(`battery at ${rounded} %: ${UNDONE[policy]}`, { policy, stateOfCharge: rounded });
    return { policy, active: on, stateOfCharge: soc };
  }
}
