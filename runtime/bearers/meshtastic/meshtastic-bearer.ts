/**
 * The Meshtastic gateway: a RadioGateway (runtime/bearer/radio-gateway.ts) that drives a radio running Meshtastic
 * firmware as its client (USB serial or TCP 4403) and carries its traffic into the router.
 *
 * - In: text packets (and PRIVATE_APP data) from the mesh become `foreign` events from `mt:!xxxxxxxx`, named from
 *   the node DB, to `mt:ch:<index>` or, for DMs to our radio, to our own `mt:!…` address.
 * - Out: bundle frames for `mt:ch:<index>` go out as channel texts, for `mt:!xxxxxxxx` as PKI DMs (needs the
 *   recipient's public key; without it the send is refused with MeshtasticMissingPublicKeyError, logged, and the
 *   bundle stays in the router's vault until a NodeInfo brings the key and a `peer` up event retries it).
 * - `accepted` means the radio took the packet into its TX queue; ACK/NAK arrive later and show in status/metrics.
 * - The gateway owns the link: when the device vanishes or TCP drops it reconnects with backoff, answers
 *   `unreachable` meanwhile (the router keeps bundles in its vault), and announces peers again after the handshake.
 */
import { bundleTextKey } from '../../bundle/elided-signature.js';
import type { ByteLink, LinkOpener } from '../../../firmware-protocol/framing/byte-link.js';
import { MeshtasticMissingPublicKeyError } from '../../../firmware-protocol/meshtastic/errors.js';
import { channelAddress, nodeAddress, nodeIdString, parseMeshtasticAddress } from '../../../firmware-protocol/meshtastic/node-id.js';
import { MeshtasticSession, type DeviceInfo, type ReceivedMessage, type SessionOptions } from '../../../firmware-protocol/meshtastic/session.js';
import type { DeliveryUpdate } from '../../../firmware-protocol/meshtastic/delivery-tracker.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { BearerEvents, BearerStatus, OutFrame, PeerId, SendResult } from '../../bearer/bearer.js';
import type { RadioGateway, RadioInfo, RadioLinkState, RadioModulation, RadioRefusal, RadioSelf, RadioSendResult, RadioText } from '../../bearer/radio-gateway.js';
import { systemClock, type Clock } from '../../../lib/clock/clock.js';
import { TypedEmitter } from '../../../lib/events/typed-emitter.js';
import { createLogger, type Logger } from '../../log/logger.js';
import { Displacement, type DisplacementPolicy } from '../displacement.js';
import { MeshtasticGatewayStoppedError } from './errors.js';
import { registerMeshtasticMetrics, type MeshtasticMetrics } from './meshtastic-metrics.js';
import { RecentPackets, toForeignMessage } from './foreign-message.js';
import { meshtasticReach } from './reach.js';
import { bundleText, packetIdForKey, textPieces } from './outgoing-text.js';
import { channelsOf, modulationOf, nodesOf, selfOf } from './radio-info.js';
import type { MeshtasticGatewayRadio } from '../mqtt/meshtastic/gateway-radio.js';
import { CompanionGatewayTap, companionGatewayRadio } from './companion-gateway-radio.js';

export interface MeshtasticBearerInit {
  /** Bearer name, unique in the daemon: `meshtastic0`. */
  name: string;
  /** Opens a fresh link to the radio (see meshtasticOpener). */
  opener: LinkOpener;
  /** What the user configured (`/dev/ttyUSB0`, `host:4403`), for status and logs. */
  device: string;
  /** TCP radios serve one client at a time; knowing the transport lets the gateway explain drops. */
  transport: 'serial' | 'tcp' | 'ble';
  metrics?: Metrics;
  /** Session tuning (heartbeat, text interval, handshake timeout, hop limit). */
  session?: Omit<SessionOptions, 'link'>;
  /** Reconnect backoff: first delay and cap (ms); default 1 s → 30 s, doubling, with jitter. It starts over only
   * after a session stayed up `stable` ms (default 60 s), so two TCP clients displacing each other back off instead
   * of kicking the phone app off every second. */
  backoffMs?: { initial?: number; max?: number; stable?: number };
  /** Back-off after the radio displaced us for another TCP client (runtime/bearers/displacement.ts); default
   * 5 s doubling to 10 min, reset by a session that stays up 60 s. */
  displacement?: Partial<DisplacementPolicy>;
  /** Ask for ACKs on our packets (default true). */
  wantAck?: boolean;
  /** Prefix texts from another mesh with the foreign sender's name (default true). */
  prefixOrigin?: boolean;
  /** Channel index that BROADCAST frames go to; default none (Lattice broadcasts are not sprayed onto the mesh). */
  broadcastChannel?: number;
  /** Portnums delivered as `data` foreign messages besides text (default PRIVATE_APP 256). */
  dataPortnums?: number[];
  logger?: Logger;
  random?: () => number;
  /** Back-offs, the stable-session timer and the session's paces run on it (the relay's clock); the session's reply
   * deadlines stay on the system clock unless `session.timeouts` says otherwise (they wait for a real radio). */
  clock?: Clock;
}

