/**
 * Parsing one command's flags with node:util parseArgs (strict). Strict parsing stops at the first bad flag; so
 * that one typo does not hide the rest, every bad flag is collected (unknown, missing value, value on a switch),
 * the rest is parsed without them, and the positional count is checked too: the caller reports all of it at once.
 */
import { parseArgs } from 'node:util';
import { configFlagOptions } from '../config/settings.js';
import { didYouMean } from '../config/suggest.js';
import type { Command, OptionValues } from './command.js';

type ParseArgsOption = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

/** Every flag the command accepts, as parseArgs option declarations. */
export function commandFlags(command: Command): Record<string, ParseArgsOption> {
  const options: Record<string, ParseArgsOption> = { help: { type: 'boolean', short: 'h' } };
  if (command.configFlags) {
    options.config = { type: 'string' };
    const all = configFlagOptions();
    for (const [flag, spec] of Object.entries(all)) {
      if (command.configFlags === 'all' || command.configFlags.includes(flag)) options[flag] = spec;
    }
  }
  if (command.json) options.json = { type: 'boolean' };
  for (const [flag, spec] of Object.entries(command.options ?? {})) {
    options[flag] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}), ...(spec.short ? { short: spec.short } : {}) };
  }
  return options;
}

export interface ParsedCommandArgs {
  /** The flags that parsed (bad ones left out). */
  values: OptionValues;
  args: string[];
  /** Every problem with the command line, in order; empty when it is fine. */
  problems: string[];
}

export function parseCommandArgs(command: Command, argv: string[]): ParsedCommandArgs {
  const options = commandFlags(command);
  const problems: string[] = [];
  let rest = argv;
  let parsed: { values: OptionValues; positionals: string[] } | undefined;
  // Each round drops the flags strict parsing would trip on; a round that finds none ends it (then the error stands).
  for (let round = 0; round <= argv.length && !parsed; round++) {
    try {
      const p = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
      parsed = { values: p.values as OptionValues, positionals: p.positionals };
    } catch (err) {
      const found = badFlags(rest, options);
      if (found.problems.length === 0) {
        problems.push(describeParseError(err as Error & { code?: string }, options));
        break;
      }
      problems.push(...found.problems);
      rest = found.kept;
    }
  }
  const values = parsed?.values ?? {};
  const args = parsed?.positionals ?? [];
  if (!values.help) {
    const { min, max } = command.positionals ?? { min: 0, max: 0 };
    if (args.length < min) problems.push(`${command.name} needs ${command.usage ?? `${min} argument(s)`}`);
    if (args.length > max) {
      problems.push(max === 0 ? `${command.name} takes no arguments (got "${args[0]}")` : `too many arguments for ${command.name}: ${command.usage ?? ''}`.trim());
    }
  }
  return { values, args, problems };
}

/** The flags of `argv` that strict parsing rejects, described, and `argv` without them. */
function badFlags(argv: string[], options: Record<string, ParseArgsOption>): { problems: string[]; kept: string[] } {
  const { tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
  const known = Object.keys(options).map((o) => `--${o}`);
  const problems: string[] = [];
  const drop = new Set<number>();
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const spec = options[t.name] ?? Object.values(options).find((o) => o.short === t.name);
    if (!spec || (t.rawName.startsWith('--') && !options[t.name])) {
      problems.push(`unknown option ${t.rawName}${didYouMean(t.rawName, known)}`);
      drop.add(t.index);
    } else if (spec.type === 'boolean' && t.inlineValue) {
      problems.push(`${t.rawName} takes no value`);
      drop.add(t.index);
    } else if (spec.type === 'string' && (t.value === undefined || (!t.inlineValue && t.value.startsWith('-')))) {
      // Strict parsing calls `--api --json` ambiguous; the next argument stays to be checked on its own.
      problems.push(`${t.rawName} needs a value`);
      drop.add(t.index);
    }
  }
  return { problems, kept: argv.filter((_, i) => !drop.has(i)) };
}

function describeParseError(err: Error & { code?: string }, options: Record<string, ParseArgsOption>): string {
  const flag = /'(-[^' ]+)/.exec(err.message)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
    const known = Object.keys(options).map((o) => `--${o}`);
    return `unknown option ${flag}${didYouMean(flag, known)}`;
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) {
    const name = flag.replace(/^-+/, '');
    const spec = options[name] ?? Object.entries(options).find(([, o]) => o.short === name)?.[1];
    return spec?.type === 'boolean' ? `${flag} takes no value` : `${flag} needs a value`;
  }
  return err.message;
}
