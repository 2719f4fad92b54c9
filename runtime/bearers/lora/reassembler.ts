/**
 * Reassembler: collects the fragments of one link payload and hands it over only when every fragment arrived.
 * Never a partial delivery: an incomplete set is dropped when it ages out or is evicted, and the bundle is lost on
 * this hop (the router's custody/retry covers it; see lora-bearer.ts). Bounded in count (`maxPending` sets) and
 * age (`maxAgeMs`), so a stream of first fragments cannot grow memory.
 */
import { prefixKey, type LinkFrame, type PayloadEncoding } from './link-frame.js';

export type ReassemblyFailure = 'expired' | 'evicted' | 'inconsistent';

interface Pending {
  count: number;
  encoding: PayloadEncoding;
  to?: Uint8Array;
  parts: Array<Uint8Array | undefined>;
  received: number;
  bytes: number;
  firstAt: number;
}

export interface ReassemblerInit {
  maxPending?: number;
  maxAgeMs?: number;
  now?: () => number;
  onFailure?: (reason: ReassemblyFailure, missing: number) => void;
}

export interface Reassembled {
  from: Uint8Array;
  to?: Uint8Array;
  encoding: PayloadEncoding;
  message?: number;
  payload: Uint8Array;
}

export class Reassembler {
  private readonly pending = new Map<string, Pending>();
  private readonly maxPending: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly onFailure: (reason: ReassemblyFailure, missing: number) => void;
  duplicates = 0;

  constructor(init: ReassemblerInit = {}) {
    this.maxPending = init.maxPending ?? 8;
    this.maxAgeMs = init.maxAgeMs ?? 60_000;
    this.now = init.now ?? Date.now;
    this.onFailure = init.onFailure ?? (() => undefined);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Adds one fragment; returns the whole payload when this fragment completed it. */
  push(frame: LinkFrame): Reassembled | undefined {
    const f = frame.fragment;
    if (!f) return { from: frame.from, to: frame.to, encoding: frame.encoding, message: frame.message, payload: frame.payload };
    this.sweep();
    const key = `${prefixKey(frame.from)}:${frame.message}`;
    let p = this.pending.get(key);
    if (p && (p.count !== f.count || p.encoding !== frame.encoding)) {
      this.fail(key, p, 'inconsistent');
      p = undefined;
    }
    if (!p) {
      if (this.pending.size >= this.maxPending) {
        const [oldestKey, oldest] = this.pending.entries().next().value as [string, Pending];
        this.fail(oldestKey, oldest, 'evicted');
      }
      p = { count: f.count, encoding: frame.encoding, to: frame.to, parts: new Array(f.count), received: 0, bytes: 0, firstAt: this.now() };
      this.pending.set(key, p);
    }
    if (p.parts[f.index]) {
      this.duplicates++;
      return undefined;
    }
    p.parts[f.index] = frame.payload;
    p.received++;
    p.bytes += frame.payload.length;
    if (p.received < p.count) return undefined;
    this.pending.delete(key);
    const payload = new Uint8Array(p.bytes);
    let o = 0;
    for (const part of p.parts) {
      payload.set(part!, o);
      o += part!.length;
    }
    return { from: frame.from, to: p.to, encoding: p.encoding, message: frame.message, payload };
  }

  /** Drops sets older than maxAgeMs (call on a timer too, so a lone fragment does not linger). */
  sweep(): void {
    const horizon = this.now() - this.maxAgeMs;
    for (const [key, p] of this.pending) if (p.firstAt < horizon) this.fail(key, p, 'expired');
  }

  clear(): void {
    this.pending.clear();
  }

  private fail(key: string, p: Pending, reason: ReassemblyFailure): void {
    this.pending.delete(key);
    this.onFailure(reason, p.count - p.received);
  }
}
