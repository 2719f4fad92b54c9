/**
 * Runs the relay under the power policies until `signal` aborts: starts it (once the battery allows), and when the
 * shutdown policy turns on — the battery is about to brown out — stops it cleanly (every component in reverse
 * order: the vault's last transaction is committed and the LMDB environment synced and closed, so a brown-out that
 * follows loses nothing), keeps sampling, and starts a new relay once the charge is back above `resumeAbove`.
 *
 * The process does not exit for a low battery: the wait costs one sensor read every sampling interval. If the
 * battery does brown out (the charge estimate was wrong, or the load was larger than thought), the machine loses
 * power; when the panel brings it back, a board that boots on power (a Raspberry Pi does) starts the service again
 * (systemd `Restart=`, balena's restart policy), and the saved shutdown makes the new process wait for `resumeAbove`
 * before it starts the radios.
 */
import type { Logger } from '../log/logger.js';
import type { PowerRuntime } from './power-runtime.js';

export interface Runnable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface RunPoweredOptions {
  power?: PowerRuntime;
  /** A fresh relay for each run (a stopped Daemon is not started again). */
  makeRelay: () => Runnable;
  signal: AbortSignal;
  log: Logger;
  /** Called with each relay once it runs (tests, the CLI). */
  onRunning?: (relay: Runnable) => void;
}

export async function runPowered(o: RunPoweredOptions): Promise<void> {
  const { power, signal } = o;
  for (;;) {
    if (signal.aborted) return;
    if (power?.shutdown) {
      o.log.warn(`battery low: the relay stays stopped until the battery is above ${power.config.policies.resumeAbove} %`);
      // The monitor samples on unref'd timers (they must not hold a stopping process open), and with the relay
      // stopped nothing else is left on the event loop: without this handle Node found nothing to wait for and
      // the process exited (code 13, the top-level await unsettled) instead of waiting for the sun.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      try {
        await power.waitUntilRunnable(signal);
      } catch {
        return; // aborted while waiting
      } finally {
        clearInterval(keepAlive);
      }
    }
    const relay = o.makeRelay();
    await relay.start();
    o.onRunning?.(relay);
    const why = await new Promise<'abort' | 'shutdown'>((resolve) => {
      if (signal.aborted) return resolve('abort');
      if (power?.shutdown) return resolve('shutdown');
      const offShutdown = power?.on('shutdown', () => {
        cleanup();
        resolve('shutdown');
      });
      const onAbort = () => {
        cleanup();
        resolve('abort');
      };
      const cleanup = () => {
        offShutdown?.();
        signal.removeEventListener('abort', onAbort);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    if (why === 'shutdown') o.log.warn('battery about to brown out: stopping the relay cleanly (vault flushed), it starts again when the battery is back');
    await relay.stop();
    if (why === 'abort') return;
  }
}
