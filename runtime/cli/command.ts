/**
 * A CLI command: one file under commands/, registered in commands/index.ts. The dispatcher (cli.ts) parses its
 * flags with node:util parseArgs (strict), checks the positional count, and calls run(); run() returns the exit
 * status. Commands with `subcommands` (e.g. `lattice sim meshtastic`) dispatch on their first positional instead.
 */
import type { CliIo } from './io.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Placeholder shown in help (`N`, `DURATION`). */
  arg?: string;
  help: string;
}

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  io: CliIo;
  /** Positional arguments after the command name. */
  args: string[];
  values: OptionValues;
}

export interface Command {
  name: string;
  /** One line for `lattice help`. */
  summary: string;
  /** Argument synopsis after the name: `<to> <text>`. */
  usage?: string;
  /** Longer help text for `lattice help <name>`. */
  description?: string;
  /** Which config flags it takes (`--config` is implied by any): 'all', or a list such as ['api', 'data-dir']. */
  configFlags?: 'all' | string[];
  /** Offers `--json` for machine-readable output. */
  json?: boolean;
  options?: Record<string, OptionSpec>;
  positionals?: { min: number; max: number };
  subcommands?: Command[];
  run?(ctx: CommandContext): Promise<number>;
}
