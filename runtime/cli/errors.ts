/** CLI errors; tests assert on `name`. */

import type { ConfigIssue } from '../config/errors.js';

/**
 * The command line is wrong (unknown command or flag, missing argument): exit status 2. It carries every problem
 * found, and the config's issues too when the command reads a config, so one typo does not hide the rest.
 */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly problems: string[];
  constructor(problems: string | string[], readonly command?: string, readonly configIssues: ConfigIssue[] = []) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.join('\n'));
    this.problems = list;
  }
}
