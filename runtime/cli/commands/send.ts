/** `lattice send <to> <text>`: hands a message to the running relay. */
import type { Command } from '../command.js';
import { clientFor, printJson } from '../config-for.js';
import { UsageError } from '../errors.js';
import { EXIT_OK } from '../exit-codes.js';
import { parseDuration } from '../format/time.js';

export const send: Command = {
  name: 'send',
  summary: 'send a text message through the running relay',
  usage: '<to> <text...>',
  description: `
<to> is a node id (64 hex), the short id of a known peer, "broadcast" (or "*", quoted in the shell), or a
foreign-mesh address such as mt:!a1b2c3d4. The words of <text> are joined with spaces; "-" reads the text from
stdin. Prints the bundle id; follow it with \`lattice trace <id>\`.`,
  configFlags: ['api'],
  json: true,
  positionals: { min: 2, max: Infinity },
  options: {
    lifetime: { type: 'string', arg: 'DURATION', help: 'how long relays keep trying: 30m, 12h, 7d (default: the relay\'s, 7d)' },
  },
  async run(ctx) {
    const [to, ...words] = ctx.args;
    let text = words.join(' ');
    if (words.length === 1 && words[0] === '-') text = (await ctx.io.readStdin()).replace(/\r?\n$/, '');
    if (text === '') throw new UsageError('the message text is empty', 'send');
    let lifetimeMs: number | undefined;
    if (typeof ctx.values.lifetime === 'string') {
      lifetimeMs = parseDuration(ctx.values.lifetime);
      if (lifetimeMs === undefined) throw new UsageError(`--lifetime "${ctx.values.lifetime}" is not a duration such as 30m, 12h or 7d`, 'send');
    }
    const client = await clientFor(ctx);
    const { bundleId } = await client.send({ to, text, ...(lifetimeMs !== undefined ? { lifetimeMs } : {}) });
    if (ctx.values.json) printJson(ctx, { bundleId });
    else ctx.io.stdout.write(`queued ${bundleId}\n`);
    return EXIT_OK;
  },
};
