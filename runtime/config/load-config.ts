/**
 * Reading the YAML config file and resolving the final Config for the CLI: `--config FILE`, else `$LATTICE_CONFIG`,
 * else no file (defaults, environment and flags only).
 */
import { readFile } from 'node:fs/promises';
import type { Config } from './config.js';
import { ConfigError } from './errors.js';
import { parseConfig } from './parse-config.js';
import type { FlagValues } from './settings.js';

export async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new ConfigError([{ path, message: `cannot read the config file: ${why}` }], { cause: err });
  }
  // The YAML parser loads only when there is a file (~6 MiB of RSS an unconfigured relay never needs).
  const { parseYamlConfig } = await import('./yaml-config.js');
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
