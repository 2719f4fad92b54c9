/** YAML text -> the plain value the config schema validates, with every syntax error reported at once. */
import { parseDocument } from 'yaml';
import { ConfigError, type ConfigIssue } from './errors.js';

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
  try {
    // maxAliasCount bounds the expansion of aliases (a "billion laughs" document); yaml throws when it is exceeded.
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const why = /alias count/i.test((err as Error).message)
      ? 'too many aliases to expand (a YAML alias bomb?); write the values out or use fewer aliases'
      : `cannot be read as data: ${(err as Error).message}`;
    throw new ConfigError([{ path: file, message: why }], { cause: err });
  }
}
