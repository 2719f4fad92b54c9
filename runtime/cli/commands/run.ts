/**
 * `lattice run`: resolves the config, sets up logging, and runs the relay until SIGINT/SIGTERM. The first signal
 * aborts the daemon's signal (it stops components in reverse order and resolves); a second one exits at once.
 */
import type { Config } from '../../config/config.js';
import { ConfigError } from '../../config/errors.js';
import { configureLogging, createLogger } from '../../log/logger.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import { EXIT_FAILURE, EXIT_FORCED, EXIT_OK, EXIT_STORE_DAMAGED } from '../exit-codes.js';
import { StoreDamagedError } from '../../store/errors.js';
import { DataDirInUseError } from '../../daemon/errors.js';

const log = createLogger('cli');

export type RunDaemon = (config: Config, options: { signal: AbortSignal }) => Promise<void>;

/** The run command over a given daemon entry (tests pass one that records the config and waits for the signal). */
export function makeRunCommand(runDaemonFn: RunDaemon): Command {
  return {
    name: 'run',
    summary: 'run the relay (until Ctrl-C)',
    description: `
Starts every bearer the config names, the HTTP API and the metrics endpoint. Without a config file and without
any bearer flag, a simulated neighbourhood runs so the relay can be tried on a laptop (--no-sim turns it off).
Logs go to stderr: JSON lines unless stderr is a terminal. Ctrl-C stops cleanly; a second Ctrl-C forces exit.`,
    configFlags: 'all',
    async run(ctx) {
      const config = await configFor(ctx);
      configureLogging({ level: config.log.level, format: config.log.format, stream: ctx.io.stderr });
      const controller = new AbortController();
      let signals = 0;
      const unsubscribe = ctx.io.onSignal((signal) => {
        signals++;
        if (signals === 1) {
          log.info('stopping; press Ctrl-C again to force', { signal });
          controller.abort(new Error(`stopped by ${signal}`));
        } else {
          log.warn('forced exit before a clean stop', { signal });
          ctx.io.exit(EXIT_FORCED);
        }
      });
      try {
        await runDaemonFn(config, { signal: controller.signal });
        return EXIT_OK;
      } catch (err) {
        if (err instanceof ConfigError) throw err;
        if (err instanceof StoreDamagedError) {
          log.error(err.message, { store: err.store, path: err.path, kind: err.kind });
          return EXIT_STORE_DAMAGED;
        }
        if (err instanceof DataDirInUseError) {
          log.error(err.message, { name: err.name, dataDir: err.dataDir, pid: err.holder.pid, startedAt: err.holder.startedAt });
          return EXIT_FAILURE;
        }
        // Expected failures (port in use, unreadable key) carry a complete message; the log line shows it.
        log.error('relay stopped on an error', { err });
        return EXIT_FAILURE;
      } finally {
        unsubscribe();
      }
    },
  };
}

// Loaded when the relay runs, not when the command table is built: every other command (`lattice send`, `status`,
// `get`, …) then starts without the daemon's ~200 modules (vault, LMDB, router, bearers, metrics).
export const run: Command = makeRunCommand(async (config, options) => (await import('../../daemon/run-daemon.js')).runDaemon(config, options));
