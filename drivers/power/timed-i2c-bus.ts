/**
 * Gives any I2cBus a time limit per transfer, one transfer at a time, and a close that fails what still waits.
 *
 * Why: a device holding SDA low (or a wedged adapter) makes the kernel's transfer, and the libuv worker thread
 * running it, wait for as long as the adapter allows; a sensor read must not hang the relay with it. A transfer
 * that does not finish in `timeoutMs` (queue wait included) rejects with I2cTimeoutError. Transfers go one at a time
 * so a hung one occupies one worker thread, not all four of the pool; a transfer whose caller has already given up
 * is never started later (a late register write would surprise its caller).
 */
import type { Clock } from '../../lib/clock/clock.js';
import { systemClock } from '../../lib/clock/clock.js';
import { I2cBusClosedError, I2cTimeoutError } from './errors.js';
import type { I2cBus } from './i2c-bus.js';

export interface TimedI2cBusOptions {
  /** Names the bus in errors, e.g. /dev/i2c-1. */
  path: string;
  /** Per-transfer limit, queue wait included. Default 100 ms: a 2-byte read at 100 kHz takes about 0.5 ms, and the
   * INA chips' own SMBus timeout releases the bus after 28–35 ms. */
  timeoutMs?: number;
  clock?: Clock;
}

export const DEFAULT_TRANSFER_TIMEOUT_MS = 100;

interface Job {
  run: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  abandoned: boolean;
}

export class TimedI2cBus implements I2cBus {
  readonly path: string;
  readonly timeoutMs: number;
  /** Transfers that timed out, for a metric. */
  timeouts = 0;
  private readonly clock: Clock;
  private readonly queue: Job[] = [];
  private running = false;
  private closed = false;

  constructor(private readonly inner: I2cBus, options: TimedI2cBusOptions) {
    this.path = options.path;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TRANSFER_TIMEOUT_MS;
    this.clock = options.clock ?? systemClock;
  }

  readWord(address: number, register: number): Promise<number> {
    return this.enqueue('read', address, register, () => this.inner.readWord(address, register)) as Promise<number>;
  }

  writeWord(address: number, register: number, value: number): Promise<void> {
    return this.enqueue('write', address, register, () => this.inner.writeWord(address, register, value)) as Promise<void>;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new I2cBusClosedError(this.path));
    // A hung transfer may keep the inner close waiting too; bound it the same way.
    const limit = new AbortController();
    await Promise.race([
      this.inner.close().catch(() => undefined),
      this.clock.sleep(this.timeoutMs, { signal: limit.signal }).catch(() => undefined),
    ]);
    limit.abort();
  }

  private enqueue(op: 'read' | 'write', address: number, register: number, run: () => Promise<unknown>): Promise<unknown> {
    if (this.closed) return Promise.reject(new I2cBusClosedError(this.path));
    return new Promise((resolve, reject) => {
      const timer = new AbortController();
      const job: Job = {
        run,
        abandoned: false,
        resolve: (v) => { timer.abort(); resolve(v); },
        reject: (e) => { timer.abort(); reject(e); },
      };
      // Not unref: the limit is what ends a hung transfer, and a virtual clock must move to it.
      this.clock.sleep(this.timeoutMs, { signal: timer.signal }).then(
        () => {
          if (job.abandoned) return;
          job.abandoned = true;
          this.timeouts++;
          reject(new I2cTimeoutError(this.path, address, register, op, this.timeoutMs));
        },
        () => undefined, // settled in time, or closed
      );
      this.queue.push(job);
      this.pump();
    });
  }

  private pump(): void {
    if (this.running) return;
    const job = this.queue.shift();
    if (!job) return;
    if (job.abandoned) return this.pump();
    this.running = true;
    let work: Promise<unknown>;
    try {
      work = job.run();
    } catch (err) {
      work = Promise.reject(err);
    }
    work.then(
      (v) => { if (!job.abandoned) { job.abandoned = true; job.resolve(v); } },
      (e) => { if (!job.abandoned) { job.abandoned = true; job.reject(e); } },
    ).finally(() => {
      this.running = false;
      if (!this.closed) this.pump();
    });
  }
}
