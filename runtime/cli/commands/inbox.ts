/** `lattice inbox`: messages the running relay received for this node (and broadcasts it can read). */
import type { InboxEntry } from '../../node/relay-node.js';
import type { Command } from '../command.js';
import { clientFor, printJson } from '../config-for.js';
import { UsageError } from '../errors.js';
import { EXIT_OK } from '../exit-codes.js';
import { cell, renderTable } from '../format/table.js';
import { formatTime, parseSince } from '../format/time.js';

export const inbox: Command = {
  name: 'inbox',
  summary: 'list received messages, oldest first',
  configFlags: ['api'],
  json: true,
  options: {
    limit: { type: 'string', short: 'n', arg: 'N', help: 'the newest N messages (default 50, at most 1000)' },
    since: { type: 'string', arg: 'WHEN', help: 'only messages received after WHEN: 10m, 2h, 3d ago, an ISO date, or epoch ms' },
  },
  async run(ctx) {
    const query: { limit?: number; since?: number } = {};
    if (typeof ctx.values.limit === 'string') {
      if (!/^\d+$/.test(ctx.values.limit) || Number(ctx.values.limit) < 1 || Number(ctx.values.limit) > 1000) {
        throw new UsageError(`--limit must be a number from 1 to 1000, got "${ctx.values.limit}"`, 'inbox');
      }
      query.limit = Number(ctx.values.limit);
    }
    if (typeof ctx.values.since === 'string') {
      const since = parseSince(ctx.values.since, Date.now());
      if (since === undefined) throw new UsageError(`--since "${ctx.values.since}" is not a duration (2h), an ISO date or epoch ms`, 'inbox');
      query.since = since;
    }
    const client = await clientFor(ctx);
    const entries = await client.inbox(query);
    if (ctx.values.json) printJson(ctx, entries);
    else ctx.io.stdout.write(renderInbox(entries));
    return EXIT_OK;
  },
};

export function renderInbox(entries: InboxEntry[]): string {
  if (entries.length === 0) return 'no messages\n';
  return renderTable(
    ['RECEIVED', 'FROM', 'HOPS', 'TEXT'],
    entries.map((e) => [formatTime(e.receivedAt), e.fromName ? `${e.fromShortId} (${cell(e.fromName, 20)})` : e.fromShortId, String(e.hops), cell(e.text, 80)]),
  );
}
