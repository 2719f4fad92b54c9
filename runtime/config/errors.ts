/** Config errors; tests assert on `name` and on `issues`. */

export interface ConfigIssue {
  /** Where: a dotted config path (`api.port`, `ip.peers[1]`), an environment variable or a flag. */
  path: string;
  message: string;
}

/** The config is invalid; `issues` lists every problem found, not only the first. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly issues: ConfigIssue[], options?: { cause?: unknown }) {
    super(`invalid config:\n${issues.map(formatIssue).join('\n')}`, options);
  }
  /** One `path: message` line per issue. */
  lines(): string[] {
    return this.issues.map(formatIssue);
  }
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.path || '(top level)'}: ${issue.message}`;
}
