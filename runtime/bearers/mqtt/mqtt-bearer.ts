/**
 * The MQTT bearer: relays exchange frames through a broker (internet backhaul, or a LAN broker between sites).
 * Mode `async`: `accepted` means the broker acknowledged the QoS 1 publish (PUBACK), not that the peer got it;
 * the router waits for the recipient's delivery bloom.
 *
 * Topics are in topics.ts / TOPICS.md. Every frame travels in a signed envelope (envelope.ts); presence is a
 * retained signed advert with a Last Will saying "offline" (presence.ts). canReach(peer) is true while connected
 * and the peer's newest presence says online. Reconnection is MQTT.js's; while disconnected every send is
 * `unreachable`.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { BROADCAST, type Bearer, type BearerEvents, type BearerStatus, type OutFrame, type PeerId, type SendResult } from '../../bearer/bearer.js';
import type { BearerFactory } from '../../bearer/bearer-kind.js';
import type { Identity } from '../../identity/identity.js';
import { nodeIdFromHex } from '../../identity/identity.js';
import { createLogger, type Logger } from '../../log/logger.js';
import type { Metrics } from '../../metrics/metrics.js';
import { VERSION } from '../../version.js';
import { MAX_FRAME_BYTES } from '../../wire/frame-codec.js';
import { TypedEmitter } from '../../../lib/events/typed-emitter.js';
import { openEnvelope, sealEnvelope } from './envelope.js';
import { MqttDecodeError, MqttSendAbortError } from './errors.js';
import { MqttMetrics } from './mqtt-metrics.js';
import { openPresence, signPresence, type Presence } from './presence.js';
import { topics, type Topics } from './topics.js';

export interface MqttBearerOptions {
  identity: Identity;
  /** Broker URL: mqtt://, mqtts://, ws://, wss://. */
  url: string;
  /** Topic prefix; default `lattice`. */
  prefix?: string;
  username?: string;
  password?: string;
  /** TLS beyond the scheme: a private CA, a client certificate (mqtt-config.ts `tls`). */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean };
  /** Default `lattice-<shortId>`: stable, so broker ACLs can name it, and a second copy of a relay takes over. */
  clientId?: string;
  /** Bearer name; default `mqtt`. */
  name?: string;
  /** Delay between reconnect attempts; default 5 s. */
  reconnectPeriodMs?: number;
  /** How long a publish may wait for the broker's PUBACK before the send counts as unreachable; default 10 s. */
  publishTimeoutMs?: number;
  /** MQTT keepalive; default 30 s. */
  keepaliveSeconds?: number;
  maxFrameBytes?: number;
  log?: Logger;
  metrics?: Metrics;
}

interface PeerPresence {
  presence: Presence;
  /** Online as far as this session knows (cleared when we lose the broker). */
  online: boolean;
}

