/**
 * Test support: a Clock (lib/clock/clock.ts) in virtual time, for in-process tests in which every wait of the code
 * under test goes through it (a session on an in-memory link against a simulator given the same clock). Time
 * stands still while anything else is still to run and jumps to the next deadline once the process has nothing
 * left to do: no pending setImmediate (how the memory links hand bytes over) and no microtask. Events then happen
 * in the order real time would give them, a 10 s timeout or a 2 s rate limit costs nothing, and a heavily loaded
 * machine changes nothing (no real deadline is involved). Only a sleep someone waits for moves time: one asked
 * with `unref` (a heartbeat, a periodic check) wakes when time passes its deadline but never makes time pass, so
 * a session idling with its heartbeat does not spin through virtual hours; a test lets time pass with a sleep.
 *
 * Not for code that waits on the operating system (a PTY, a socket, a child process): bytes in flight in the kernel
 * are invisible here and a timeout would fire before they arrive. Those tests use the real clock, or a clock that
 * skips only the paces the code sets itself (skip-clock.ts).
 */
import type { Clock } from '../clock/clock.js';

interface Sleeper {
  at: number;
  seq: number;
  /** False for `unref` sleeps (a heartbeat, a periodic check): they never make time move on their own. */
  ref: boolean;
  resolve(): void;
}

/** Advance pumps of every VirtualClock, scheduled and not yet run (each sees the others' as nothing to wait for). */
let pumpsPending = 0;

/** Pending setImmediate callbacks of the process that are not virtual-clock pumps. */
function otherImmediates(): number {
  let n = 0;
  for (const r of process.getActiveResourcesInfo()) if (r === 'Immediate') n++;
  return n - pumpsPending;
}

export class VirtualClock implements Clock {
  /** Every sleep asked for, in order (tests can check a pace or a timeout was applied). */
  readonly sleeps: number[] = [];
  private sleepers: Sleeper[] = [];
  private seq = 0;
  private pumping = false;
  private idleTurns = 0;

  constructor(private time = 1_700_000_000_000) {}

  now(): number {
    return this.time;
  }

  /** Sleeps waiting for their deadline. */
  get pending(): number {
    return this.sleepers.length;
  }

  sleep(ms: number, options: { signal?: AbortSignal; unref?: boolean } = {}): Promise<void> {
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        at: this.time + Math.max(0, ms),
        seq: this.seq++,
        ref: !options.unref,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
      this.schedule();
    });
  }

  /**
   * Resolves once the process has nothing left to do without time passing: whatever the code under test would
   * still do now (bytes in hand-over, replies, their consequences) has happened. A positive event to assert after.
   */
  settled(): Promise<void> {
    return this.sleep(0);
  }

  /** Moves time on by `ms` at once, waking every sleep due by then (in deadline order). */
  advance(ms: number): void {
    this.wakeUntil(this.time + ms);
  }

  private wakeUntil(t: number): void {
    for (;;) {
      const next = this.earliest();
      if (!next || next.at > t) break;
      this.time = Math.max(this.time, next.at);
      this.sleepers = this.sleepers.filter((s) => s !== next);
      next.resolve();
    }
    this.time = Math.max(this.time, t);
  }

  private earliest(): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.sleepers) if (!best || s.at < best.at || (s.at === best.at && s.seq < best.seq)) best = s;
    return best;
  }

  private schedule(): void {
    if (this.pumping) return;
    this.pumping = true;
    pumpsPending++;
    setImmediate(() => {
      pumpsPending--;
      this.pumping = false;
      this.pump();
    });
  }

  /** One check turn: two in a row with nothing else pending (microtasks have run by now) let time jump. */
  private pump(): void {
    if (!this.sleepers.some((s) => s.ref)) {
      this.idleTurns = 0;
      return;
    }
    if (otherImmediates() > 0) this.idleTurns = 0;
    else if (++this.idleTurns >= 2) {
      this.idleTurns = 0;
      // The earliest deadline, waited for or not: unref'd sleeps due before a waited-for one wake on the way.
      this.time = Math.max(this.time, this.earliest()!.at);
      // Every sleep due at that instant wakes, in the order they were asked for.
      for (const s of this.sleepers.filter((x) => x.at <= this.time).sort((a, b) => a.seq - b.seq)) {
        this.sleepers = this.sleepers.filter((x) => x !== s);
        s.resolve();
      }
    }
    this.schedule();
  }
}
