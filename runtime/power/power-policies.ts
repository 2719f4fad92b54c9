/**
 * Power policies: which savings are on at a state of charge. Each applies below its threshold and lifts once the
 * charge is `hysteresis` points above it again (so a battery hovering at a threshold does not flap the radio's power
 * every sample); the shutdown lifts only above `resumeAbove`. Every change is logged once and counted in
 * `lattice_power_policy_changes_total{policy}`; the hooks (power-targets.ts) carry them out.
 */
import type { PowerPoliciesConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';

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
  /** Active at start (a shutdown saved before a restart). */
  initial?: Iterable<PolicyName>;
}

export class PowerPolicies {
  private readonly active: Set<PolicyName>;
  /** Changes so far, by policy (power-metrics.ts exports them as lattice_power_policy_changes_total). */
  readonly changeCounts = new Map<PolicyName, number>();

  constructor(private readonly o: PowerPoliciesOptions) {
    this.active = new Set(o.initial ?? []);
  }

  /** The policies on now. */
  get current(): ReadonlySet<PolicyName> {
    return this.active;
  }

  isActive(p: PolicyName): boolean {
    return this.active.has(p);
  }

  /** Turns a policy on as it was before a restart (a shutdown saved in the state file): not a change, not counted. */
  restore(policy: PolicyName): void {
    this.active.add(policy);
  }

  /** Lifts a policy whatever the charge (the sensor stopped answering: no data is no reason to keep the relay down). */
  lift(policy: PolicyName, why: string): PolicyChange | undefined {
    if (!this.active.has(policy)) return undefined;
    this.active.delete(policy);
    this.changeCounts.set(policy, (this.changeCounts.get(policy) ?? 0) + 1);
    this.o.log.warn(`${UNDONE[policy]}: ${why}`, { policy });
    return { policy, active: false, stateOfCharge: Number.NaN };
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
    this.changeCounts.set(policy, (this.changeCounts.get(policy) ?? 0) + 1);
    const rounded = Math.round(soc * 10) / 10;
    if (on) this.o.log.warn(`battery at ${rounded} %: ${WHAT[policy]}`, { policy, stateOfCharge: rounded, below: thresholdOf(this.o.config, policy) });
    else this.o.log.info(`battery at ${rounded} %: ${UNDONE[policy]}`, { policy, stateOfCharge: rounded });
    return { policy, active: on, stateOfCharge: soc };
  }
}
