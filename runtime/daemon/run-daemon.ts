/**
 * `lattice run`'s body: start the daemon, wait for the abort (Ctrl-C / SIGTERM), stop cleanly. With a power monitor
 * (`power:`), the daemon runs under its policies (runtime/power/run-powered.ts): stopped before a brown-out and
 * started again when the battery is back, while the monitor keeps sampling.
 */
import type { Config } from '../config/config.js';
import { createLogger } from '../log/logger.js';
import { powerFromConfig } from '../power/power-from-config.js';
import { runPowered } from '../power/run-powered.js';
import { Daemon } from './daemon.js';

export async function runDaemon(config: Config, options: { signal: AbortSignal }): Promise<void> {
  // Whatever the relay creates (stores, keys, spool files, the simulator's relays) is its owner's alone; the data
  // directory holds message texts in clear. Explicit modes do the same where files are created.
  process.umask(0o077);
  const power = await powerFromConfig(config);
  await power?.start();
  try {
    await runPowered({ ...(power ? { power } : {}), makeRelay: () => new Daemon(config, power ? { power } : {}), signal: options.signal, log: createLogger('relay') });
  } finally {
    await power?.stop();
  }
}
