/** `lattice run`'s body: start the daemon, wait for the abort (Ctrl-C / SIGTERM), stop cleanly. */
import type { Config } from '../config/config.js';
import { Daemon } from './daemon.js';

export async function runDaemon(config: Config, options: { signal: AbortSignal }): Promise<void> {
  // Whatever the relay creates (stores, keys, spool files, the simulator's relays) is its owner's alone; the data
  // directory holds message texts in clear. Explicit modes do the same where files are created.
  process.umask(0o077);
  const daemon = new Daemon(config);
  await daemon.start();
  if (!options.signal.aborted) {
    await new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  await daemon.stop();
}
