/**
 * The `lattice` command line: finds the command in the table (commands/index.ts), parses its flags, runs it, and
 * maps failures to exit statuses — 2 for usage and config errors (every config issue printed as `path: message`),
 * 1 for run-time failures. Output goes to stdout, messages to stderr.
 */
import { ApiResponseError } from '../api/errors.js';
import { ConfigError, formatIssue, type ConfigIssue } from '../config/errors.js';
import { didYouMean } from '../config/suggest.js';
import { VERSION } from '../version.js';
import type { Command, CommandContext } from './command.js';
import { configFor } from './config-for.js';
import { COMMANDS } from './commands/index.js';
import { UsageError } from './errors.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import type { CliIo } from './io.js';
import { parseCommandArgs } from './parse-command-args.js';
import { renderCommandHelp, renderOverview } from './render-help.js';

export async function runCli(argv: string[], io: CliIo, commands: Command[] = COMMANDS): Promise<number> {
  try {
    return await dispatch(argv, io, commands, []);
  } catch (err) {
    return report(err, io);
  }
}

async function dispatch(argv: string[], io: CliIo, commands: Command[], parents: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const here = ['lattice', ...parents].join(' ');
  if (first === undefined) {
    io.stderr.write(renderOverview(commands, parents));
    return EXIT_USAGE;
  }
  if (parents.length === 0 && (first === '--version' || first === '-V' || first === 'version')) {
    io.stdout.write(`lattice ${VERSION}\n`);
    return EXIT_OK;
  }
  if (first === 'help' || first === '--help' || first === '-h') {
    if (rest.length === 0) {
      io.stdout.write(renderOverview(commands, parents));
      return EXIT_OK;
    }
    const target = find(commands, rest[0], here);
    if (target.subcommands && rest.length > 1) return dispatch(['help', ...rest.slice(1)], io, target.subcommands, [...parents, target.name]);
    io.stdout.write(renderCommandHelp(target, parents));
    return EXIT_OK;
  }
  if (first.startsWith('-')) throw new UsageError(`expected a command before ${first}`);
  const command = find(commands, first, here);
  if (command.subcommands) {
    if (rest.length === 0 || rest[0] === '--help' || rest[0] === '-h') {
      (rest.length === 0 ? io.stderr : io.stdout).write(renderCommandHelp(command, parents));
      return rest.length === 0 ? EXIT_USAGE : EXIT_OK;
    }
    return dispatch(rest, io, command.subcommands, [...parents, command.name]);
  }
  const { values, args, problems } = parseCommandArgs(command, rest);
  if (problems.length > 0) {
    // Everything at once: with the bad flags, whatever is wrong in the config file, the environment and the flags
    // that did parse.
    const configIssues = command.configFlags ? await configIssuesOf({ io, args, values }) : [];
    throw new UsageError(problems, command.name, configIssues);
  }
  if (values.help) {
    io.stdout.write(renderCommandHelp(command, parents));
    return EXIT_OK;
  }
  if (!command.run) throw new UsageError(`${here} ${command.name} cannot run on its own`);
  return command.run({ io, args, values });
}

async function configIssuesOf(ctx: CommandContext): Promise<ConfigIssue[]> {
  try {
    await configFor(ctx);
    return [];
  } catch (err) {
    return err instanceof ConfigError ? err.issues : [];
  }
}

function find(commands: Command[], name: string, here: string): Command {
  const command = commands.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"${didYouMean(name, commands.map((c) => c.name))}\nRun \`${here} help\` for the list.`);
  return command;
}

function report(err: unknown, io: CliIo): number {
  if (err instanceof ConfigError) {
    for (const line of err.lines()) io.stderr.write(`${line}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof UsageError) {
    for (const problem of err.problems) io.stderr.write(`lattice: ${problem}\n`);
    for (const issue of err.configIssues) io.stderr.write(`${formatIssue(issue)}\n`);
    if (err.command) io.stderr.write(`Run \`lattice help ${err.command}\` for usage.\n`);
    return EXIT_USAGE;
  }
  if (err instanceof ApiResponseError) {
    io.stderr.write(`lattice: ${err.message}\n`);
    // The relay refused the request itself: a bad recipient, a bad id — usage, not a failure of the relay.
    return err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403 && err.status !== 404 ? EXIT_USAGE : EXIT_FAILURE;
  }
  const e = err as Error;
  // Expected failures (no relay, unreadable key, port in use) carry a complete message; anything else is a bug.
  const expected = ['RelayUnreachableError', 'RelayTimeoutError', 'IdentityFileError', 'ListenError', 'TokenRequiredError'];
  if (e instanceof Error && expected.includes(e.name)) io.stderr.write(`lattice: ${e.message}\n`);
  else io.stderr.write(`lattice: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(err)}\n`);
  return EXIT_FAILURE;
}
