/** `lattice run`'s body: start the daemon, wait for the abort (Ctrl-C / SIGTERM), stop cleanly. */
import type { Config } from '../config/config.js';
import { Daemon } from './daemon.js';

export async function runDaemon(config: Config, options: { signal: AbortSignal }): Promise<void> {
  const daemon = new Daemon(config);
  await daemon.start();
  if (!options.signal.aborted) {
    await new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  await daemon.stop();
}
