/**
 * When queued bundles are tried again: the retry timer, armed only while a failed send waits for its retry (at its
 * due time, at most once per `retryIntervalMs` so failures due a few ms apart share one pass: an idle relay does not
 * wake for it), and full passes over everything queued (at start, after a restart, when a new peer comes up, or when
 * more failed sends wait than it remembers).
 *
 * Failed sends are remembered in memory (RETRY_MEMORY of them), so a timer pass dispatches just those, with no scan
 * of the whole backlog; a full pass pages through the vault's queued index and dispatches what is due (or
 * everything, when a new peer forces it).
 */
import type { CancelTimer } from '../../lib/clock/timer-clock.js';
import type { RouterContext } from './router-context.js';

/** Bundles with failed sends the retry timer remembers; beyond this it falls back to a scan of the backlog. */
const RETRY_MEMORY = 50_000;
/** Bundles dispatched at once by a pass. */
const PASS_PAGE = 256;

export interface RetrySchedulerOptions {
  /** Least time between two timer passes. */
  retryIntervalMs: number;
  /** Sends a bundle's queued targets. */
  dispatch(id: Uint8Array): Promise<void>;
}

export class RetryScheduler {
  private cancelTimer?: CancelTimer;
  /** When the armed retry timer fires, and when the last pass that had something to do ran (router time). */
  private armedAt = 0;
  private lastPassAt = -Infinity;
  private cancelKick?: () => void;
  private running?: Promise<void>;
  private pendingForce = false;
  private fullPassDue = true;
  private readonly due = new Map<string, { id: Uint8Array; at: number }>();

  constructor(private readonly ctx: RouterContext, private readonly o: RetrySchedulerOptions) {}

  /** The router started: one full pass (what a previous run left queued). */
  start(): void {
    this.fullPassDue = true;
    this.kick(0);
  }

  /** Disarms every timer; resolves once a pass in progress ended. */
  async stop(): Promise<void> {
    this.cancelTimer?.();
    this.cancelKick?.();
    this.cancelTimer = this.cancelKick = undefined;
    if (this.running) await this.running;
  }

  /** When the retry timer fires (router time), if it is armed. */
  get dueAt(): number | undefined {
    return this.cancelTimer ? this.armedAt : undefined;
  }

  /** A new neighbour is a new chance for everything queued: a full pass soon, ignoring back-off. */
  peerUp(): void {
    this.kick(50, true);
  }

  /** A send of this bundle left targets queued: retry it at `at` (router time). */
  failed(idHex: string, id: Uint8Array, at: number): void {
    if (this.due.size < RETRY_MEMORY) this.due.set(idHex, { id, at });
    else this.fullPassDue = true;
    this.arm(this.fullPassDue ? this.ctx.now() : at);
  }

  /** Nothing of this bundle is queued any more. */
  done(idHex: string): void {
    this.due.delete(idHex);
  }

  /** Schedules a pass; `force` (a new peer) rescans every queued row and ignores back-off. */
  private kick(delayMs: number, force = false): void {
    if (!this.ctx.signal()) return;
    this.pendingForce ||= force;
    this.cancelKick?.();
    const fire = (): void => {
      this.cancelKick = undefined;
      if (this.running) {
        void this.running.then(() => this.kick(0));
        return;
      }
      const forced = this.pendingForce;
      this.pendingForce = false;
      this.running = this.pass(forced).finally(() => {
        this.running = undefined;
        this.rearm();
      });
    };
    // A pass asked for now runs at the end of this turn, whatever the clock; a delay is a timer of the clock.
    if (delayMs <= 0) {
      const t = setImmediate(fire);
      this.cancelKick = () => clearImmediate(t);
    } else this.cancelKick = this.ctx.timers.setTimer(delayMs, fire);
  }

  /**
   * Arms the retry timer for `at` (router time), or sooner than the timer already armed: it fires when the earliest
   * remembered failed send is due, but at most once per retry interval. Nothing waiting, no timer.
   */
  private arm(at: number): void {
    if (!this.ctx.signal()) return;
    const fireAt = Math.max(at, this.lastPassAt + this.o.retryIntervalMs);
    if (this.cancelTimer && this.armedAt <= fireAt) return;
    this.cancelTimer?.();
    this.armedAt = fireAt;
    this.cancelTimer = this.ctx.timers.setTimer(Math.max(0, fireAt - this.ctx.now()), () => {
      this.cancelTimer = undefined;
      this.kick(0);
    }, { unref: true, name: 'router retry' });
  }

  /** After a pass: the timer for the earliest send still waiting (or the full pass still owed), or none. */
  private rearm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.fullPassDue) return this.arm(this.ctx.now());
    let earliest = Infinity;
    for (const r of this.due.values()) if (r.at < earliest) earliest = r.at;
    if (earliest < Infinity) this.arm(earliest);
  }

  private async pass(force: boolean): Promise<void> {
    if (force || this.fullPassDue) {
      this.fullPassDue = false;
      this.lastPassAt = this.ctx.now();
      await this.scanQueued(force);
      return;
    }
    const now = this.ctx.now();
    const due: Uint8Array[] = [];
    for (const [idHex, r] of this.due) if (r.at <= now) {
      due.push(r.id);
      this.due.delete(idHex);
    }
    // A timer that fired a little early (its clock is the event loop's) finds nothing due and is armed again.
    if (due.length > 0) this.lastPassAt = now;
    for (let i = 0; i < due.length && this.ctx.signal(); i += PASS_PAGE) await Promise.allSettled(due.slice(i, i + PASS_PAGE).map((id) => this.o.dispatch(id)));
  }

  /** Pages through every queued outbox row (bounded reads per page) and dispatches those due. */
  private async scanQueued(force: boolean): Promise<void> {
    const vault = this.ctx.vault;
    let after: Uint8Array | undefined;
    for (;;) {
      if (!this.ctx.signal() || !vault.isOpen) return;
      const ids = vault.queuedIds({ ...(after ? { after } : {}), limit: PASS_PAGE });
      if (ids.length === 0) return;
      const now = this.ctx.now();
      const due = ids.filter((id) => force || (vault.outbox(id)?.nextTryAt ?? 0) <= now);
      await Promise.allSettled(due.map((id) => this.o.dispatch(id)));
      after = ids[ids.length - 1];
      if (ids.length < PASS_PAGE) return;
    }
  }
}
