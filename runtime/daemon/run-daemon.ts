/**
 * `lattice run`'s body: start the daemon, wait for the abort (Ctrl-C / SIGTERM), stop cleanly. With a power monitor
 * (`power:`), the daemon runs under its policies (runtime/power/run-powered.ts): stopped before a brown-out and
 * started again when the battery is back, while the monitor keeps sampling.
 *
 * The data directory is locked here, for the life of the process, not by each Daemon: between a low-battery stop
 * and the restart no Daemon runs, yet this process still owns the directory (its power monitor writes
 * power-state.json, the next Daemon opens the vault), so a second `lattice run` must be refused then as well.
 */
import { mkdir } from 'node:fs/promises';
import type { Config } from '../config/config.js';
import { createLogger } from '../log/logger.js';
import { powerFromConfig } from '../power/power-from-config.js';
import { runPowered } from '../power/run-powered.js';
import { Daemon } from './daemon.js';
import { lockDataDir } from './data-dir-lock.js';
import { DATA_DIR_MODE } from './data-dir-modes.js';

export async function runDaemon(config: Config, options: { signal: AbortSignal }): Promise<void> {
  // Whatever the relay creates (stores, keys, spool files, the simulator's relays) is its owner's alone; the data
  // directory holds message texts in clear. Explicit modes do the same where files are created.
  process.umask(0o077);
  await mkdir(config.dataDir, { recursive: true, mode: DATA_DIR_MODE });
  // Before anything in it is opened (the power state, the vault): a second relay on this directory stops here.
  const dirLock = lockDataDir(config.dataDir);
  try {
    if (dirLock.tookOver) createLogger('relay').warn('took over the data directory lock of a relay that is gone (crash or power cut)', { dataDir: config.dataDir, pid: dirLock.tookOver.pid, startedAt: dirLock.tookOver.startedAt });
    const power = await powerFromConfig(config);
    await power?.start();
    try {
      await runPowered({ ...(power ? { power } : {}), makeRelay: () => new Daemon(config, { dataDirLocked: true, ...(power ? { power } : {}) }), signal: options.signal, log: createLogger('relay') });
    } finally {
      await power?.stop();
    }
  } finally {
    dirLock.release();
  }
}
