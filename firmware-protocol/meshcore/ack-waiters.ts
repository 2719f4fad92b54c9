/**
 * SEND_CONFIRMED matching: waiters by ACK code, plus a small buffer for confirmations that arrive before anyone
 * waits (a fast ACK can beat the caller's await after RESP_CODE_SENT).
 */
import type { SendConfirmed } from './device-frames.js';

export class AckWaiters {
  private readonly waiters = new Map<number, (c: SendConfirmed) => void>();
  private readonly early = new Map<number, SendConfirmed>();
  private readonly failers = new Set<(err: Error) => void>();

  constructor(private readonly earlyLimit = 32) {}

  /** A confirmation arrived. */
  deliver(c: SendConfirmed): void {
    const w = this.waiters.get(c.ackCode);
    if (w) return w(c);
    this.early.set(c.ackCode, c);
    if (this.early.size > this.earlyLimit) this.early.delete(this.early.keys().next().value as number);
  }

  /** Resolves the confirmation or null after timeoutMs; rejects on abort or failAll(). */
  wait(ackCode: number, options: { timeoutMs: number; signal?: AbortSignal }): Promise<SendConfirmed | null> {
    const got = this.early.get(ackCode);
    if (got) {
      this.early.delete(ackCode);
      return Promise.resolve(got);
    }
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (this.waiters.get(ackCode) === waiter) this.waiters.delete(ackCode);
        this.failers.delete(fail);
      };
      const waiter = (c: SendConfirmed) => { done(); resolve(c); };
      const fail = (err: Error) => { done(); reject(err); };
      const onAbort = () => fail(signal?.reason ?? new Error('aborted'));
      const timer = setTimeout(() => { done(); resolve(null); }, options.timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.failers.add(fail);
      this.waiters.set(ackCode, waiter);
    });
  }

  failAll(err: Error): void {
    for (const f of [...this.failers]) f(err);
  }
}
