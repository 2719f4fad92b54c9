/**
 * A client session with a radio running Meshtastic firmware over a ByteLink (USB serial, TCP 4403), the way the
 * official apps and the Python CLI drive it (firmware src/mesh/PhoneAPI.cpp, StreamAPI.cpp).
 *
 * start(): wake bytes, `want_config_id = <random nonce>`, then the firmware streams my_info, deviceuiConfig, own
 * node_info, metadata, 8 × channel, config × N, moduleConfig × N, other node_infos, fileInfo × N and finally
 * `config_complete_id = nonce` (PhoneAPI::getFromRadio; "client apps ASSUME THIS SEQUENCE"). Then packets flow.
 * A `rebooted` frame (StreamAPI::emitRebooted) restarts the handshake. Heartbeats keep the firmware's 15-minute
 * API idle timeout (SerialConsole.cpp, ServerAPI.cpp) away.
 */
import type { ByteLink } from '../framing/byte-link.js';
import { MeshtasticStreamDecoder, STREAM_WAKE_BYTES, encodeStreamFrame } from '../framing/meshtastic-stream.js';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import { DeliveryTracker } from './delivery-tracker.js';
import { TypedEmitter, warnListenerError } from '../../lib/events/typed-emitter.js';
import {
  MeshtasticHandshakeTimeoutError,
  MeshtasticLinkLostError,
  MeshtasticMissingPublicKeyError,
  MeshtasticNotReadyError,
  MeshtasticPayloadTooLargeError,
} from './errors.js';
import {
  HOP_MAX,
  SPECIAL_NONCE_ONLY_CONFIG,
  SPECIAL_NONCE_ONLY_NODES,
  dataFits,
  decodeFromRadio,
  disconnectToRadio,
  heartbeatToRadio,
  isBroadcast,
  randomPacketId,
  wantConfigToRadio,
  type MeshPacket,
} from './messages.js';
import { NodeDb } from './node-db.js';
import { maxPayloadBytes } from './payload-limits.js';
import { NODENUM_BROADCAST, nodeIdString } from './node-id.js';
import { Outbox, type SendAccepted } from './outbox.js';
import { RadioConfig } from './radio-config.js';
import type { ChannelInfo, DeviceInfo, ReceivedMessage, SendDataOptions, SendTextOptions, SessionEvents, SessionOptions, SessionState, SessionStats } from './session-types.js';
import { delay, createWaiter } from './wait.js';
import { every, systemClock, type Clock } from '../../lib/clock/clock.js';

export type {
  ChannelInfo,
  DeviceInfo,
  ReceivedMessage,
  SendDataOptions,
  SendTextOptions,
  SessionEvents,
  SessionOptions,
  SessionState,
  SessionStats,
} from './session-types.js';

export class MeshtasticSession {
  readonly nodes = new NodeDb();
  readonly stats: SessionStats = { framesIn: 0, framesOut: 0, decodeErrors: 0, logBytes: 0, discardedBytes: 0, rateLimitWaits: 0, rateLimitRejected: 0, handshakes: 0 };
  private readonly emitter = new TypedEmitter<SessionEvents>({
    // A listener's bug becomes the session's 'error' event; one in an 'error' listener only a warning (re-emitting
    // it would recurse without end).
    onListenerError: (err, event) => (event === 'error' ? warnListenerError(err, event) : this.emitter.emit('error', err as Error)),
  });
  private readonly link: ByteLink;
  private readonly decoder = new MeshtasticStreamDecoder();
  private readonly outbox: Outbox;
  private readonly delivery = new DeliveryTracker();
  private readonly opts: Required<Omit<SessionOptions, 'hopLimit' | 'link' | 'clock' | 'timeouts'>> & { hopLimit?: number };
  private readonly clock: Clock;
  private readonly timeouts: Clock;
  private stateValue: SessionState = 'idle';
  private unsubscribe: (() => void)[] = [];
  private logLine = '';
  private handshake?: { nonce: number; received: number; offer(f: Mesh.FromRadio): void };
  private readonly radio = new RadioConfig();
  private stopController = new AbortController();

