/**
 * Reading the YAML config file and resolving the final Config for the CLI: `--config FILE`, else `$LATTICE_CONFIG`,
 * else no file (defaults, environment and flags only).
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { Config } from './config.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { parseConfig } from './parse-config.js';
import type { FlagValues } from './settings.js';

/** Parses YAML text; syntax errors (all of them) become issues `FILE:LINE:COL: message`. */
export function parseYamlConfig(text: string, file = 'config'): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues: ConfigIssue[] = doc.errors.map((e) => {
      const at = e.linePos?.[0];
      return { path: at ? `${file}:${at.line}:${at.col}` : file, message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '') };
    });
    throw new ConfigError(issues);
  }
  return doc.toJS({ maxAliasCount: 100 });
}

export async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new ConfigError([{ path, message: `cannot read the config file: ${why}` }], { cause: err });
  }
  return parseYamlConfig(text, path);
}

export interface LoadConfigOptions {
  env: NodeJS.ProcessEnv;
  flags?: FlagValues;
  /** `--config FILE`; falls back to LATTICE_CONFIG. */
  configFile?: string;
  cwd?: string;
}

export async function loadConfig(options: LoadConfigOptions): Promise<Config> {
  const file = options.configFile ?? (options.env.LATTICE_CONFIG?.trim() || undefined);
  const input = file === undefined ? undefined : await readConfigFile(file);
  return parseConfig(input, options.env, { flags: options.flags, configFile: file, cwd: options.cwd });
}
