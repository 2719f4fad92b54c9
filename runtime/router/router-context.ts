/**
 * What the router's parts share (router.ts builds it once): who this relay is, its vault and bearers, time and
 * timers, its counters and events, and the router's lifetime (`signal()`, undefined once stopped). The parts are
 * ingest-pipeline.ts, dispatcher.ts, retry-scheduler.ts, bloom-receipts.ts and peer-directory.ts.
 */
import type { Bearer } from '../bearer/bearer.js';
import type { TimerClock } from '../../lib/clock/timer-clock.js';
import type { Identity } from '../identity/identity.js';
import type { Logger } from '../log/logger.js';
import type { Vault } from '../vault/vault.js';
import type { RouterEvents } from './router-events.js';
import type { RouterCounters } from './router-metrics.js';

/** Where a refused or duplicate bundle came from, for the `dropped` / `duplicate` events. */
export interface DropFields {
  id?: string;
  bearer?: string;
  from?: string;
  detail?: string;
}

export interface RouterContext {
  readonly identity: Identity;
  readonly vault: Vault;
  readonly bearers: readonly Bearer[];
  readonly log: Logger;
  /** The router's time. */
  readonly now: () => number;
  /** Its timers (retry, bloom broadcasts). */
  readonly timers: TimerClock;
  readonly counters: RouterCounters;
  readonly events: RouterEvents;
  /** Per-send timeout. */
  readonly sendTimeoutMs: number;
  /** Aborted when the router stops; undefined while it is stopped. */
  signal(): AbortSignal | undefined;
  /** Counts a refusal by reason and tells the `dropped` listeners. */
  drop(reason: string, fields?: DropFields): 'dropped';
  /** Runs a task in the background; stop() waits for it, a failure is logged. */
  track(p: Promise<unknown>): void;
}
