/** Parsing one command's flags with node:util parseArgs (strict), turning its errors into UsageErrors. */
import { parseArgs } from 'node:util';
import { configFlagOptions } from '../config/settings.js';
import { didYouMean } from '../config/suggest.js';
import type { Command, OptionValues } from './command.js';
import { UsageError } from './errors.js';

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

export function parseCommandArgs(command: Command, argv: string[]): { values: OptionValues; args: string[] } {
  const options = commandFlags(command);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(describeParseError(err as Error & { code?: string }, options), command.name);
  }
  const values = parsed.values as OptionValues;
  const args = parsed.positionals;
  if (!values.help) {
    const { min, max } = command.positionals ?? { min: 0, max: 0 };
    if (args.length < min) throw new UsageError(`${command.name} needs ${command.usage ?? `${min} argument(s)`}`, command.name);
    if (args.length > max) {
      throw new UsageError(max === 0 ? `${command.name} takes no arguments (got "${args[0]}")` : `too many arguments for ${command.name}: ${command.usage ?? ''}`.trim(), command.name);
    }
  }
  return { values, args };
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
