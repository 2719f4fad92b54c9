/**
 * HTTP sessions of the firmware's HTTP API: one PhoneAPI client (DeviceHttpClient) per session, so two web clients
 * (two operators' browsers) each get their own handshake and queue instead of taking each other's FromRadio, as the
 * firmware's single `webAPI` would have them. HTTP has no connection to hold a session, and the web client sends no
 * cookie across origins, so a session is what the host names it (runtime/api keys it by the client's address).
 *
 * Bounded: at most `max` sessions; a new one beyond that ends the least recently used. A session that made no
 * request for `idleMs` (the firmware's 15 min API idle timeout; an open web client polls every 3 s) is ended when the
 * next request comes, so a closed browser tab holds nothing for long. Ending a session detaches its client: what it
 * had not read goes back to the service's backlog when no other client is connected.
 */
import { API_IDLE_TIMEOUT_MS, type DeviceService } from './device-service.js';
import { DeviceHttpClient } from './http-client.js';

export interface DeviceHttpSessionsOptions {
  /** Milliseconds (the service's clock); default Date.now. */
  now?: () => number;
  /** Default API_IDLE_TIMEOUT_MS. */
  idleMs?: number;
  /** Default 8, as the TCP API's client limit. */
  max?: number;
}

export class DeviceHttpSessions {
  private readonly sessions = new Map<string, { client: DeviceHttpClient; lastSeen: number }>();
  /** Sessions ended for idleness or to make room, since start. */
  readonly stats = { started: 0, idle: 0, evicted: 0 };

  constructor(private readonly service: DeviceService, private readonly options: DeviceHttpSessionsOptions = {}) {}

  get size(): number {
    return this.sessions.size;
  }

  /** The session's client (made on first use, made again after the service restarted). */
  client(key: string): DeviceHttpClient {
    const now = (this.options.now ?? Date.now)();
    this.expire(now);
    let s = this.sessions.get(key);
    if (s && s.client.api.closed) {
      this.sessions.delete(key);
      s = undefined;
    }
    if (!s) {
      if (this.sessions.size >= (this.options.max ?? 8)) this.evictOldest();
      s = { client: new DeviceHttpClient(this.service), lastSeen: now };
      this.stats.started++;
    }
    s.lastSeen = now;
    // Map order is recency order: the first entry is the least recently used.
    this.sessions.delete(key);
    this.sessions.set(key, s);
    return s.client;
  }

  /** Ends every session (the host stops serving). */
  clear(): void {
    for (const s of this.sessions.values()) this.service.detach(s.client.api);
    this.sessions.clear();
  }

  private expire(now: number): void {
    const idleMs = this.options.idleMs ?? API_IDLE_TIMEOUT_MS;
    for (const [key, s] of this.sessions) {
      if (now - s.lastSeen <= idleMs) continue;
      this.service.detach(s.client.api);
      this.sessions.delete(key);
      this.stats.idle++;
    }
  }

  private evictOldest(): void {
    const first = this.sessions.entries().next();
    if (first.done) return;
    const [key, s] = first.value;
    this.service.detach(s.client.api);
    this.sessions.delete(key);
    this.stats.evicted++;
  }
}
