/**
 * The connector's side of acknowledged bundle frames (ack-codec.ts): one tracker per outgoing TCP connection numbers
 * the BUNDLE frames written to it and matches the acceptor's ACKs to the sends waiting for them.
 *
 * Each send waits until one of: its ACK arrives (the fate the acceptor's router gave it), the connection has gone
 * `timeoutMs` with no ACK at all while this send waited at least that long ('timeout': a frozen, overloaded or
 * vanished peer whose kernel may still take our bytes), or the connection closes ('closed'). The timer starts when
 * the sequence number is reserved, before the write, so a write stuck behind a full socket buffer times out too;
 * while ACKs for earlier frames keep coming (a slow link with a backlog, a peer working through a burst) later
 * frames keep waiting instead of timing out and being sent again. Only an ACK with an acknowledging fate lets the
 * caller count the hop delivered; everything else leaves the bundle in the router's custody, and its retry is
 * idempotent (the acceptor settles a copy it already holds as 'duplicate').
 */
import type { FrameFate } from '../../bearer/bearer.js';
import type { Ack } from './ack-codec.js';
import { IpBearerAbortError } from './errors.js';

export type AckResult = FrameFate | 'timeout' | 'closed';

interface Waiting {
  resolve(result: AckResult): void;
  timer: NodeJS.Timeout;
  done(): void;
}

const MAX_SEQ = 0xffffffff;

export class AckTracker {
  private next = 1;
  private readonly waiting = new Map<number, Waiting>();
  private isClosed = false;
  /** When the last ACK entry arrived on this connection (performance.now()); -Infinity before any. */
  private lastAckAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly peer: string, private readonly timeoutMs: number) {
    if (!(timeoutMs > 0)) throw new RangeError(`ack timeout ${timeoutMs} ms`);
  }

  /** Sends waiting for an ACK now. */
  get outstanding(): number {
    return this.waiting.size;
  }

  /**
   * Reserves the next sequence number for a BUNDLE frame about to be written. `result` resolves with the ACK's
   * fate, 'timeout' or 'closed', and rejects (AbortError) only when `signal` aborts first.
   */
  expect(signal?: AbortSignal): { seq: number; result: Promise<AckResult> } {
    let seq = this.next;
    while (this.waiting.has(seq)) seq = seq === MAX_SEQ ? 1 : seq + 1;
    this.next = seq === MAX_SEQ ? 1 : seq + 1;
    if (this.isClosed) return { seq, result: Promise.resolve('closed') };
    const result = new Promise<AckResult>((resolve, reject) => {
      const onAbort = (): void => {
        w.done();
        reject(new IpBearerAbortError(this.peer, { cause: signal!.reason }));
      };
      const w: Waiting = {
        resolve: (r) => {
          w.done();
          resolve(r);
        },
        timer: setTimeout(() => this.expire(w), this.timeoutMs),
        done: () => {
          clearTimeout(w.timer);
          signal?.removeEventListener('abort', onAbort);
          if (this.waiting.get(seq) === w) this.waiting.delete(seq);
        },
      };
      this.waiting.set(seq, w);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return { seq, result };
  }

  /** Timed out only if the connection also went quiet; else waits again until `timeoutMs` after the last ACK. */
  private expire(w: Waiting): void {
    const quietFor = performance.now() - this.lastAckAt;
    if (quietFor >= this.timeoutMs) w.resolve('timeout');
    else w.timer = setTimeout(() => this.expire(w), this.timeoutMs - quietFor);
  }

  /** Matches one ACK frame's entries; returns how many answered no waiting send (late, after a timeout). */
  receive(acks: readonly Ack[]): number {
    if (acks.length > 0) this.lastAckAt = performance.now();
    let unknown = 0;
    for (const a of acks) {
      const w = this.waiting.get(a.seq);
      if (w) w.resolve(a.fate);
      else unknown++;
    }
    return unknown;
  }

  /** The connection closed: every waiting send resolves 'closed', later ones at once. */
  close(): void {
    this.isClosed = true;
    for (const w of [...this.waiting.values()]) w.resolve('closed');
  }
}
