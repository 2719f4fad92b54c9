/**
 * The relay's recent log events for the dashboard: a bounded ring fed by a log tap (runtime/log/logger.ts
 * addLogTap), so the page shows what the relay said lately without reading journald. Records are flattened to plain
 * strings at capture: fields may hold Errors, buffers or objects that change later.
 */
import { addLogTap, type LogRecord } from '../../log/logger.js';

export interface LogEvent {
  /** Sequence number, increasing: the stream sends what came after the last one a client saw. */
  seq: number;
  time: number;
  level: LogRecord['level'];
  namespace: string;
  message: string;
  /** `key=value` pairs, cut to a line's worth. */
  detail?: string;
}

const DETAIL_MAX = 300;

export class RecentLog {
  private readonly ring: LogEvent[] = [];
  private seq = 0;
  private untap?: () => void;
  private readonly listeners = new Set<(e: LogEvent) => void>();

  constructor(private readonly capacity = 200) {}

  start(): void {
    this.untap ??= addLogTap((r) => this.push(r));
  }

  stop(): void {
    this.untap?.();
    this.untap = undefined;
  }

  push(r: LogRecord): void {
    const e: LogEvent = { seq: ++this.seq, time: r.time, level: r.level, namespace: r.namespace, message: r.message };
    const detail = r.fields ? flatten(r.fields) : '';
    if (detail) e.detail = detail;
    this.ring.push(e);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const l of this.listeners) l(e);
  }

  /** Events after `seq` (all kept ones by default), oldest first. */
  since(seq = 0): LogEvent[] {
    return this.ring.filter((e) => e.seq > seq);
  }

  /** Calls `listener` with each new event until the returned function is called. */
  subscribe(listener: (e: LogEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function flatten(fields: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    let s: string;
    if (v instanceof Error) s = v.message;
    else if (typeof v === 'string') s = v;
    else {
      try {
        s = JSON.stringify(v) ?? String(v);
      } catch {
        s = String(v);
      }
    }
    parts.push(`${k}=${s}`);
  }
  const out = parts.join(' ');
  return out.length > DETAIL_MAX ? `${out.slice(0, DETAIL_MAX - 1)}…` : out;
}
