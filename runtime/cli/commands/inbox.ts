/** `lattice inbox`: messages the running relay received for this node (and broadcasts it can read). */
import type { InboxEntry } from '../../node/relay-node.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../../api/api-client.js';
import type { Command, CommandContext } from '../command.js';
import { clientFor, printJson } from '../config-for.js';
import { UsageError } from '../errors.js';
import { EXIT_OK } from '../exit-codes.js';
import { cell, renderTable } from '../format/table.js';
import { formatTime, parseDuration, parseSince } from '../format/time.js';

export const inbox: Command = {
  name: 'inbox',
  summary: 'list received messages, oldest first',
  configFlags: ['api'],
  json: true,
  options: {
    limit: { type: 'string', short: 'n', arg: 'N', help: 'the newest N messages (default 50, at most 1000)' },
    since: { type: 'string', arg: 'WHEN', help: 'only messages received after WHEN: 10m, 2h, 3d ago, an ISO date, or epoch ms' },
    follow: { type: 'boolean', short: 'f', help: 'keep printing new messages as they arrive, until Ctrl-C (--json: one object per line)' },
    interval: { type: 'string', arg: 'DURATION', help: 'how often --follow asks the relay (default 2s)' },
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
    let intervalMs = 2000;
    if (typeof ctx.values.interval === 'string') {
      const ms = parseDuration(ctx.values.interval);
      if (ms === undefined || ms < 100) throw new UsageError(`--interval "${ctx.values.interval}" is not a duration of at least 100ms (e.g. 2s)`, 'inbox');
      intervalMs = ms;
    }
    const client = await clientFor(ctx);
    if (ctx.values.follow) return follow(ctx, client, query, intervalMs);
    const entries = await client.inbox(query);
    if (ctx.values.json) printJson(ctx, entries);
    else ctx.io.stdout.write(renderInbox(entries));
    return EXIT_OK;
  },
};

/**
 * Polls the inbox and prints each message once. Asks for messages received at or after the newest one printed
 * (since = newest - 1 ms) and skips ids already printed, so two messages received in the same millisecond are
 * neither lost nor repeated.
 */
async function follow(ctx: CommandContext, client: ApiClient, query: { limit?: number; since?: number }, intervalMs: number): Promise<number> {
  const stop = new AbortController();
  const unsubscribe = ctx.io.onSignal(() => stop.abort());
  const printed = new Map<string, number>();
  let newest = query.since;
  // The first answer is the usual backlog (the newest --limit, default 50); later ones take everything new.
  let limit = query.limit ?? 50;
  try {
    while (!stop.signal.aborted) {
      const since = newest === undefined ? undefined : Math.max(0, newest - 1);
      let entries: InboxEntry[];
      try {
        entries = await client.inbox({ limit, since }, { signal: stop.signal });
        limit = MAX_FOLLOW_BATCH;
      } catch (err) {
        if (stop.signal.aborted) break;
        throw err;
      }
      for (const e of entries) {
        if (printed.has(e.id)) continue;
        printed.set(e.id, e.receivedAt);
        if (newest === undefined || e.receivedAt > newest) newest = e.receivedAt;
        ctx.io.stdout.write(ctx.values.json ? `${JSON.stringify(e)}\n` : `${followLine(e)}\n`);
      }
      // Only ids at the newest millisecond can come back in the next answer.
      for (const [id, at] of printed) if (newest !== undefined && at < newest - 1) printed.delete(id);
      try {
        await sleep(intervalMs, undefined, { signal: stop.signal });
      } catch {
        break;
      }
    }
    return EXIT_OK;
  } finally {
    unsubscribe();
  }
}

const MAX_FOLLOW_BATCH = 1000;

function followLine(e: InboxEntry): string {
  const from = e.fromName ? `${e.fromShortId} (${cell(e.fromName, 20)})` : e.fromShortId;
  return `${formatTime(e.receivedAt)}  ${from}  [${e.hops} hop${e.hops === 1 ? '' : 's'}]  ${cell(e.text, 200)}`;
}

export function renderInbox(entries: InboxEntry[]): string {
  if (entries.length === 0) return 'no messages\n';
  return renderTable(
    ['RECEIVED', 'FROM', 'HOPS', 'TEXT'],
    entries.map((e) => [formatTime(e.receivedAt), e.fromName ? `${e.fromShortId} (${cell(e.fromName, 20)})` : e.fromShortId, String(e.hops), cell(e.text, 80)]),
  );
}
