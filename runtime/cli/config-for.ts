/** Resolving the config and the API client for a command from its flags and the environment. */
import { ApiClient, apiUrl } from '../api/api-client.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import type { CommandContext } from './command.js';

export function configFor(ctx: CommandContext): Promise<Config> {
  const file = ctx.values.config;
  return loadConfig({ env: ctx.io.env, flags: ctx.values, configFile: typeof file === 'string' ? file : undefined, cwd: ctx.io.cwd });
}

export async function clientFor(ctx: CommandContext): Promise<ApiClient> {
  const config = await configFor(ctx);
  return new ApiClient({ url: apiUrl(config.api), token: config.api.token });
}

/** Pretty JSON for `--json` output. */
export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
