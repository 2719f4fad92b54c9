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
  return doc.toJS({ maxAliasCount: 100 });
}
