/**
 * Displacement from a single-client companion radio, and the back-off that stops a relay fighting for it.
 *
 * Meshtastic firmware serves one TCP client: when a new one connects, the old one is stopped ("Force close previous
 * TCP connection", APIServerPort::runOnce in src/mesh/api/ServerAPI.cpp); MeshCore's Wi-Fi companion does the same
 * (SerialWifiInterface). A relay that simply reconnects takes the radio back from the phone app within a second,
 * the app takes it back, and so on.
 *
 * What this side can observe: the radio closed our connection cleanly, with a FIN (LinkClosedByRemoteError from
 * runtime/links/tcp-link.ts), while the session was up or while its handshake ran (an app that reconnects at once
 * kicks us mid-handshake). A radio that reboots, loses power or drops off Wi-Fi sends no FIN: that ends in a reset or
 * a keepalive timeout and is an ordinary link loss. So a clean close counts as a displacement: one clear warning for
 * the first of a run, a counter, the bearer's status, and a growing wait before the next connect (5 s doubling to
 * 10 min, never shorter than stated: jitter only adds). A session that then stays up `stableMs` was a healthy
 * reconnect: the run ends and the back-off starts over.
 */
import type { Counter } from '../metrics/metrics.js';
import { closedCleanlyByRemote } from '../links/errors.js';
import type { RadioDisplacement } from '../bearer/radio-gateway.js';

export interface DisplacementPolicy {
  /** Wait after the first displacement of a run. */
  initialMs: number;
  /** Cap of the doubling wait. */
  maxMs: number;
  /** A session up this long ends a run of displacements (the back-off starts over). */
  stableMs: number;
}

export const DEFAULT_DISPLACEMENT_POLICY: DisplacementPolicy = { initialMs: 5_000, maxMs: 10 * 60_000, stableMs: 60_000 };

/** What a gateway shows in its status detail and its RadioInfo link (`displacement`): radio-gateway.ts. */
export type DisplacementDetail = RadioDisplacement;

export interface DisplacementLog {
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
}

export interface DisplacementInit {
  bearer: string;
  /** The radio (as configured, or the link's address), for the log line. */
  device: string | (() => string | undefined);
  policy?: Partial<DisplacementPolicy>;
  log: DisplacementLog;
  /** `lattice_<kind>_displaced_total{bearer}`. */
  counter?: Counter<'bearer'>;
  now?: () => number;
  random?: () => number;
}

export class Displacement {
  private readonly policy: DisplacementPolicy;
  private readonly now: () => number;
  private readonly random: () => number;
  private total = 0;
  private streak = 0;
  private upAt?: number;
  private lastAt?: number;
  private retryAt?: number;

  constructor(private readonly init: DisplacementInit) {
    this.policy = { ...DEFAULT_DISPLACEMENT_POLICY, ...init.policy };
    this.now = init.now ?? Date.now;
    this.random = init.random ?? Math.random;
  }

  /** A session is up (handshake done). */
  up(): void {
    this.upAt = this.now();
    this.retryAt = undefined;
  }

  /**
   * The connection closed with `why` (the link's close error), after the handshake or during it. Returns how long to
   * wait before connecting again when the radio displaced us, or undefined for any other loss (the gateway's ordinary
   * reconnect back-off applies).
   */
  ended(why: unknown): number | undefined {
    const now = this.now();
    this.settle(now);
    this.upAt = undefined;
    if (!closedCleanlyByRemote(why)) return undefined;
    this.total++;
    this.streak++;
    this.lastAt = now;
    this.init.counter?.inc({ bearer: this.init.bearer });
    const base = this.policy.initialMs * 2 ** Math.min(this.streak - 1, 30);
    const wait = Math.round(Math.min(this.policy.maxMs, base * (1 + 0.25 * this.random())));
    this.retryAt = now + wait;
    const fields = { bearer: this.init.bearer, device: this.device(), displacements: this.streak, retryInS: Math.round(wait / 1000) };
    if (this.streak === 1) {
      this.init.log.warn(
        `displaced from the radio: it closed our TCP session cleanly, as the firmware does when another client (phone app, web client, CLI) connects, since it serves one TCP client at a time. Backing off instead of taking the radio back: next try in ${Math.round(wait / 1000)} s, doubling up to ${Math.round(this.policy.maxMs / 60_000)} min while it keeps happening. Give the other app the radio over Bluetooth or USB, or this relay a radio of its own, to end it`,
        fields,
      );
    } else {
      this.init.log.info('displaced from the radio again; backing off', fields);
    }
    return wait;
  }

  detail(): DisplacementDetail {
    const now = this.now();
    this.settle(now);
    const backingOff = this.retryAt !== undefined && now < this.retryAt;
    return {
      total: this.total,
      streak: this.streak,
      backingOff,
      ...(this.lastAt !== undefined ? { lastAt: this.lastAt } : {}),
      ...(backingOff ? { retryAt: this.retryAt } : {}),
    };
  }

  /** A session that stayed up `stableMs` was a healthy reconnect: the run of displacements is over. */
  private settle(now: number): void {
    if (this.streak > 0 && this.upAt !== undefined && now - this.upAt >= this.policy.stableMs) {
      this.streak = 0;
      this.init.log.info('radio session healthy again; displacement back-off reset', { bearer: this.init.bearer, device: this.device() });
    }
  }

  private device(): string | undefined {
    return typeof this.init.device === 'function' ? this.init.device() : this.init.device;
  }
}
