/**
 * Logging. One logger per file, named after its concept: `const log = createLogger('router')`.
 *
 * - One line per event. JSON lines when the log stream is not a terminal (balena, systemd, pipes), human text when
 *   it is; `log.format` / `--log-format` / LATTICE_LOG_FORMAT force either.
 * - Logs go to stderr. stdout belongs to the CLI's command output (`lattice status --json | jq` stays clean).
 * - Levels: error, warn, info, debug, trace (and silent); per-namespace levels with `info,router=debug`.
 * - Frames are hex-dumped by `log.frame()` at debug level only (the hex is never even computed otherwise).
 * - Before configureLogging() runs, logging goes to stderr at LATTICE_LOG_LEVEL (default info), so tests can turn
 *   on debug output without code changes.
 */
import { hexDump } from './hex-dump.js';
import { LEVEL_RANK, levelFor, parseLevelSpec, type LevelSpec, type LogLevel } from './levels.js';
import { toJsonLine, toTextLine, type LogFields, type LogRecord } from './log-record.js';

export type { LogFields, LogRecord };

export interface Logger {
  readonly namespace: string;
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  trace(message: string, fields?: LogFields): void;
  /** Whether a record at `level` would be written; guard expensive field computation with it. */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
  /** Hex-dumps a frame at debug level: `log.frame('rx', bytes, { bearer: 'lora0' })`. */
  frame(direction: string, bytes: Uint8Array, fields?: LogFields): void;
  /** A logger for a part of this one: `ip` → `ip.peer`. */
  child(name: string): Logger;
}

/** Where records go. Must not throw; the logger catches and drops if it does. */
export type LogSink = (record: LogRecord) => void;

export interface LogStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface LoggingOptions {
  /** A level or a level spec (`info,router=debug`). */
  level?: string;
  format?: 'auto' | 'json' | 'text';
  /** Default process.stderr. */
  stream?: LogStream;
  /** Colors in text format; default: the stream is a TTY and NO_COLOR is unset. */
  color?: boolean;
}

let spec: LevelSpec = initialSpec();
let sink: LogSink = streamSink({});
/** Bumped on every reconfiguration so loggers recompute their cached rank lazily. */
let generation = 0;

function initialSpec(): LevelSpec {
  try {
    return parseLevelSpec(process.env.LATTICE_LOG_LEVEL ?? 'info');
  } catch {
    return parseLevelSpec('info');
  }
}

/** Formats records onto a stream: JSON when `format` is json, or auto and the stream is not a TTY. */
export function streamSink(options: Omit<LoggingOptions, 'level'>): LogSink {
  const stream = options.stream ?? process.stderr;
  const json = options.format === 'json' || ((options.format ?? 'auto') === 'auto' && !stream.isTTY);
  const color = options.color ?? (Boolean(stream.isTTY) && !process.env.NO_COLOR);
  return (record) => {
    stream.write(`${json ? toJsonLine(record) : toTextLine(record, { color })}\n`);
  };
}

/** Applies the config's log section. Throws RangeError on a bad level spec (parseConfig has already checked it). */
export function configureLogging(options: LoggingOptions): void {
  if (options.level !== undefined) spec = parseLevelSpec(options.level);
  sink = streamSink(options);
  generation++;
}

/** Listeners that see every record the sink writes (the dashboard's recent events); see addLogTap. */
const taps = new Set<LogSink>();

/**
 * Also hands every written record to `tap` (after the sink, at the configured levels) until the returned function is
 * called. A throwing tap is ignored like a throwing sink. The API's recent-events ring uses it.
 */
export function addLogTap(tap: LogSink): () => void {
  taps.add(tap);
  return () => {
    taps.delete(tap);
  };
}

/** Replaces the sink (tests); returns a function restoring the previous sink and levels. */
export function setLogSink(next: LogSink, level?: string): () => void {
  const prev = { sink, spec };
  sink = next;
  if (level !== undefined) spec = parseLevelSpec(level);
  generation++;
  return () => {
    sink = prev.sink;
    spec = prev.spec;
    generation++;
  };
}

class NamespaceLogger implements Logger {
  private rank = 0;
  private seen = -1;

  constructor(readonly namespace: string) {}

  private threshold(): number {
    if (this.seen !== generation) {
      this.rank = LEVEL_RANK[levelFor(spec, this.namespace)];
      this.seen = generation;
    }
    return this.rank;
  }

  enabled(level: Exclude<LogLevel, 'silent'>): boolean {
    return LEVEL_RANK[level] <= this.threshold();
  }

  private write(level: LogRecord['level'], message: string, fields?: LogFields): void {
    if (LEVEL_RANK[level] > this.threshold()) return;
    const record: LogRecord = { time: Date.now(), level, namespace: this.namespace, message, fields };
    try {
      sink(record);
    } catch {
      // A broken sink (closed pipe, throwing test sink) must never take the caller down.
    }
    for (const tap of taps) {
      try {
        tap(record);
      } catch {
        // Same for a tap.
      }
    }
  }

  error(message: string, fields?: LogFields): void { this.write('error', message, fields); }
  warn(message: string, fields?: LogFields): void { this.write('warn', message, fields); }
  info(message: string, fields?: LogFields): void { this.write('info', message, fields); }
  debug(message: string, fields?: LogFields): void { this.write('debug', message, fields); }
  trace(message: string, fields?: LogFields): void { this.write('trace', message, fields); }

  frame(direction: string, bytes: Uint8Array, fields?: LogFields): void {
    if (!this.enabled('debug')) return;
    // Trace level shows whole frames; debug shows the first 256 bytes, enough for every header we parse.
    const hex = hexDump(bytes, this.enabled('trace') ? Infinity : 256);
    this.write('debug', `${direction} frame`, { ...fields, bytes: bytes.length, hex });
  }

  child(name: string): Logger {
    return createLogger(`${this.namespace}.${name}`);
  }
}

export function createLogger(namespace: string): Logger {
  return new NamespaceLogger(namespace);
}