  constructor(options: SessionOptions) {
    this.link = options.link;
    const clock = (this.clock = options.clock ?? systemClock);
    this.timeouts = options.timeouts ?? clock;
    this.opts = {
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 30_000,
      heartbeatMs: options.heartbeatMs ?? 60_000,
      textIntervalMs: options.textIntervalMs ?? 2100,
      queueStatusTimeoutMs: options.queueStatusTimeoutMs ?? 10_000,
      barrierTimeoutMs: options.barrierTimeoutMs ?? 3000,
      hopLimit: options.hopLimit,
      random: options.random ?? Math.random,
      // Monotonic by default: a wall-clock step (NTP at boot on a board without RTC) must not stall the pacing.
      now: options.now ?? (options.clock ? () => clock.now() : () => performance.now()),
    };
    this.outbox = new Outbox({
      write: (b) => this.writeFrame(b),
      textIntervalMs: this.opts.textIntervalMs,
      queueStatusTimeoutMs: this.opts.queueStatusTimeoutMs,
      barrierTimeoutMs: this.opts.barrierTimeoutMs,
      fullPollMs: 2000,
      now: this.opts.now,
      clock,
      timeouts: this.timeouts,
      onRateLimitWait: () => this.stats.rateLimitWaits++,
      onRateLimitRejected: () => this.stats.rateLimitRejected++,
      onDead: (err) => void this.closeWith(new MeshtasticLinkLostError(this.link.description, { cause: err })),
    });
  }

  get state(): SessionState {
    return this.stateValue;
  }

  get description(): string {
    return this.link.description;
  }

  /** Packets waiting in this session's outbox (not yet accepted by the radio). */
  get outboxDepth(): number {
    return this.outbox.depth;
  }

  get radioQueue(): { free: number; maxlen: number } {
    return { ...this.outbox.lastQueueStatus };
  }

  on<E extends keyof SessionEvents>(event: E, listener: SessionEvents[E]): () => void {
    return this.emitter.on(event, listener);
  }

  deviceInfo(): DeviceInfo | undefined {
    return this.radio.deviceInfo(this.nodes, this.opts.hopLimit);
  }

  enabledChannels(): ChannelInfo[] {
    return this.radio.enabledChannels();
  }

  /** Opens the session: subscribes to the link and runs the handshake. Resolves once config is complete. */
  async start(options: { signal?: AbortSignal } = {}): Promise<DeviceInfo> {
    if (this.stateValue !== 'idle') throw new MeshtasticNotReadyError(this.link.description, this.stateValue);
    this.unsubscribe.push(this.link.onData((chunk) => this.onData(chunk)));
    this.unsubscribe.push(this.link.onClose((err) => void this.closeWith(new MeshtasticLinkLostError(this.link.description, { cause: err }))));
    // Wake a sleeping serial device and flush a half frame out of its parser (python stream_interface.py).
    await this.link.write(STREAM_WAKE_BYTES, options);
    await delay(100, 'the radio to wake up', options.signal, this.clock);
    const info = await this.runHandshake(options.signal);
    every(this.clock, this.opts.heartbeatMs, () => {
      if (this.stateValue === 'ready') this.writeFrame(heartbeatToRadio()).catch(() => {});
    }, this.stopController.signal);
    return info;
  }

  /** Says goodbye to the radio (ToRadio.disconnect) and closes the link. */
  async stop(): Promise<void> {
    if (this.stateValue === 'closed') return;
    if (this.link.isOpen && this.stateValue === 'ready') {
      await this.writeFrame(disconnectToRadio()).catch(() => {});
    }
    await this.closeWith(undefined);
  }

  sendText(options: SendTextOptions): Promise<SendAccepted> {
    return this.sendData({ ...options, portnum: Portnums.PortNum.TEXT_MESSAGE_APP, payload: new TextEncoder().encode(options.text) });
  }

  sendData(options: SendDataOptions): Promise<SendAccepted> {
    if (this.stateValue !== 'ready') return Promise.reject(new MeshtasticNotReadyError(this.link.description, this.stateValue));
    const to = options.to === 'broadcast' ? NODENUM_BROADCAST : options.to >>> 0;
    const direct = !isBroadcast(to);
    if (direct && needsPki(options.portnum)) {
      const node = this.nodes.get(to);
      if (!node?.publicKey) return Promise.reject(new MeshtasticMissingPublicKeyError(nodeIdString(to)));
    }
    if (!dataFits(options.portnum, options.payload, direct && needsPki(options.portnum), options.replyId)) {
      return Promise.reject(new MeshtasticPayloadTooLargeError(options.payload.length, maxPayloadBytes(direct)));
    }
    const base = options.id ?? randomPacketId(this.opts.random);
    const hopLimit = Math.min(options.hopLimit ?? this.hopLimit(), HOP_MAX);
    return new Promise<SendAccepted>((resolve, reject) => {
      this.outbox.enqueue({
        packet: {
          from: this.radio.myNodeNum,
          to,
          channel: direct ? 0 : options.channel ?? 0,
          portnum: options.portnum,
          payload: options.payload,
          hopLimit,
          wantAck: options.wantAck ?? true,
          replyId: options.replyId,
        },
        idFor: (attempt) => (attempt === 0 ? base : deriveId(base, attempt)),
        signal: options.signal,
        resolve: (r) => {
          this.delivery.track(r.id, to);
          resolve(r);
        },
        reject,
      });
    });
  }

