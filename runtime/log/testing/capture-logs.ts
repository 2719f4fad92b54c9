/**
 * Test support: collect log records in memory instead of writing them, e.g. to assert that a decoder logged its
 * discards. `const logs = captureLogs('debug'); ...; logs.restore();`
 */
import { setLogSink, type LogRecord } from '../logger.js';

export interface CapturedLogs {
  readonly records: LogRecord[];
  /** Records whose namespace is `namespace` or below it. */
  of(namespace: string): LogRecord[];
  restore(): void;
}

export function captureLogs(level = 'trace'): CapturedLogs {
  const records: LogRecord[] = [];
  const restore = setLogSink((r) => records.push(r), level);
  return {
    records,
    of: (ns) => records.filter((r) => r.namespace === ns || r.namespace.startsWith(`${ns}.`)),
    restore,
  };
}