type LinkState = 'connecting' | 'configuring' | 'up' | 'down' | 'stopped';

export class MeshtasticBearer implements RadioGateway {
  readonly name: string;
  readonly mode = 'sync' as const;
  readonly mesh = 'meshtastic' as const;
  private readonly init: MeshtasticBearerInit;
  private readonly log: Logger;
  private readonly metrics?: MeshtasticMetrics;
  private readonly listeners = new TypedEmitter<BearerEvents>({
    onListenerError: (err, event) => this.log.error(`${event} listener failed`, { bearer: this.name, err }),
  });
  private session?: MeshtasticSession;
  private linkState: LinkState = 'stopped';
  private stopController?: AbortController;
  private loop?: Promise<void>;
  private info?: DeviceInfo;
  private announced = new Set<PeerId>();
  private reconnects = 0;
  private lastError?: string;
  private readonly displacement: Displacement;
  /** Set between a `rebooted` frame and the handshake the session then redoes on the same link. */
  private rebootPending = false;
  private everUp = false;
  /** Identity and modulation of the last session, kept while the link is down (RadioInfo.self/modulation). */
  private lastSelf?: RadioSelf;
  private lastModulation?: RadioModulation;
  /** Pieces already accepted per text (RadioText.key: a bundle's signature), so a resend after a partial failure continues. */
  private readonly progress = new Map<string, number>();
  private readonly recentRx = new RecentPackets();
  private readonly deliveries: DeliveryUpdate[] = [];
  private counters = { framesIn: 0, framesOut: 0, decodeErrors: 0, rateLimitWaits: 0, acks: 0, naks: 0, messagesIn: 0, messagesOut: 0 };

  private readonly clock: Clock;
  /** The MQTT gateway's view of this radio (companion-gateway-radio.ts). */
  private readonly gatewayTap = new CompanionGatewayTap();

  constructor(init: MeshtasticBearerInit) {
    this.init = init;
    const clock = (this.clock = init.clock ?? systemClock);
    this.name = init.name;
    this.log = init.logger ?? createLogger(`meshtastic.${init.name}`);
    if (init.metrics) this.metrics = registerMeshtasticMetrics(init.metrics);
    this.displacement = new Displacement({
      bearer: init.name, device: init.device, log: this.log, ...(init.displacement ? { policy: init.displacement } : {}),
      ...(this.metrics ? { counter: this.metrics.displaced } : {}), ...(init.random ? { random: init.random } : {}),
      now: () => clock.now(),
    });
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.stopController = new AbortController();
    this.linkState = 'connecting';
    this.loop = this.run(this.stopController.signal);
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopController!.abort(new MeshtasticGatewayStoppedError(this.name));
    await this.session?.stop();
    await this.loop;
    this.loop = undefined;
    this.linkState = 'stopped';
    this.metrics?.linkUp.set({ bearer: this.name }, 0);
  }

  /** This radio as an MQTT gateway's radio (runtime/bearers/mqtt/meshtastic): decoded packets only. */
  meshtasticGatewayRadio(): MeshtasticGatewayRadio {
    return companionGatewayRadio({ session: () => (this.linkState === 'up' ? this.session : undefined), info: () => this.info, tap: this.gatewayTap, now: () => this.clock.now() });
  }

  on<E extends keyof BearerEvents>(event: E, listener: BearerEvents[E]): () => void {
    return this.listeners.on(event, listener);
  }