  /** Sends a keepalive now; the firmware answers with a QueueStatus (PhoneAPI.cpp, heartbeat nonce 0). */
  heartbeat(): Promise<void> {
    return this.writeFrame(heartbeatToRadio());
  }

  /** Delivery state of a packet we sent (undefined when unknown or evicted). */
  deliveryState(packetId: number): string | undefined {
    return this.delivery.state(packetId);
  }

  private hopLimit(): number {
    return this.radio.hopLimit(this.opts.hopLimit);
  }

  private async runHandshake(signal?: AbortSignal): Promise<DeviceInfo> {
    this.stateValue = 'configuring';
    this.outbox.pause();
    this.stats.handshakes++;
    let nonce = 0;
    while (nonce === 0 || nonce === SPECIAL_NONCE_ONLY_CONFIG || nonce === SPECIAL_NONCE_ONLY_NODES) {
      nonce = Math.floor(this.opts.random() * 0xffffffff) >>> 0;
    }
    this.radio.beginHandshake();
    const what = `config_complete_id ${nonce} from ${this.link.description}`;
    const signals = [this.stopController.signal, ...(signal ? [signal] : [])];
    const waiter = createWaiter<Mesh.FromRadio, true>(
      what,
      (f) => (f.payloadVariant.case === 'configCompleteId' && f.payloadVariant.value >>> 0 === nonce ? true : undefined),
      { timeoutMs: this.opts.handshakeTimeoutMs, signal: AbortSignal.any(signals), clock: this.timeouts },
    );
    const hs = { nonce, received: 0, offer: (f: Mesh.FromRadio) => { hs.received++; waiter.offer(f); } };
    this.handshake = hs;
    try {
      try {
        await this.writeFrame(wantConfigToRadio(nonce));
      } catch (err) {
        // Settle the wait too: left pending, it would reject unhandled when the link's close aborts it.
        waiter.fail(err as Error);
      }
      await waiter.promise;
    } catch (err) {
      // The link closing mid-handshake aborts the wait; say that, not merely "aborted".
      if (this.stopController.signal.aborted && !signal?.aborted) throw this.stopController.signal.reason as Error;
      if ((err as Error).name === 'MeshtasticTimeoutError') {
        throw new MeshtasticHandshakeTimeoutError(this.link.description, nonce, this.opts.handshakeTimeoutMs, hs.received);
      }
      throw err;
    } finally {
      if (this.handshake === hs) this.handshake = undefined;
    }
    if (this.stateValue !== 'configuring') throw new MeshtasticLinkLostError(this.link.description);
    this.stateValue = 'ready';
    const info = this.deviceInfo()!;
    this.outbox.resume();
    this.emitter.emit('ready', info);
    return info;
  }

  private async writeFrame(payload: Uint8Array): Promise<void> {
    const frame = encodeStreamFrame(payload);
    await this.link.write(frame);
    this.stats.framesOut++;
  }

  private onData(chunk: Uint8Array): void {
    const events = this.decoder.push(chunk);
    this.stats.discardedBytes = this.decoder.stats.discardedBytes;
    for (const e of events) {
      if (e.type === 'log') {
        this.stats.logBytes += e.bytes.length;
        this.onLogBytes(e.bytes);
        continue;
      }
      this.stats.framesIn++;
      let msg: Mesh.FromRadio;
      try {
        msg = decodeFromRadio(e.payload);
      } catch (err) {
        this.stats.decodeErrors++;
        this.emitter.emit('error', err as Error);
        continue;
      }
      this.onFromRadio(msg, performance.now());
    }
  }

  private onLogBytes(bytes: Uint8Array): void {
    this.logLine += Buffer.from(bytes).toString('latin1');
    let nl: number;
    while ((nl = this.logLine.indexOf('\n')) >= 0) {
      const line = this.logLine.slice(0, nl).replace(/\r$/, '');
      this.logLine = this.logLine.slice(nl + 1);
      if (line.trim()) this.emitter.emit('log', line);
    }
    // The console never sends an unbounded line; cap what we keep anyway.
    if (this.logLine.length > 1024) this.logLine = this.logLine.slice(-1024);
  }

