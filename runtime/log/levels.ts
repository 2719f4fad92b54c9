/**
 * Log levels and level specs. A spec is a default level optionally followed by per-namespace levels:
 * `info`, `debug`, `info,router=debug,meshtastic=trace`. `silent` logs nothing.
 */

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Severity rank: a record is written when its rank is at most the configured level's rank. */
export const LEVEL_RANK: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 };

export interface LevelSpec {
  level: LogLevel;
  namespaces: Record<string, LogLevel>;
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** Parses a level spec; throws a RangeError naming the bad part. */
export function parseLevelSpec(spec: string): LevelSpec {
  const result: LevelSpec = { level: 'info', namespaces: {} };
  let sawDefault = false;
  for (const rawPart of spec.split(',')) {
    const part = rawPart.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) {
      const level = part.toLowerCase();
      if (!isLogLevel(level)) throw new RangeError(`unknown log level "${part}" (one of ${LOG_LEVELS.join(', ')})`);
      if (sawDefault) throw new RangeError(`two default levels in "${spec}"; give one, then namespace=level pairs`);
      result.level = level;
      sawDefault = true;
      continue;
    }
    const namespace = part.slice(0, eq).trim();
    const level = part.slice(eq + 1).trim().toLowerCase();
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(namespace)) throw new RangeError(`bad namespace "${namespace}" in "${part}"`);
    if (!isLogLevel(level)) throw new RangeError(`unknown log level "${level}" for ${namespace} (one of ${LOG_LEVELS.join(', ')})`);
    result.namespaces[namespace] = level;
  }
  return result;
}

/** The level that applies to `namespace`: its own, else its closest dotted parent's (`ip.peer` → `ip`), else the default. */
export function levelFor(spec: LevelSpec, namespace: string): LogLevel {
  let ns = namespace;
  for (;;) {
    const own = spec.namespaces[ns];
    if (own !== undefined) return own;
    const dot = ns.lastIndexOf('.');
    if (dot < 0) return spec.level;
    ns = ns.slice(0, dot);
  }
}
