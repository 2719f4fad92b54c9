/** `lattice put`, `lattice get`, `lattice shards`: the shard store's commands (runtime/shards/cli-commands.ts) over
 * the running relay's HTTP API (runtime/api/shard-routes.ts). */
import { apiUrl } from '../../api/api-client.js';
import { ShardsClient } from '../../api/shards-client.js';
import { shardCommands } from '../../shards/cli-commands.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';

export const shards: Command[] = shardCommands(async (ctx) => {
  const config = await configFor(ctx);
  return new ShardsClient({ url: apiUrl(config.api), ...(config.api.token !== undefined ? { token: config.api.token } : {}) });
});