/** The broker URL without credentials, for logs and status. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(unparsable url)';
  }
}

export class MqttBearer implements Bearer {
  readonly name: string;
  readonly mode = 'async' as const;
  readonly metrics: MqttMetrics;
  private state: BearerStatus['state'] = 'stopped';
  private readonly identity: Identity;
  private readonly topics: Topics;
  private readonly maxFrameBytes: number;
  private readonly log: Logger;
  private readonly listeners: TypedEmitter<BearerEvents>;
  private readonly peers = new Map<string, PeerPresence>();
  /** Resolvers of publishes waiting for PUBACK, settled `unreachable` when the connection drops. */
  private readonly pending = new Map<(result: SendResult | Error) => void, PeerId>();
  private client?: MqttClient;
  private lastSeq = 0;
  private onlineAdvert?: Uint8Array;
  private willAdvert?: Uint8Array;
  private errorsLogged = 0;
  private removePeerSource?: () => void;

  constructor(private readonly options: MqttBearerOptions) {
    this.name = options.name ?? 'mqtt';
    this.identity = options.identity;
    this.topics = topics(options.prefix ?? 'lattice');
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.log = options.log ?? createLogger(this.name);
    this.metrics = new MqttMetrics(options.metrics);
    this.listeners = new TypedEmitter<BearerEvents>({ onListenerError: (err, event) => this.log.warn('listener threw', { event, err: String(err) }) });
    const u = new URL(options.url); // throws TypeError on a bad URL, before any I/O
    if (!['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'ssl:'].includes(u.protocol)) {
      throw new RangeError(`MQTT url ${redact(options.url)}: unsupported scheme ${u.protocol}`);
    }
  }

  /** Starts connecting; resolves at once (the broker may be down: MQTT.js keeps trying, sends are unreachable). */
  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    this.removePeerSource = this.options.metrics?.addPeerSource(() => ({ [this.name]: this.status().peers.length }));
    this.prepareSession();
    const o = this.options;
    const clientOptions: IClientOptions = {
      clientId: o.clientId ?? `lattice-${this.identity.shortId}`,
      username: o.username,
      password: o.password,
      clean: true,
      keepalive: o.keepaliveSeconds ?? 30,
      reconnectPeriod: o.reconnectPeriodMs ?? 5000,
      connectTimeout: 10_000,
      resubscribe: true,
      // Frames are not queued behind a dead connection: send() says unreachable and the router keeps custody.
      queueQoSZero: false,
      will: { topic: this.topics.advert(this.identity.nodeIdHex), payload: Buffer.from(this.willAdvert!), qos: 1, retain: true },
      ...(o.tls ? { rejectUnauthorized: o.tls.rejectUnauthorized, ...(o.tls.ca ? { ca: o.tls.ca } : {}), ...(o.tls.cert ? { cert: o.tls.cert } : {}), ...(o.tls.key ? { key: o.tls.key } : {}) } : {}),
    };
    const client = connect(o.url, clientOptions);
    this.client = client;
    client.on('connect', () => this.onConnect(client));
    client.on('close', () => this.onClose());
    client.on('reconnect', () => {
      // A fresh Last Will for every session: its sequence must lie above this session's "online" advert.
      this.prepareSession();
      client.options.will = { ...client.options.will!, payload: Buffer.from(this.willAdvert!) };
    });
    client.on('error', (err) => {
      // While the broker is down MQTT.js fails every reconnect attempt: say it once per outage, then at debug.
      if (this.errorsLogged++ === 0) this.log.warn('mqtt error', { broker: redact(o.url), err: String(err) });
      else this.log.debug('mqtt error', { broker: redact(o.url), err: String(err) });
    });
    client.on('message', (topic, payload) => this.onMessage(topic, new Uint8Array(payload.buffer, payload.byteOffset, payload.length)));
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const client = this.client;
    this.client = undefined;
    const wasConnected = client?.connected === true;
    this.state = 'stopped';
    for (const [settle, peer] of this.pending) settle(new MqttSendAbortError(peer));
    this.pending.clear();
    if (client) {
      if (wasConnected && this.willAdvert) {
        // A clean goodbye: the broker does not fire the Will on a normal DISCONNECT, so say "offline" ourselves.
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 2000);
          client.publish(this.topics.advert(this.identity.nodeIdHex), Buffer.from(this.willAdvert!), { qos: 1, retain: true }, () => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
    }
    this.dropAllPeers();
    this.metrics.connected(false);
    this.removePeerSource?.();
    this.removePeerSource = undefined;
  }

  canReach(peer: PeerId): boolean {
    if (!this.client?.connected || this.state !== 'up') return false;
    if (peer === BROADCAST) {
      for (const p of this.peers.values()) if (p.online) return true;
      return false;
    }
    return this.peers.get(peer)?.online === true;
  }

  async send(frame: OutFrame, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    const { signal } = options;
    signal?.throwIfAborted();
    const client = this.client;
    if (!client?.connected || this.state !== 'up') return 'unreachable';
    if (frame.bytes.length > this.maxFrameBytes) {
      this.metrics.rejected('oversize-out');
      return 'unreachable';
    }
    let topic: string;
    let recipient: Uint8Array | undefined;
    if (frame.peer === BROADCAST) {
      topic = this.topics.broadcast;
    } else {
      const id = nodeIdFromHex(frame.peer);
      const p = this.peers.get(frame.peer);
      if (!id || !p?.online) return 'unreachable';
      if (frame.bytes.length > p.presence.maxFrameBytes) return 'unreachable';
      recipient = id;
      topic = this.topics.inbox(frame.peer);
    }
    const payload = Buffer.from(sealEnvelope(this.identity, recipient, frame.bytes));
    this.log.frame('tx', frame.bytes, { to: frame.peer === BROADCAST ? 'broadcast' : frame.peer.slice(0, 12) });
    const result = await new Promise<SendResult | Error>((resolve) => {
      let settled = false;
      const settle = (r: SendResult | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(settle);
        resolve(r);
      };
      const timeoutMs = this.options.publishTimeoutMs ?? 10_000;
      const timer = setTimeout(() => settle('unreachable'), timeoutMs);
      const onAbort = () => settle(new MqttSendAbortError(frame.peer, { cause: signal?.reason }));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(settle, frame.peer);
      client.publish(topic, payload, { qos: 1, retain: false }, (err) => settle(err ? 'unreachable' : 'accepted'));
    });
    if (result instanceof Error) throw result;
    if (result === 'accepted') this.metrics.frameOut();
    return result;
  }

  on<E extends keyof BearerEvents>(event: E, listener: BearerEvents[E]): () => void {
    return this.listeners.on(event, listener);
  }

  status(): BearerStatus {
    const online = [...this.peers.entries()].filter(([, p]) => p.online).map(([id]) => id);
    return {
      name: this.name,
      kind: 'mqtt',
      mode: this.mode,
      state: this.state,
      peers: online,
      detail: {
        broker: redact(this.options.url),
        prefix: this.options.prefix ?? 'lattice',
        clientId: this.client?.options.clientId,
        connected: this.client?.connected === true,
        peers: [...this.peers.values()].map((p) => ({
          nodeId: p.presence.nodeIdHex,
          online: p.online,
          announcedOnline: p.presence.online,
          version: p.presence.version,
          maxFrameBytes: p.presence.maxFrameBytes,
        })),
        counters: { ...this.metrics.counters },
      },
    };
  }

  // ---- session -------------------------------------------------------------------------------------------

  /** Signs this session's "online" advert (sequence S) and its Last Will "offline" (S+1). */
  private prepareSession(): void {
    const base = Math.max(Date.now(), this.lastSeq + 1);
    this.lastSeq = base + 1;
    const common = { maxFrameBytes: this.maxFrameBytes, version: VERSION };
    this.onlineAdvert = signPresence(this.identity, { ...common, seq: base, online: true });
    this.willAdvert = signPresence(this.identity, { ...common, seq: base + 1, online: false });
  }

  private onConnect(client: MqttClient): void {
    if (this.client !== client) return;
    this.metrics.connect();
    this.metrics.connected(true);
    this.errorsLogged = 0;
    this.log.info('mqtt connected', { broker: redact(this.options.url) });
    const me = this.identity.nodeIdHex;
    client.subscribe(
      { [this.topics.inbox(me)]: { qos: 1 }, [this.topics.broadcast]: { qos: 1 }, [this.topics.allAdverts]: { qos: 1 } },
      (err) => {
        if (err) {
          this.log.warn('mqtt subscribe failed', { err: String(err) });
          return;
        }
        if (this.client !== client || !client.connected) return;
        this.state = 'up';
        client.publish(this.topics.advert(me), Buffer.from(this.onlineAdvert!), { qos: 1, retain: true }, (e) => {
          if (e) this.log.warn('mqtt presence publish failed', { err: String(e) });
        });
      },
    );
  }

  private onClose(): void {
    if (this.state === 'stopped') return;
    if (this.state === 'up') this.log.warn('mqtt disconnected', { broker: redact(this.options.url) });
    this.state = 'down';
    this.metrics.connected(false);
    for (const settle of [...this.pending.keys()]) settle('unreachable');
    this.pending.clear();
    this.dropAllPeers();
  }

  private dropAllPeers(): void {
    for (const [id, p] of this.peers) {
      if (!p.online) continue;
      p.online = false;
      this.listeners.emit('peer', { bearer: this.name, peer: id, up: false });
    }
    this.metrics.peers(0);
  }

  // ---- receiving -----------------------------------------------------------------------------------------

  private onMessage(topic: string, payload: Uint8Array): void {
    if (this.state === 'stopped') return;
    const t = this.topics.parse(topic);
    if (!t) return;
    try {
      if (t.kind === 'advert') this.onPresence(t.nodeIdHex, payload);
      else this.onFrame(t.kind === 'broadcast', payload);
    } catch (err) {
      if (!(err instanceof MqttDecodeError)) {
        this.metrics.rejected('internal');
        this.log.warn('mqtt message handling failed', { topic, err: String(err) });
        return;
      }
      this.metrics.rejected(err.reason);
      this.log.debug('mqtt message rejected', { topic, reason: err.reason });
    }
  }

  private onFrame(broadcast: boolean, payload: Uint8Array): void {
    if (payload.length > this.maxFrameBytes + 200) throw new MqttDecodeError('oversize', `payload of ${payload.length} bytes`);
    const env = openEnvelope(payload);
    if (env.senderHex === this.identity.nodeIdHex) {
      if (broadcast) return; // our own broadcast, echoed by the broker
      throw new MqttDecodeError('wrong-recipient', 'a frame from ourselves in our inbox');
    }
    if (broadcast ? env.recipientHex !== undefined : env.recipientHex !== this.identity.nodeIdHex) {
      throw new MqttDecodeError('wrong-recipient', `frame for ${env.recipientHex ?? 'broadcast'} on the wrong topic`);
    }
    if (env.frame.length > this.maxFrameBytes) throw new MqttDecodeError('oversize', `frame of ${env.frame.length} bytes`);
    this.metrics.frameIn();
    this.log.frame('rx', env.frame, { from: env.senderHex.slice(0, 12) });
    this.listeners.emit('frame', { bearer: this.name, from: env.senderHex, bytes: env.frame });
  }

  private onPresence(topicNodeHex: string, payload: Uint8Array): void {
    if (payload.length === 0) return; // a retained advert being cleared
    const presence = openPresence(payload);
    if (presence.nodeIdHex !== topicNodeHex) throw new MqttDecodeError('topic-mismatch', 'presence of one node on another node\'s topic');
    if (presence.nodeIdHex === this.identity.nodeIdHex) {
      this.onOwnPresence(presence);
      return;
    }
    const known = this.peers.get(presence.nodeIdHex);
    if (known) {
      if (presence.seq < known.presence.seq) throw new MqttDecodeError('replayed', 'older presence');
      if (presence.seq === known.presence.seq && Buffer.compare(presence.bytes, known.presence.bytes) !== 0) {
        throw new MqttDecodeError('replayed', 'two presences with one sequence');
      }
    } else if (this.peers.size >= 4096) {
      return;
    }
    const entry = known ?? { presence, online: false };
    entry.presence = presence;
    this.peers.set(presence.nodeIdHex, entry);
    if (presence.online !== entry.online) {
      entry.online = presence.online;
      this.metrics.peers([...this.peers.values()].filter((p) => p.online).length);
      this.listeners.emit('peer', { bearer: this.name, peer: presence.nodeIdHex, up: presence.online });
    }
  }

  /** The broker's retained advert for us is not our current one (a late Will of an old session after a
   * takeover, say): put ours back so relays subscribing later see us online. */
  private onOwnPresence(presence: Presence): void {
    const client = this.client;
    if (!client?.connected || this.state !== 'up' || !this.onlineAdvert) return;
    if (Buffer.compare(presence.bytes, this.onlineAdvert) === 0) return;
    if (presence.seq >= this.lastSeq - 1) {
      // An advert of ours from the future: this clock went backwards since an earlier run. Move above it; the
      // Will already lodged with the broker stays below, so until the next reconnect a crash goes unannounced.
      this.lastSeq = presence.seq;
      this.prepareSession();
    }
    client.publish(this.topics.advert(this.identity.nodeIdHex), Buffer.from(this.onlineAdvert), { qos: 1, retain: true }, () => {});
  }
}

/** What an MQTT bearer is (broker, prefix, credentials, the identity it speaks for); the components give the rest. */
export type MqttInit = Omit<MqttBearerOptions, 'log' | 'metrics'>;

/** The MQTT bearer in the house shape, `mqttBearer(init)(components)`; no I/O until start(). */
export function mqttBearer(init: MqttInit): BearerFactory<MqttBearer> {
  return (components) => new MqttBearer({ ...init, log: components.logger.forComponent(init.name ?? 'mqtt'), ...(components.metrics ? { metrics: components.metrics } : {}) });
}
