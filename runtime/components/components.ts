/**
 * Components: what the composition root shares with every component it builds, in js-libp2p's
 * `factory(init) => (components) => X` shape (CONTRIBUTING.md). `init` says what this one component is (a name, a device,
 * a listen address: its config); `components` are the relay's own services every component may use: its metrics, its
 * logging, its clock. A factory does no I/O; `start()` does.
 *
 *   const bearer = ipBearer({ identity, listen: { host: '0.0.0.0', port: 9333 } })(components);
 *
 * Tests build components with `defaultComponents({ metrics, clock })` and get what the daemon would give otherwise.
 */
import { systemClock, type Clock } from '../../lib/clock/clock.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { BatterySource } from '../power/battery-figure.js';

/** Hands out one logger per component, named after it (`lora0`, `ip`). */
export interface ComponentLogger {
  forComponent(name: string): Logger;
}

export interface Components {
  /** The relay's metrics; without them a component counts nothing (simulated relays, most tests). */
  metrics?: Metrics;
  logger: ComponentLogger;
  /** Time for the paces a component keeps (airtime budgets, rate limits); tests let them pass without waiting. */
  clock: Clock;
  /** The relay's battery (millivolts, percent) when a power monitor runs (runtime/power): what MeshCore's companion
   * and repeater status report. Absent, or returning undefined, when there is none or no reading yet. */
  battery?: BatterySource;
}

/** Builds one component from the relay's shared components. */
export type ComponentFactory<T> = (components: Components) => T;

/** The process-wide logger (runtime/log/logger.ts): one namespace per component. */
export const defaultLogger: ComponentLogger = { forComponent: (name) => createLogger(name) };

/** The system clock and the process-wide logger, no metrics; `overrides` replace any of them. */
export function defaultComponents(overrides: Partial<Components> = {}): Components {
  return {
    logger: overrides.logger ?? defaultLogger,
    clock: overrides.clock ?? systemClock,
    ...(overrides.metrics ? { metrics: overrides.metrics } : {}),
    ...(overrides.battery ? { battery: overrides.battery } : {}),
  };
}
