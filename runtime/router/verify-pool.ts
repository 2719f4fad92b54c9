/**
 * VerifyPool: Ed25519 checks on worker threads. Signature verification is the ingest bottleneck (node:crypto
 * ~7 k/s per core, docs/measurements.md §1), so a relay with spare cores (a Pi 4 has four) verifies on `size` workers
 * while the main thread decodes, deduplicates and writes. Requests made in one event turn go out as one message
 * per worker (structured-clone cost is per message, not per bundle).
 *
 * The worker runs the same verifyBundle() (runtime/bundle/verify-bundle.ts); a rejection comes back as the same
 * BundleRejectedError reason.
 */
import { Worker } from 'node:worker_threads';
import { BundleDecodeError, BundleRejectedError, type RejectReason } from '../bundle/errors.js';
import type { VerifyAnswer, VerifyRequest } from './verify-worker.js';

interface Pending {
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class VerifyPoolClosedError extends Error {
  override name = 'VerifyPoolClosedError';
  constructor() {
    super('verify pool is stopped');
  }
}

export class VerifyPool {
  private workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private queue: VerifyRequest[][] = [];
  private next = 0;
  private seq = 0;
  private flushQueued = false;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1 || size > 64) throw new RangeError('verify pool size must be 1..64');
  }

  start(): void {
    if (this.workers.length) return;
    // test-runner: dist-safe. From dist/ the worker is plain .js. From source (tests under tsx) it is .ts, and tsx's loader hooks do not
    // reach worker threads, so a two-line bootstrap registers them inside the worker first.
    const fromSource = import.meta.url.endsWith('.ts');
    const url = new URL(`./verify-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
    for (let i = 0; i < this.size; i++) {
      const w = fromSource
        ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`, { eval: true })
        : new Worker(url);
      w.unref();
      w.on('message', (answers: VerifyAnswer[]) => this.answer(answers));
      // A dead worker fails what it had in flight; the router then verifies on the main thread.
      w.on('error', () => this.lose(w));
      w.on('exit', () => this.lose(w));
      this.workers.push(w);
    }
    this.queue = this.workers.map(() => []);
  }

  async stop(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    this.failAll(new VerifyPoolClosedError());
    await Promise.all(ws.map((w) => w.terminate()));
  }

  /** Resolves when the encoded bundle verifies at `now`; rejects with BundleRejectedError otherwise. */
  verify(bytes: Uint8Array, now: number): Promise<void> {
    if (this.workers.length === 0) return Promise.reject(new VerifyPoolClosedError());
    const seq = this.seq++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.queue[this.next]!.push({ seq, bytes, now });
      this.next = (this.next + 1) % this.workers.length;
      if (!this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushQueued = false;
    this.queue.forEach((batch, i) => {
      if (batch.length === 0) return;
      this.workers[i]?.postMessage(batch);
      this.queue[i] = [];
    });
  }

  private answer(answers: VerifyAnswer[]): void {
    for (const a of answers) {
      const p = this.pending.get(a.seq);
      if (!p) continue;
      this.pending.delete(a.seq);
      if (a.reason === undefined) p.resolve();
      else if (a.reason === 'malformed') p.reject(new BundleDecodeError(a.detail ?? 'rejected by the verify worker'));
      else p.reject(new BundleRejectedError(a.reason as RejectReason));
    }
  }

  private lose(w: Worker): void {
    const i = this.workers.indexOf(w);
    if (i < 0) return;
    this.workers.splice(i, 1);
    this.queue.splice(i, 1);
    this.next = 0;
    this.failAll(new VerifyPoolClosedError());
  }

  private failAll(err: unknown): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
