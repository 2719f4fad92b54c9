/**
 * A log record and its two renderings: one JSON object per line (for journald, balena's log stream, jq), or one
 * human line `HH:MM:SS.mmm LEVEL namespace message key=value` for a terminal.
 */
import type { LogLevel } from './levels.js';

export type LogFields = Record<string, unknown>;

export interface LogRecord {
  time: number;
  level: Exclude<LogLevel, 'silent'>;
  namespace: string;
  message: string;
  fields?: LogFields;
}

/** Keys of the JSON line that fields cannot overwrite; a clashing field is written with a leading underscore. */
const RESERVED = new Set(['time', 'level', 'ns', 'msg']);

export function toJsonLine(r: LogRecord): string {
  const out: Record<string, unknown> = { time: new Date(r.time).toISOString(), level: r.level, ns: r.namespace, msg: r.message };
  if (r.fields) for (const [k, v] of Object.entries(r.fields)) out[RESERVED.has(k) ? `_${k}` : k] = plain(v);
  try {
    return JSON.stringify(out);
  } catch {
    // A cycle or a throwing toJSON in someone's fields must not lose the event.
    return JSON.stringify({ time: out.time, level: r.level, ns: r.namespace, msg: r.message, fields: '[unserializable]' });
  }
}

const LEVEL_TAG: Record<LogRecord['level'], string> = { error: 'ERROR', warn: 'WARN ', info: 'INFO ', debug: 'DEBUG', trace: 'TRACE' };
const LEVEL_COLOR: Record<LogRecord['level'], string> = { error: '31', warn: '33', info: '32', debug: '36', trace: '90' };

export function toTextLine(r: LogRecord, options: { color?: boolean } = {}): string {
  const d = new Date(r.time);
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
  const tag = options.color ? `\x1b[${LEVEL_COLOR[r.level]}m${LEVEL_TAG[r.level]}\x1b[0m` : LEVEL_TAG[r.level];
  let line = `${clock} ${tag} ${r.namespace}: ${oneLine(r.message)}`;
  if (r.fields) {
    for (const [k, v] of Object.entries(r.fields)) {
      if (v === undefined) continue;
      line += ` ${k}=${textValue(plain(v))}`;
    }
  }
  return line;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function oneLine(s: string): string {
  return s.includes('\n') ? s.replace(/\r?\n/g, '\\n') : s;
}

function textValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v === null || typeof v !== 'object') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return '[unserializable]';
  }
}

/** Errors, byte arrays and bigints as JSON-friendly values. */
export function plain(v: unknown): unknown {
  if (v instanceof Error) {
    const e: Record<string, unknown> = { name: v.name, message: v.message };
    for (const [k, val] of Object.entries(v)) if (k !== 'stack') e[k] = plain(val);
    if (v.cause !== undefined) e.cause = plain(v.cause);
    return e;
  }
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  if (typeof v === 'bigint') return v.toString();
  return v;
}
