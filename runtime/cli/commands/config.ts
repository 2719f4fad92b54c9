/**
 * `lattice config`: prints the effective config (defaults, file, LATTICE_* variables and flags merged) with
 * secrets masked, or every problem as `path: message` with exit status 2. Handy to check balena device variables.
 */
import { redact } from '../../config/redact.js';
import type { Command } from '../command.js';
import { configFor, printJson } from '../config-for.js';
import { EXIT_OK } from '../exit-codes.js';

export const config: Command = {
  name: 'config',
  summary: 'check the config and print it as the relay would use it',
  configFlags: 'all',
  json: true,
  async run(ctx) {
    const c = redact(await configFor(ctx));
    if (ctx.values.json) printJson(ctx, c);
    // yaml loads only here: the parser costs ~6 MiB of RSS that a running relay without a config file never needs.
    else ctx.io.stdout.write((await import('yaml')).stringify(c));
    return EXIT_OK;
  },
};
