/**
 * A client's link to the air of `lattice sim air` (AIR-PROTOCOL.md) over TCP: connects, reads the air's lines,
 * writes requests, and when the link drops (or cannot be made) tries again with back-off: 250 ms doubling to 10 s,
 * back to 250 ms after a link that stayed up 5 s. Drops and reconnections are counted and reported, never thrown:
 * the relay that owns the radio goes on without an air until it is back.
 */
import { connect, type Socket } from 'node:net';
import { systemClock, type Clock } from '../../../lib/clock/clock.js';
import { encodeAirRequest, LineSplitter, parseAirEvent, type AirRequest } from './air-protocol.js';
import type { AirEvent, AirStats } from './shared-air.js';

/** A link whose unsent requests exceed this is reset (the air does not read). */
const MAX_UNSENT_BYTES = 1 << 20;
/** A link that stayed up this long counts as healthy: the next back-off starts from the beginning. */
const HEALTHY_MS = 5000;

export interface AirLinkInit {
  host: string;
  port: number;
  /** Back-off sleeps (tests pass a test clock). */
  clock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export type AirLinkEvent =
  | { type: 'connected'; reconnect: boolean }
  | { type: 'dropped'; reason: string }
  | { type: 'connect-failed'; reason: string; retryInMs: number };

export interface AirLinkStats {
  connected: boolean;
  /** Links made, the first one included. */
  connects: number;
  /** Links made again after one was lost or failed. */
  reconnects: number;
  /** Links lost after they were up. */
  drops: number;
  /** Attempts that did not connect. */
  connectFailures: number;
  /** Lines from the air that were not an event this client knows (counted, skipped). */
  ignoredLines: number;
  /** Events the consumer threw on (counted, the link goes on). */
  listenerErrors: number;
}

export class AirLink {
  readonly stats: AirLinkStats = { connected: false, connects: 0, reconnects: 0, drops: 0, connectFailures: 0, ignoredLines: 0, listenerErrors: 0 };
  private socket: Socket | undefined;
  private readonly ctl = new AbortController();
  private started = false;
  private readonly clock: Clock;
  private eventListener: (e: AirEvent | ({ op: 'stats' } & AirStats)) => void = () => undefined;
  private linkListeners: Array<(e: AirLinkEvent) => void> = [];
  private upListener: () => void = () => undefined;
  private ignoredListener: () => void = () => undefined;
  private downListener: () => void = () => undefined;

  constructor(private readonly init: AirLinkInit) {
    this.clock = init.clock ?? systemClock;
  }

  /** The air's lines, in order. */
  onEvent(fn: (e: AirEvent | ({ op: 'stats' } & AirStats)) => void): void {
    this.eventListener = fn;
  }

  /** The link came up (after `connected` was reported) / went down. */
  onUp(fn: () => void): void {
    this.upListener = fn;
  }
  onDown(fn: () => void): void {
    this.downListener = fn;
  }

  /** A line from the air was ignored (not an event this client knows, or too long). */
  onIgnoredLine(fn: () => void): void {
    this.ignoredListener = fn;
  }

  /** Connections, drops and failed attempts, for logs and metrics. */
  onLinkEvent(fn: (e: AirLinkEvent) => void): void {
    this.linkListeners.push(fn);
  }

  get connected(): boolean {
    return this.stats.connected;
  }

  /** Starts connecting (and keeps the link up) until stop(). */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.run();
  }

  /** Sends a request when the link is up; returns false (nothing sent) when it is down. */
  send(r: AirRequest): boolean {
    const s = this.socket;
    if (!s || !this.stats.connected || s.destroyed) return false;
    if (s.writableLength > MAX_UNSENT_BYTES) {
      s.destroy(new Error('the air does not read'));
      return false;
    }
    s.write(`${encodeAirRequest(r)}\n`);
    return true;
  }

  async stop(): Promise<void> {
    this.ctl.abort();
    this.socket?.destroy();
  }

  private emit(e: AirLinkEvent): void {
    for (const fn of this.linkListeners) {
      try {
        fn(e);
      } catch {
        // a listener's failure is not the link's
      }
    }
  }

  private async run(): Promise<void> {
    const initial = this.init.initialBackoffMs ?? 250;
    const max = this.init.maxBackoffMs ?? 10_000;
    let delay = initial;
    let everUp = false;
    const signal = this.ctl.signal;
    while (!signal.aborted) {
      const socket = connect({ host: this.init.host, port: this.init.port });
      socket.setNoDelay(true);
      const up = await new Promise<true | string>((resolve) => {
        socket.once('connect', () => resolve(true));
        socket.once('error', (err) => resolve(err.message));
      });
      if (up === true && !signal.aborted) {
        const since = this.clock.now();
        this.socket = socket;
        this.stats.connected = true;
        this.stats.connects++;
        if (everUp || this.stats.connectFailures > 0) this.stats.reconnects++;
        this.emit({ type: 'connected', reconnect: everUp || this.stats.connectFailures > 0 });
        everUp = true;
        const reason = await this.serve(socket);
        this.socket = undefined;
        this.stats.connected = false;
        if (signal.aborted) return;
        this.stats.drops++;
        this.emit({ type: 'dropped', reason });
        this.downListener();
        if (this.clock.now() - since >= HEALTHY_MS) delay = initial;
      } else {
        socket.destroy();
        if (signal.aborted) return;
        this.stats.connectFailures++;
        this.emit({ type: 'connect-failed', reason: up === true ? 'stopped' : up, retryInMs: delay });
      }
      try {
        await this.clock.sleep(delay, { signal });
      } catch {
        return;
      }
      delay = Math.min(delay * 2, max);
    }
  }

  /** Reads the air's lines until the link closes; resolves with why. */
  private serve(socket: Socket): Promise<string> {
    return new Promise((resolve) => {
      let why = 'closed by the air';
      const lines = new LineSplitter(
        (line) => {
          const e = parseAirEvent(line);
          if (!e) {
            this.stats.ignoredLines++;
            this.ignoredListener();
            return;
          }
          try {
            this.eventListener(e);
          } catch {
            // The consumer's bug must not take the link (or the process, from a socket callback) down.
            this.stats.listenerErrors++;
          }
        },
        () => {
          this.stats.ignoredLines++;
          this.ignoredListener();
        },
      );
      socket.on('data', (chunk: Buffer) => lines.push(chunk));
      socket.on('error', (err) => (why = err.message));
      socket.once('close', () => resolve(why));
      this.upListener();
    });
  }
}
