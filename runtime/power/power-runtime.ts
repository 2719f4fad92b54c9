/**
 * The relay's power subsystem as one piece that outlives the daemon: the monitor samples the battery, the policies
 * follow the state of charge, and the daemon of the moment is attached (its radios, shard store and metrics) so each
 * change reaches it. A shutdown policy stops the daemon (run-daemon.ts) while this keeps sampling, and starts it again
 * once the battery is back above `resumeAbove`.
 */
import { TypedEmitter } from '../../lib/events/typed-emitter.js';
import type { PowerConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { NodePowerFigures } from '../bearers/meshtastic-native/power-telemetry.js';
import type { PowerMonitor, PowerStatus } from './power-monitor.js';
import { PowerPolicies, type PolicyChange, type PolicyName } from './power-policies.js';
import { applyPolicies, type PowerTargets } from './power-targets.js';
import type { BatteryFigure } from './battery-figure.js';

export interface PowerRuntimeEvents {
  /** The shutdown policy turned on: stop the relay before the battery browns out. */
  shutdown: () => void;
  /** The battery is back above resumeAbove after a shutdown. */
  resume: () => void;
  change: (c: PolicyChange) => void;
}

/** What `GET /status` shows under `power`. */
export interface PowerView extends PowerStatus {
  /** Policies on now. */
  policies: PolicyName[];
}


/** Consecutive readings whose voltage says "below shutdownBelow" before the voltage overrides the counted charge. */
const LOW_VOLTAGE_READINGS = 3;

export class PowerRuntime {
  private lowVoltageStreak = 0;
  readonly policies: PowerPolicies;
  private readonly events = new TypedEmitter<PowerRuntimeEvents>();
  private readonly targets = new Set<PowerTargets>();
  private off?: () => void;
  private applying: Promise<void> = Promise.resolve();
  readonly readings = { total: 0 };
  readonly failures = new Map<string, number>();

  constructor(readonly config: PowerConfig, readonly monitor: PowerMonitor, private readonly log: Logger) {
    this.policies = new PowerPolicies({ config: config.policies, log });
  }

  on<E extends keyof PowerRuntimeEvents>(event: E, listener: PowerRuntimeEvents[E]): () => void {
    return this.events.on(event, listener);
  }

  async start(): Promise<void> {
    await this.monitor.start();
    // The saved state is loaded now: a relay that stopped for a low battery stays stopped until it is back.
    if (this.monitor.savedShutdown) {
      this.policies.restore('shutdown');
      this.log.warn(`the relay stopped for a low battery before this start; it starts once the battery is above ${this.config.policies.resumeAbove} %`);
    }
    const offSample = this.monitor.on('sample', (s) => {
      this.readings.total++;
      // The brown-out guard: counting can be wrong (capacityAh set too high, a current offset) while the voltage
      // falls. Three readings in a row whose voltage alone says the battery is below shutdownBelow decide with the
      // voltage; one low reading (a transmit burst's sag) does not.
      this.lowVoltageStreak = s.voltageStateOfCharge < this.config.policies.shutdownBelow ? this.lowVoltageStreak + 1 : 0;
      const soc = this.lowVoltageStreak >= LOW_VOLTAGE_READINGS ? Math.min(s.stateOfCharge, s.voltageStateOfCharge) : s.stateOfCharge;
      for (const c of this.policies.update(soc)) this.changed(c);
    });
    const offFail = this.monitor.on('failure', (reason) => this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1));
    this.off = () => {
      offSample();
      offFail();
    };
  }

  async stop(): Promise<void> {
    this.off?.();
    this.off = undefined;
    await this.monitor.stop();
  }

  /** Whether the relay should be stopped now (the shutdown policy is on). */
  get shutdown(): boolean {
    return this.policies.isActive('shutdown');
  }

  /**
   * Resolves once the relay may run: at once unless a shutdown is on; else when the battery is back above
   * resumeAbove, or when the sensor stops answering (without readings the relay runs: a failed sensor must not keep
   * it down). Rejects with the signal's reason when it aborts.
   */
  async waitUntilRunnable(signal: AbortSignal): Promise<void> {
    if (!this.shutdown) return;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        offResume();
        offFail();
        signal.removeEventListener('abort', onAbort);
      };
      const offResume = this.events.on('resume', () => {
        done();
        resolve();
      });
      const offFail = this.monitor.on('failure', () => {
        if (this.monitor.status().failures < 3) return;
        const c = this.policies.lift('shutdown', 'the power sensor does not answer, so the relay starts without knowing the battery');
        if (c) this.changed(c);
        done();
        resolve();
      });
      const onAbort = () => {
        done();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Attaches a running daemon's parts: the current policies apply at once, each change from now on. */
  attach(targets: PowerTargets): () => void {
    this.targets.add(targets);
    for (const r of targets.radios) r.usePower?.(() => this.nodeFigures());
    this.apply([targets]);
    return () => {
      if (!this.targets.delete(targets)) return;
      for (const r of targets.radios) r.usePower?.(undefined);
    };
  }

  /** Waits for the policy changes under way to reach the attached parts (tests). */
  settled(): Promise<void> {
    return this.applying;
  }

  view(): PowerView {
    return { ...this.monitor.status(), policies: [...this.policies.current] };
  }

  /** Battery millivolts and percent for MeshCore (companion battery reply, repeater status); undefined before the
   * first reading. */
  battery(): BatteryFigure | undefined {
    const s = this.monitor.status();
    if (s.stateOfCharge === undefined || s.batteryVolts === undefined) return undefined;
    return { milliVolts: Math.round(s.batteryVolts * 1000), percent: Math.round(s.stateOfCharge) };
  }

  /** The figures for a native Meshtastic node's telemetry, channels numbered as on the chip. */
  nodeFigures(): NodePowerFigures | undefined {
    const s = this.monitor.status();
    const r = this.monitor.lastReading;
    if (s.stateOfCharge === undefined || !r?.battery) return undefined;
    const ch = this.config.sensor === 'ina3221' ? this.config.channels : { battery: 1, panel: 0, load: 0 };
    const channels: NodePowerFigures['channels'] = [];
    for (const role of ['battery', 'panel', 'load'] as const) {
      const n = ch[role];
      const c = r[role];
      if (c && (n === 1 || n === 2 || n === 3)) channels.push({ channel: n, volts: c.volts, amps: c.amps });
    }
    channels.sort((a, b) => a.channel - b.channel);
    return { stateOfCharge: s.stateOfCharge, batteryVolts: r.battery.volts, charging: r.battery.amps > 0.01, channels };
  }

  private changed(c: PolicyChange): void {
    this.events.emit('change', c);
    if (c.policy === 'shutdown') {
      this.monitor.shutdown = c.active;
      void this.monitor.save();
      this.events.emit(c.active ? 'shutdown' : 'resume');
    }
    this.apply();
  }

  private apply(only?: PowerTargets[]): void {
    const sets = only ?? [...this.targets];
    if (sets.length === 0) return;
    this.applying = this.applying
      .then(async () => {
        for (const t of sets) await applyPolicies(t, this.policies.current, this.config.policies, this.log, this);
      })
      .catch((err) => this.log.warn('applying power policies failed', { err: String(err) }));
  }
}
