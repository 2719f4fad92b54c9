/** `lattice help` and `lattice help <command>` text, generated from the command table and the config settings. */
import { SETTINGS } from '../config/settings.js';
import { VERSION } from '../version.js';
import type { Command, OptionSpec } from './command.js';
import { commandFlags } from './parse-command-args.js';

export function renderOverview(commands: Command[], parents: string[] = []): string {
  const prefix = ['lattice', ...parents].join(' ');
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  const head = parents.length === 0 ? `lattice ${VERSION} — store-and-forward LoRa/Meshtastic/MeshCore/IP relay\n\n` : '';
  return `${head}Usage: ${prefix} <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`${prefix} help <command>\` for a command's options${parents.length === 0 ? ', `lattice --version` for the version' : ''}.\n`;
}

export function renderCommandHelp(command: Command, parents: string[] = []): string {
  const name = ['lattice', ...parents, command.name].join(' ');
  if (command.subcommands) return `${command.summary}\n\n${renderOverview(command.subcommands, [...parents, command.name])}`;
  let out = `Usage: ${name}${command.usage ? ` ${command.usage}` : ''} [options]\n\n${command.summary}\n`;
  if (command.description) out += `\n${command.description.trim()}\n`;
  const rows: [string, string][] = [];
  for (const [flag, spec] of Object.entries(command.options ?? {})) rows.push(optionRow(flag, spec));
  if (command.json) rows.push(['--json', 'machine-readable JSON output']);
  if (command.configFlags) {
    rows.push(['--config FILE', 'YAML config file (default: $LATTICE_CONFIG, else none)']);
    for (const s of SETTINGS) {
      if (!s.flag || !(s.flag in commandFlags(command))) continue;
      const env = s.env ? ` [${s.env}]` : '';
      rows.push([`--${s.flag}${s.arg ? ` ${s.arg}` : ''}`, `${s.flagHelp ?? s.help}${env}`]);
    }
  }
  rows.push(['-h, --help', 'this help']);
  const width = Math.max(...rows.map((r) => r[0].length));
  out += `\nOptions:\n${rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`).join('\n')}\n`;
  return out;
}

function optionRow(flag: string, spec: OptionSpec): [string, string] {
  const short = spec.short ? `-${spec.short}, ` : '';
  return [`${short}--${flag}${spec.arg ? ` ${spec.arg}` : ''}`, `${spec.help}${spec.multiple ? ' (repeatable)' : ''}`];
}
