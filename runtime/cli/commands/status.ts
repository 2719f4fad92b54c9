/** `lattice status`: the running relay's identity, bearers, peers and queues. */
import type { NodeStatus } from '../../node/relay-node.js';
import type { Command } from '../command.js';
import { clientFor, printJson } from '../config-for.js';
import { EXIT_OK } from '../exit-codes.js';
import { cell, renderTable } from '../format/table.js';
import { formatDuration, relative } from '../format/time.js';

export const status: Command = {
  name: 'status',
  summary: "show the running relay's id, bearers, peers and queues",
  configFlags: ['api'],
  json: true,
  async run(ctx) {
    const client = await clientFor(ctx);
    const s = await client.status();
    if (ctx.values.json) printJson(ctx, s);
    else ctx.io.stdout.write(renderStatus(s, Date.now()));
    return EXIT_OK;
  },
};

export function renderStatus(s: NodeStatus, now: number): string {
  const o = s.outbox;
  let out =
    `relay    ${s.shortId}\n` +
    `node id  ${s.nodeId}\n` +
    `version  ${s.version}, up ${formatDuration(s.uptimeSeconds)}\n` +
    `outbox   ${o.queued} queued, ${o.accepted} accepted, ${o.delivered} delivered, ${o.expired} expired\n` +
    `inbox    ${s.inbox}   stored ${s.stored}\n`;
  out += '\n';
  out += s.bearers.length === 0
    ? 'no bearers\n'
    : renderTable(['BEARER', 'KIND', 'MODE', 'STATE', 'PEERS'], s.bearers.map((b) => [b.name, b.kind, b.mode, b.state, String(b.peers.length)]));
  out += '\n';
  out += s.peers.length === 0
    ? 'no peers yet\n'
    : renderTable(
        ['PEER', 'NAME', 'BEARERS', 'LAST SEEN'],
        s.peers.map((p) => [p.shortId, cell(p.name ?? '', 24), p.bearers.join(','), relative(p.lastSeen, now)]),
      );
  return out;
}
