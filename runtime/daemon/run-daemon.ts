import type { Config } from '../config/config.js';

export async function runDaemon(config: Config, options: { signal: AbortSignal }): Promise<void> {
  void config;
  void options;
  throw new Error('daemon not wired yet');
}
