/** `lattice trace <bundle id>`: where a bundle is, who took custody, and what happened to it. */
import type { BundleView } from '../../node/relay-node.js';
import type { Command } from '../command.js';
import { clientFor, printJson } from '../config-for.js';
import { UsageError } from '../errors.js';
import { EXIT_OK } from '../exit-codes.js';
import { cell, renderTable } from '../format/table.js';
import { formatTime, relative } from '../format/time.js';

export const trace: Command = {
  name: 'trace',
  summary: "show a bundle's state, custody chain and events",
  usage: '<bundle id>',
  configFlags: ['api'],
  json: true,
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const id = ctx.args[0].trim();
    if (!/^[0-9a-f]{64}$/i.test(id)) throw new UsageError(`"${id}" is not a bundle id (64 hex characters, as \`lattice send\` prints)`, 'trace');
    const client = await clientFor(ctx);
    const view = await client.bundle(id.toLowerCase());
    if (ctx.values.json) printJson(ctx, view);
    else ctx.io.stdout.write(renderTrace(view, Date.now()));
    return EXIT_OK;
  },
};

export function renderTrace(b: BundleView, now: number): string {
  const origin = b.origin ? ` on behalf of ${b.origin.id}${b.origin.name ? ` (${b.origin.name})` : ''}` : '';
  let out =
    `bundle   ${b.id}\n` +
    `state    ${b.state}\n` +
    `from     ${b.senderShortId}${origin}\n` +
    `to       ${b.recipient}\n` +
    `sent     ${formatTime(b.sentAt)} (${relative(b.sentAt, now)})\n` +
    `expires  ${formatTime(b.expiresAt)} (${relative(b.expiresAt, now)})\n` +
    `custody  ${b.custody.length === 0 ? '(none yet)' : b.custody.join(' → ')}  [${b.hops} hop${b.hops === 1 ? '' : 's'}]\n`;
  if (b.text !== undefined) out += `text     ${cell(b.text, 200)}\n`;
  out += '\n';
  out += b.events.length === 0
    ? 'no events\n'
    : renderTable(['TIME', 'EVENT', 'BEARER', 'PEER', 'DETAIL'], b.events.map((e) => [formatTime(e.at), e.event, e.bearer ?? '', e.peer ?? '', cell(e.detail ?? '', 60)]));
  return out;
}
