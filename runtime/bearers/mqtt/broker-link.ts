/**
 * One broker of an MQTT gateway: its own client, its own bounded queue and its own pace, so a broker that is down or
 * slow never holds up another broker or the radio (issue 17 "Several brokers"):
 * - publish() only queues and returns at once; the queue holds `queue` messages and drops the oldest when full
 *   (lattice_mqtt_dropped_total{reason="queue-full"}), as firmware MQTT.cpp onSend ("MQTT queue is full, discard
 *   oldest") but configurable and counted;
 * - after every (re)connect the whole queue drains, within the rate limit (the firmware sends one queued message per
 *   reconnect: not copied), QoS 1 by default so a message counts as sent only once the broker has it (a message
 *   in flight when the connection drops goes back to the front of the queue);
 * - reconnects on our own timer with back-off doubling from 1 s to at most 30 s, asking for fresh credentials each
 *   time (a MeshCore broker's login token expires).
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Clock } from '../../../lib/clock/clock.js';
import { timersOf, type CancelTimer, type TimerClock } from '../../../lib/clock/timer-clock.js';
import type { Logger } from '../../log/logger.js';
import type { LinkMetrics } from './link-metrics.js';

export const MAX_BACKOFF_MS = 30_000;
export const MIN_BACKOFF_MS = 1_000;
/** Publishes awaiting the broker's PUBACK at once. */
const WINDOW = 16;
/** Larger than any envelope a gateway makes (a MeshPacket is at most 255 B on air); a broker's limit is far above. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

export interface LinkCredentials {
  username?: string;
  password?: string;
}

export interface BrokerLinkOptions {
  /** The bearer's name, for logs. */
  name: string;
  url: string;
  clientId: string;
  /** Fixed credentials, or a function asked before each connection attempt (a signed token). */
  credentials?: LinkCredentials | (() => Promise<LinkCredentials>);
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean };
  /** Bound of the queue; default 256. */
  queue?: number;
  rateLimit?: { perSecond: number; burst: number };
  /** QoS of what we publish; default 1. */
  qos?: 0 | 1;
  keepaliveSeconds?: number;
  /** Last Will (MeshCore observers announce "offline" so). */
  will?: { topic: string; payload: Uint8Array; retain: boolean };
  /** Topics to subscribe to after each connect (QoS 1, as MQTT.cpp sendSubscriptions). */
  subscriptions?: () => string[];
  onMessage?: (topic: string, payload: Uint8Array) => void;
  /** After each connect, before the queue drains (a status message goes first). */
  onConnect?: () => void;
  clock: Clock;
  log: Logger;
  metrics: LinkMetrics;
  /** Back-off bounds (tests). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

interface Message {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

export interface LinkStatus {
  broker: string;
  connected: boolean;
  queued: number;
  inFlight: number;
  nextAttemptInMs?: number;
  lastError?: string;
}

/** The broker URL without credentials, for logs and status. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(unparsable url)';
  }
}

export class BrokerLink {
  private readonly queue: Message[] = [];
  private readonly inFlight = new Set<Message>();
  private readonly bound: number;
  private readonly timers: TimerClock;
  private client?: MqttClient;
  /** Bumped with every connection, so callbacks of an old one are ignored. */
  private generation = 0;
  private running = false;
  private connected = false;
  private backoffMs: number;
  private retry?: CancelTimer;
  private retryAt?: number;
  private paceTimer?: CancelTimer;
  private tokens: number;
  private tokensAt: number;
  private lastError?: string;
  private errorsLogged = 0;

  constructor(private readonly o: BrokerLinkOptions) {
    this.bound = o.queue ?? 256;
    this.timers = timersOf(o.clock);
    this.backoffMs = o.minBackoffMs ?? MIN_BACKOFF_MS;
    this.tokens = o.rateLimit?.burst ?? 0;
    this.tokensAt = o.clock.now();
    new URL(o.url); // a TypeError on a bad URL, before any I/O
  }

  get isConnected(): boolean {
    return this.connected;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.attempt();
  }

  /** Stops; `farewell` is published first when connected (a MeshCore observer's offline status), waiting at most
   * `farewellMs` for the broker to take it: a clean DISCONNECT does not fire the Last Will. */
  async stop(options: { farewell?: { topic: string; payload: Uint8Array }; farewellMs?: number } = {}): Promise<void> {
    if (!this.running) return;
    const client = this.client;
    if (options.farewell && client && this.connected) {
      const { topic, payload } = options.farewell;
      await new Promise<void>((resolve) => {
        const cancel = this.timers.setTimer(options.farewellMs ?? 2000, resolve, { name: 'mqtt-farewell' });
        client.publish(topic, Buffer.from(payload), { qos: this.o.qos ?? 1, retain: false }, () => {
          cancel();
          resolve();
        });
      });
    }
    this.running = false;
    this.retry?.();
    this.paceTimer?.();
    this.retry = this.paceTimer = undefined;
    this.generation++;
    this.requeueInFlight();
    this.client = undefined;
    this.setConnected(false);
    if (client) await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
  }

  /** Queues a message for the broker; never waits. An oversize message is refused and counted. */
  publish(topic: string, payload: Uint8Array, options: { retain?: boolean } = {}): void {
    if (payload.length > MAX_MESSAGE_BYTES) {
      this.o.metrics.dropped('oversize');
      return;
    }
    this.queue.push({ topic, payload: Buffer.from(payload), retain: options.retain ?? false });
    this.trim();
    this.o.metrics.queued(this.queue.length);
    this.pump();
  }

  status(): LinkStatus {
    return {
      broker: redactUrl(this.o.url),
      connected: this.connected,
      queued: this.queue.length,
      inFlight: this.inFlight.size,
      ...(this.retryAt !== undefined ? { nextAttemptInMs: Math.max(0, this.retryAt - this.o.clock.now()) } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  // ---- connection ------------------------------------------------------------------------------------------

  private async attempt(): Promise<void> {
    this.retry = this.retryAt = undefined;
    if (!this.running) return;
    const gen = ++this.generation;
    let creds: LinkCredentials = {};
    try {
      creds = typeof this.o.credentials === 'function' ? await this.o.credentials() : (this.o.credentials ?? {});
    } catch (err) {
      this.onFailure(gen, err);
      return;
    }
    if (!this.running || gen !== this.generation) return;
    const t = this.o.tls;
    const options: IClientOptions = {
      clientId: this.o.clientId,
      ...(creds.username !== undefined ? { username: creds.username } : {}),
      ...(creds.password !== undefined ? { password: creds.password } : {}),
      clean: true,
      keepalive: this.o.keepaliveSeconds ?? 60,
      reconnectPeriod: 0, // ours: back-off capped at 30 s, fresh credentials each time
      connectTimeout: 10_000,
      queueQoSZero: false,
      ...(t ? { rejectUnauthorized: t.rejectUnauthorized, ...(t.ca ? { ca: t.ca } : {}), ...(t.cert ? { cert: t.cert } : {}), ...(t.key ? { key: t.key } : {}) } : {}),
      ...(this.o.will ? { will: { topic: this.o.will.topic, payload: Buffer.from(this.o.will.payload), qos: this.o.qos ?? 1, retain: this.o.will.retain } } : {}),
    };
    let client: MqttClient;
    try {
      client = connect(this.o.url, options);
    } catch (err) {
      this.onFailure(gen, err);
      return;
    }
    this.client = client;
    client.on('connect', () => this.onConnect(gen, client));
    client.on('close', () => this.onFailure(gen, this.lastError ?? 'connection closed'));
    client.on('error', (err) => {
      this.lastError = err.message;
      // While a broker is down every attempt fails: say it once per outage, then at debug.
      if (this.errorsLogged++ === 0) this.o.log.warn('mqtt broker error', { bearer: this.o.name, broker: redactUrl(this.o.url), err: err.message });
      else this.o.log.debug('mqtt broker error', { bearer: this.o.name, err: err.message });
    });
    client.on('message', (topic, payload) => {
      if (gen !== this.generation) return;
      try {
        this.o.onMessage?.(topic, new Uint8Array(payload.buffer, payload.byteOffset, payload.length));
      } catch (err) {
        this.o.log.warn('mqtt message handling failed', { bearer: this.o.name, topic, err: String(err) });
      }
    });
  }

  private onConnect(gen: number, client: MqttClient): void {
    if (gen !== this.generation || !this.running) return;
    this.setConnected(true);
    this.backoffMs = this.o.minBackoffMs ?? MIN_BACKOFF_MS;
    this.errorsLogged = 0;
    this.lastError = undefined;
    this.o.metrics.connects();
    this.o.log.info('mqtt broker connected', { bearer: this.o.name, broker: redactUrl(this.o.url), queued: this.queue.length });
    const topics = this.o.subscriptions?.() ?? [];
    if (topics.length > 0) {
      client.subscribe(Object.fromEntries(topics.map((t) => [t, { qos: 1 as const }])), (err) => {
        if (err && gen === this.generation) this.o.log.warn('mqtt subscribe failed', { bearer: this.o.name, err: err.message });
      });
    }
    try {
      this.o.onConnect?.();
    } catch (err) {
      this.o.log.warn('mqtt onConnect failed', { bearer: this.o.name, err: String(err) });
    }
    this.pump();
  }

  /** A failed attempt or a lost connection: everything in flight goes back to the queue; try again later. */
  private onFailure(gen: number, err: unknown): void {
    if (gen !== this.generation || !this.running) return;
    this.generation++;
    const was = this.connected;
    this.setConnected(false);
    this.requeueInFlight();
    this.lastError = err instanceof Error ? err.message : String(err);
    const client = this.client;
    this.client = undefined;
    client?.removeAllListeners('connect');
    client?.removeAllListeners('close');
    client?.on('error', () => undefined);
    client?.end(true);
    if (was) this.o.log.warn('mqtt broker disconnected', { bearer: this.o.name, broker: redactUrl(this.o.url), queued: this.queue.length });
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.o.maxBackoffMs ?? MAX_BACKOFF_MS, this.backoffMs * 2);
    this.retryAt = this.o.clock.now() + delay;
    this.retry = this.timers.setTimer(delay, () => void this.attempt(), { unref: true, name: 'mqtt-reconnect' });
  }

  private setConnected(up: boolean): void {
    this.connected = up;
    this.o.metrics.connected(up);
  }

  // ---- the queue -------------------------------------------------------------------------------------------

  /** The oldest messages go when the queue is over its bound. */
  private trim(): void {
    while (this.queue.length > this.bound) {
      this.queue.shift();
      this.o.metrics.dropped('queue-full');
    }
  }

  private requeueInFlight(): void {
    if (this.inFlight.size === 0) return;
    this.queue.unshift(...this.inFlight);
    this.inFlight.clear();
    this.trim();
    this.o.metrics.queued(this.queue.length);
  }

  /** Sends what the window and the rate limit allow; called again as PUBACKs come and tokens refill. */
  private pump(): void {
    const client = this.client;
    if (!client || !this.connected || this.paceTimer) return;
    const gen = this.generation;
    while (this.queue.length > 0 && this.inFlight.size < WINDOW) {
      const wait = this.takeToken();
      if (wait > 0) {
        this.paceTimer = this.timers.setTimer(wait, () => {
          this.paceTimer = undefined;
          this.pump();
        }, { unref: true, name: 'mqtt-rate' });
        return;
      }
      const m = this.queue.shift()!;
      this.inFlight.add(m);
      client.publish(m.topic, m.payload, { qos: this.o.qos ?? 1, retain: m.retain }, (err) => {
        if (gen !== this.generation || !this.inFlight.has(m)) return;
        this.inFlight.delete(m);
        if (err) {
          // The connection is going; onFailure puts the rest back, this one first.
          this.queue.unshift(m);
          this.trim();
        } else {
          this.o.metrics.published();
        }
        this.o.metrics.queued(this.queue.length);
        this.pump();
      });
    }
    this.o.metrics.queued(this.queue.length);
  }

  /** 0 when a token was taken, else the wait for the next one (token bucket; no limit without rateLimit). */
  private takeToken(): number {
    const r = this.o.rateLimit;
    if (!r) return 0;
    const now = this.o.clock.now();
    this.tokens = Math.min(r.burst, this.tokens + ((now - this.tokensAt) / 1000) * r.perSecond);
    this.tokensAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / r.perSecond) * 1000);
  }
}