  private onFromRadio(msg: Mesh.FromRadio, decodedAt: number): void {
    const v = msg.payloadVariant;
    this.radio.apply(msg);
    switch (v.case) {
      case 'nodeInfo': {
        const change = this.nodes.applyNodeInfo(v.value);
        this.emitter.emit('node', change);
        break;
      }
      case 'queueStatus':
        this.outbox.feedQueueStatus(v.value);
        this.emitter.emit('queueStatus', { free: v.value.free, maxlen: v.value.maxlen, res: v.value.res, meshPacketId: v.value.meshPacketId >>> 0 });
        break;
      case 'packet':
        this.onPacket(v.value, decodedAt);
        break;
      case 'rebooted':
        if (v.value) this.onRebooted();
        break;
      case 'clientNotification':
        this.emitter.emit('notification', v.value.message);
        break;
      case 'logRecord':
        this.emitter.emit('log', v.value.message);
        break;
      default:
        break;
    }
    this.handshake?.offer(msg);
  }

  private onPacket(p: MeshPacket, decodedAt: number): void {
    this.emitter.emit('packet', p);
    if (p.payloadVariant.case !== 'decoded') return; // still encrypted: a channel we have no key for
    const data = p.payloadVariant.value;
    const me = this.radio.myNodeNum;
    if (p.from >>> 0 !== me) this.nodes.touch(p.from, p.rxTime, p.rxSnr);
    switch (data.portnum) {
      case Portnums.PortNum.ROUTING_APP: {
        this.outbox.feedRouting(p);
        const update = this.delivery.onRouting(p, me, Date.now());
        if (update) this.emitter.emit('delivery', update);
        return;
      }
      case Portnums.PortNum.NODEINFO_APP: {
        const change = this.nodes.applyNodeInfoPacket(p.from, data.payload, p.rxTime);
        if (change) this.emitter.emit('node', change);
        return;
      }
      case Portnums.PortNum.POSITION_APP:
        this.nodes.applyPositionPacket(p.from, data.payload);
        return;
      default:
        break;
    }
    if (p.from >>> 0 === me) return; // our own broadcasts echoed back (Router::sendLocal → handleReceived)
    const isText = data.portnum === Portnums.PortNum.TEXT_MESSAGE_APP;
    this.emitter.emit('message', {
      from: p.from >>> 0,
      to: p.to >>> 0,
      channel: p.channel,
      direct: !isBroadcast(p.to),
      portnum: data.portnum,
      text: isText ? new TextDecoder('utf-8', { fatal: false }).decode(data.payload) : undefined,
      payload: data.payload,
      id: p.id >>> 0,
      rxTime: p.rxTime,
      rxSnr: p.rxSnr || undefined,
      rxRssi: p.rxRssi || undefined,
      hopStart: p.hopStart,
      hopLimit: p.hopLimit,
      pkiEncrypted: p.pkiEncrypted,
      decodedAt,
    });
  }

  private onRebooted(): void {
    if (this.stateValue === 'closed') return;
    this.emitter.emit('rebooted');
    if (this.stateValue === 'configuring') {
      // The radio restarted under a handshake (an ESP32 resetting as the port opens does this): it forgot our
      // want_config_id, so ask again with the same nonce and let the pending wait complete.
      if (this.handshake) this.writeFrame(wantConfigToRadio(this.handshake.nonce)).catch(() => {});
      return;
    }
    if (this.stateValue !== 'ready') return;
    // Whatever was in flight died with the radio's RAM; the owner resends (same ids, so nothing doubles on air).
    this.outbox.rejectAll(new MeshtasticLinkLostError(`${this.link.description} (radio rebooted)`));
    this.runHandshake().catch((err) => void this.closeWith(err as Error));
  }

  private async closeWith(error: Error | undefined): Promise<void> {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.stopController.abort(error ?? new MeshtasticLinkLostError(this.link.description));
    for (const u of this.unsubscribe.splice(0)) u();
    this.outbox.pause();
    this.outbox.rejectAll(error ?? new MeshtasticLinkLostError(this.link.description));
    await this.link.close().catch(() => {});
    this.emitter.emit('closed', error);
  }
}

/** The firmware PKI-encrypts every DM it originates except these portnums (Router.cpp perhapsEncode). */
function needsPki(portnum: number): boolean {
  const P = Portnums.PortNum;
  return portnum !== P.TRACEROUTE_APP && portnum !== P.NODEINFO_APP && portnum !== P.ROUTING_APP && portnum !== P.POSITION_APP;
}

export { maxPayloadBytes } from './payload-limits.js';

/** A deterministic different id for retry `attempt` of packet `base` (never 0). */
function deriveId(base: number, attempt: number): number {
  let x = (base ^ Math.imul(attempt, 0x9e3779b1)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = (x ^ (x >>> 13)) >>> 0;
  return x === 0 ? 1 : x;
}