  canReach(peer: PeerId): boolean {
    const session = this.session;
    if (this.linkState !== 'up' || !session) return false;
    return meshtasticReach(peer, {
      ...(this.init.broadcastChannel !== undefined ? { broadcastChannel: this.init.broadcastChannel } : {}),
      hasChannel: (i) => this.hasChannel(i),
      ...(this.info?.myNodeNum !== undefined ? { self: this.info.myNodeNum } : {}),
      hasPublicKey: (n) => session.nodes.get(n)?.publicKey !== undefined,
    });
  }

  async send(frame: OutFrame, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    options.signal?.throwIfAborted();
    if (frame.kind !== 'bundle' || !frame.bundle) return this.refuse('not a bundle', frame.peer);
    if (!this.session || this.linkState !== 'up') return this.refuse('link down', frame.peer);
    const bundle = frame.bundle;
    if (bundle.sealed) return this.refuse('sealed body cannot be shown on a foreign mesh', frame.peer);
    let to = frame.peer;
    if (to === '*') {
      if (this.init.broadcastChannel === undefined) return this.refuse('no broadcast channel configured', frame.peer);
      to = channelAddress(this.init.broadcastChannel);
    }
    // The bundle's signature is the text's identity: a resend carries the same packet ids (outgoing-text.ts).
    const r = await this.sendText({
      to, text: bundleText(bundle, { prefixOrigin: this.init.prefixOrigin }), key: bundleTextKey(bundle),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return r.status === 'refused' ? 'unreachable' : 'accepted';
  }

  async sendText(req: RadioText): Promise<RadioSendResult> {
    req.signal?.throwIfAborted();
    const session = this.session;
    if (!session || this.linkState !== 'up') return this.refused('link down', req.to, 'link-down');
    let addr;
    try {
      addr = parseMeshtasticAddress(req.to);
    } catch (err) {
      return this.refused((err as Error).message, req.to, 'bad-address');
    }
    let to: number | 'broadcast';
    let channel = 0;
    if (addr.kind === 'channel') {
      if (!this.hasChannel(addr.index)) return this.refused(`channel ${addr.index} is not enabled on the radio`, req.to, 'no-channel');
      to = 'broadcast';
      channel = addr.index;
    } else {
      to = addr.num;
      const node = session.nodes.get(addr.num);
      if (!node?.publicKey) {
        const err = new MeshtasticMissingPublicKeyError(nodeIdString(addr.num));
        this.lastError = err.message;
        this.log.warn(err.message, { bearer: this.name, peer: req.to });
        return this.refused('missing public key', req.to, node ? 'no-key' : 'unknown-node', false);
      }
    }
    const direct = to !== 'broadcast';
    // An empty text is no message (the mesh would show a blank line); the router keeps the bundle for other bearers.
    if (req.text === '') return this.refused('empty text', req.to, 'empty');
    const pieces = textPieces(req.text, direct);
    const key = req.key ? Buffer.from(req.key).toString('hex') : undefined;
    let done = (key && this.progress.get(key)) || 0;
    const packetIds: number[] = [];
    try {
      for (; done < pieces.length; done++) {
        const r = await session.sendText({
          to, channel, text: pieces[done]!, wantAck: this.init.wantAck ?? true, signal: req.signal,
          ...(req.key ? { id: packetIdForKey(req.key, done) } : {}),
        });
        packetIds.push(r.id);
        this.counters.messagesOut++;
        this.metrics?.messagesOut.inc({ bearer: this.name, kind: direct ? 'direct' : 'channel' });
        this.log.debug('radio accepted text', { bearer: this.name, peer: req.to, packetId: r.id, how: r.how, piece: done, pieces: pieces.length });
        if (key) this.rememberProgress(key, done + 1);
      }
    } catch (err) {
      const e = err as Error;
      if (req.signal?.aborted) throw e;
      // Bearer contract: sends pending at stop() reject with an AbortError-named error.
      if (this.stopController?.signal.aborted) throw new MeshtasticGatewayStoppedError(this.name);
      this.lastError = e.message;
      // Refused rather than unconfirmed even when the radio may have sent a piece: with the same key a resend
      // carries the same packet ids, and every Meshtastic node drops it as a duplicate (PacketHistory).
      this.log.warn('send failed; the bundle stays in the vault', { bearer: this.name, peer: req.to, err: e });
      return this.refused(e.name, req.to, 'radio-error', false, e.message);
    } finally {
      this.updateQueueGauge();
    }
    if (key) this.progress.delete(key);
    return { status: 'sent', pieces: pieces.length, packetIds };
  }

  radio(): RadioInfo {
    const up = this.linkState === 'up' && this.session && this.info ? this.session : undefined;
    const d = this.displacement.detail();
    const st = this.state();
    const link: RadioLinkState = st === 'down' && d.backingOff ? 'displaced' : st;
    return {
      name: this.name,
      mesh: 'meshtastic',
      link: { state: link, device: this.init.device, reconnects: this.reconnects, ...(this.lastError ? { lastError: this.lastError } : {}), displacement: d },
      ...(this.lastSelf ? { self: this.lastSelf } : {}),
      channels: up ? channelsOf(this.info!) : [],
      nodes: up ? nodesOf(up.nodes.all(), this.info!.myNodeNum) : [],
      ...(this.lastModulation ? { modulation: this.lastModulation } : {}),
    };
  }

  status(): BearerStatus {
    const s = this.session;
    const info = this.info;
    return {
      name: this.name,
      kind: 'meshtastic',
      mode: 'sync',
      state: this.state(),
      peers: [...this.announced],
      detail: {
        device: this.init.device,
        transport: this.init.transport,
        link: this.linkState,
        firmwareVersion: info?.firmwareVersion,
        nodeId: info?.nodeId,
        nodeNum: info?.myNodeNum,
        longName: info?.longName,
        hwModel: info?.hwModel,
        region: info?.region,
        modemPreset: info?.modemPreset,
        hopLimit: info?.hopLimit,
        channels: info?.channels,
        nodes: s?.nodes.size ?? 0,
        queue: {
          outbox: s?.outboxDepth ?? 0,
          radioFree: s?.radioQueue.free,
          radioMaxlen: s?.radioQueue.maxlen,
        },
        reconnects: this.reconnects,
        displacement: this.displacement.detail(),
        lastError: this.lastError,
        counters: { ...this.counters },
        recentDeliveries: this.deliveries.map((d) => ({ packetId: d.packetId, to: d.to === 0xffffffff ? 'broadcast' : nodeIdString(d.to), state: d.state, reason: d.reason, at: d.at })),
      },
    };
  }

  /** `starting` only until the first session; a reconnect in progress is `down` (the status detail says which step). */
  private state(): BearerStatus['state'] {
    return this.linkState === 'up' ? 'up' : this.linkState === 'stopped' ? 'stopped' : this.everUp ? 'down' : 'starting';
  }

  // ---- connection loop --------------------------------------------------------------------------------------------

  private async run(signal: AbortSignal): Promise<void> {
    const initial = this.init.backoffMs?.initial ?? 1000;
    const max = this.init.backoffMs?.max ?? 30_000;
    let backoff = initial;
    const random = this.init.random ?? Math.random;
    let first = true;
    let displacedWait: number | undefined;
    while (!signal.aborted) {
      if (displacedWait !== undefined) {
        // Displaced by another client: wait it out rather than take the radio back (the warning said so).
        await this.clock.sleep(displacedWait, { signal }).catch(() => undefined); // rejects only when stopped
        if (signal.aborted) break;
        displacedWait = undefined;
      } else if (!first) {
        const wait = Math.round(backoff * (0.75 + random() * 0.5));
        this.log.info('reconnecting to the radio', { bearer: this.name, device: this.init.device, inMs: wait });
        await this.clock.sleep(wait, { signal }).catch(() => undefined);
        if (signal.aborted) break;
        backoff = Math.min(backoff * 2, max);
      }
      first = false;
      this.linkState = 'connecting';
      let link: ByteLink;
      try {
        link = await this.init.opener({ signal });
      } catch (err) {
        if (signal.aborted) break;
        this.lastError = (err as Error).message;
        this.log.warn('cannot open the radio', { bearer: this.name, device: this.init.device, err });
        continue;
      }
      // How the link ended, as the link says it (a clean close by the radio means another client took it).
      let linkClose: Error | undefined;
      link.onClose((err) => { linkClose = err; });
      const session = new MeshtasticSession({ clock: this.clock, timeouts: systemClock, ...this.init.session, link });
      this.session = session;
      this.rebootPending = false;
      const closed = new Promise<Error | undefined>((resolve) => session.on('closed', resolve));
      this.wire(session);
      this.linkState = 'configuring';
      try {
        this.info = await session.start({ signal });
      } catch (err) {
        await session.stop();
        if (signal.aborted) break;
        displacedWait = this.displacement.ended(linkClose);
        if (displacedWait !== undefined) {
          this.lastError = 'displaced by another TCP client of the radio';
          this.linkState = 'down';
          continue;
        }
        this.lastError = (err as Error).message;
        this.log.warn('handshake with the radio failed', { bearer: this.name, device: this.init.device, err });
        continue;
      }
      this.onUp(session);
      const upAt = this.clock.now();
      const why = await closed;
      if (this.clock.now() - upAt >= (this.init.backoffMs?.stable ?? 60_000)) backoff = initial;
      if (!signal.aborted) displacedWait = this.displacement.ended(linkClose ?? why);
      this.onDown(why, signal.aborted, displacedWait !== undefined);
      if (signal.aborted) break;
      this.reconnects++;
      this.metrics?.reconnects.inc({ bearer: this.name });
    }
    this.session = undefined;
  }

  private wire(session: MeshtasticSession): void {
    let seenIn = 0;
    let seenOut = 0;
    let seenDecode = 0;
    let seenWaits = 0;
    const syncCounters = () => {
      const st = session.stats;
      this.counters.framesIn += st.framesIn - seenIn;
      this.counters.framesOut += st.framesOut - seenOut;
      this.counters.decodeErrors += st.decodeErrors - seenDecode;
      this.counters.rateLimitWaits += st.rateLimitWaits - seenWaits;
      this.metrics?.framesIn.inc({ bearer: this.name }, st.framesIn - seenIn);
      this.metrics?.framesOut.inc({ bearer: this.name }, st.framesOut - seenOut);
      this.metrics?.decodeErrors.inc({ bearer: this.name }, st.decodeErrors - seenDecode);
      this.metrics?.rateLimitWaits.inc({ bearer: this.name }, st.rateLimitWaits - seenWaits);
      seenIn = st.framesIn;
      seenOut = st.framesOut;
      seenDecode = st.decodeErrors;
      seenWaits = st.rateLimitWaits;
    };
    session.on('packet', syncCounters);
    session.on('packet', (p) => this.gatewayTap.packet(p));
    session.on('queueStatus', () => {
      syncCounters();
      this.updateQueueGauge();
    });
    session.on('closed', syncCounters);
    session.on('message', (m) => this.onMessage(m));
    session.on('delivery', (d) => this.onDelivery(d));
    session.on('node', (change) => {
      if (this.linkState === 'up' && change.keyLearned && change.entry.num !== this.info?.myNodeNum) {
        this.announce(nodeAddress(change.entry.num), true, change.entry.longName);
      }
    });
    session.on('log', (line) => this.log.debug('radio log', { bearer: this.name, line }));
    session.on('notification', (message) => this.log.warn('radio notification', { bearer: this.name, message }));
    session.on('error', (err) => {
      syncCounters();
      this.log.debug('session error', { bearer: this.name, err });
    });
    session.on('rebooted', () => {
      this.log.warn('the radio rebooted; redoing the handshake', { bearer: this.name });
      this.rebootPending = true;
      this.linkState = 'configuring';
      this.metrics?.linkUp.set({ bearer: this.name }, 0);
      this.announceAll(false);
    });
    session.on('ready', () => {
      // The first handshake is awaited by run(); this is the one after a reboot on the same link.
      if (this.rebootPending && this.session === session) {
        this.rebootPending = false;
        this.onUp(session);
      }
    });
  }

  private onUp(session: MeshtasticSession): void {
    const info = session.deviceInfo()!;
    this.info = info;
    this.lastSelf = selfOf(info, session.nodes.get(info.myNodeNum));
    this.lastModulation = modulationOf(info);
    this.linkState = 'up';
    this.everUp = true;
    this.lastError = undefined;
    this.metrics?.linkUp.set({ bearer: this.name }, 1);
    this.displacement.up();
    this.gatewayTap.up();
    this.log.info('radio session up', {
      bearer: this.name, device: this.init.device, nodeId: info.nodeId, firmware: info.firmwareVersion,
      channels: info.channels.map((c) => `${c.index}:${c.name}`).join(','), nodes: info.nodeCount,
    });
    for (const c of info.channels) this.announce(channelAddress(c.index), true, c.name);
    for (const n of session.nodes.all()) {
      if (n.num !== info.myNodeNum && n.publicKey) this.announce(nodeAddress(n.num), true, n.longName);
    }
  }

  private onDown(why: Error | undefined, stopping: boolean, displaced: boolean): void {
    this.metrics?.linkUp.set({ bearer: this.name }, 0);
    this.linkState = stopping ? 'stopped' : 'down';
    this.announceAll(false);
    if (stopping) return;
    this.lastError = displaced ? 'displaced by another TCP client of the radio' : why?.message;
    if (displaced) return; // Displacement logged it, once per run
    if (this.init.transport === 'tcp') {
      this.log.warn('lost the TCP connection to the radio (network drop, or the radio rebooted)', { bearer: this.name, device: this.init.device, err: why });
    } else {
      this.log.warn('lost the radio (unplugged or reset?)', { bearer: this.name, device: this.init.device, err: why });
    }
  }

  private onMessage(m: ReceivedMessage): void {
    const msg = toForeignMessage(this.name, m, this.session?.nodes, this.init.dataPortnums);
    if (!msg || !this.recentRx.fresh(m.from, m.id)) return;
    this.counters.messagesIn++;
    this.metrics?.messagesIn.inc({ bearer: this.name, kind: msg.text !== undefined ? 'text' : 'data' });
    this.listeners.emit('foreign', msg);
    this.metrics?.rxToGateway.observe({ bearer: this.name }, (performance.now() - m.decodedAt) / 1000);
  }

  private onDelivery(d: DeliveryUpdate): void {
    this.deliveries.push(d);
    if (this.deliveries.length > 20) this.deliveries.shift();
    if (d.state === 'failed') {
      this.counters.naks++;
      this.metrics?.naks.inc({ bearer: this.name, reason: d.reason ?? 'unknown' });
      this.log.warn('radio reports delivery failure', { bearer: this.name, packetId: d.packetId, to: nodeIdString(d.to), reason: d.reason });
    } else if (d.state === 'acked' || d.state === 'implicit-ack') {
      this.counters.acks++;
      this.metrics?.acks.inc({ bearer: this.name, kind: d.state === 'acked' ? 'acked' : 'implicit' });
    }
  }

  private hasChannel(index: number): boolean {
    return this.info?.channels.some((c) => c.index === index) ?? false;
  }

  private announce(peer: PeerId, up: boolean, name?: string): void {
    if (up === this.announced.has(peer)) return;
    if (up) this.announced.add(peer);
    else this.announced.delete(peer);
    this.listeners.emit('peer', { bearer: this.name, peer, up, name });
  }

  private announceAll(up: boolean): void {
    for (const p of [...this.announced]) this.announce(p, up);
  }

  private refused(label: string, peer: PeerId, reason: RadioRefusal, log = true, detail?: string): RadioSendResult {
    this.refuse(label, peer, log);
    return { status: 'refused', reason, ...(detail ? { detail } : {}) };
  }

  private refuse(reason: string, peer: PeerId, log = true): SendResult {
    if (log) this.log.debug('unreachable', { bearer: this.name, peer, reason });
    this.metrics?.sendErrors.inc({ bearer: this.name, reason });
    return 'unreachable';
  }

  private rememberProgress(key: string, done: number): void {
    this.progress.delete(key);
    this.progress.set(key, done);
    if (this.progress.size > 256) this.progress.delete(this.progress.keys().next().value!);
  }

  private updateQueueGauge(): void {
    const s = this.session;
    if (!s || !this.metrics) return;
    const q = s.radioQueue;
    this.metrics.queueDepth.set({ bearer: this.name }, s.outboxDepth + Math.max(0, q.maxlen - q.free));
  }
}
