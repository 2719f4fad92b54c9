/**
 * LoraBearer: Lattice frames over one LoRa radio (SX126x through drivers/sx126x LoraRadio).
 *
 * Sync semantics. BROADCAST: send() resolves 'accepted' when the radio reported TxDone for the last LoRa frame;
 * nobody acknowledges a broadcast, so a frame lost to a collision, fading or a lost fragment is gone on this hop
 * although the sender saw 'accepted' (as with Meshtastic's and MeshCore's floods); the receiver never sees a partial
 * bundle (reassembler.ts delivers complete sets only) and recovery is the router's (custody, delivery blooms,
 * re-offer on the next contact). UNICAST (to a neighbour's node id), with `linkAck` on (the default): after TxDone
 * of the last fragment the bearer waits for a 10-byte link ACK from the addressee; without one it waits a random
 * back-off and sends the whole payload again (`retries`, default 2), then answers 'unreachable' so the router keeps
 * the bundle queued. The addressee sends its ACK only once its router settled the payload (InFrame.settle) as
 * durable — a bundle flushed to its vault, a duplicate it already holds, or a non-bundle frame handled — so a
 * unicast 'accepted' means the next hop has the whole bundle on disk; a payload it refused or could not store gets
 * no ACK and the sender keeps custody. A retransmitted copy is delivered only once: while the first copy is being
 * stored it waits for that copy's fate, after that it is ACKed at once (the first ACK may be the one that was lost),
 * and after 'not-stored' it is delivered again.
 *
 * Every LoRa frame passes the AirtimeGovernor first (duty cycle per sub-band per rolling hour, dwell, optional CAD
 * listen-before-talk). Fragments are sized so one frame never exceeds the dwell limit. Sends over budget wait
 * (abortable) or, with policy 'fail', reject with DutyCycleExceededError; a busy channel (the governor's CAD, or the
 * radio's own listen before talk) rejects with ChannelBusyError; a radio fault rejects with LoraTransmitError. Nothing is dropped silently: oversize bundles
 * answer 'unreachable' (the router keeps them for another bearer) and are counted.
 *
 * On-air encoding: see link-frame.ts (5-byte broadcast / 10-byte unicast header, +1 or +2 per fragment) and
 * link-payload.ts (bundles re-packed compactly, compact-bundle.ts; exact wire bytes rebuilt by the receiver, checked
 * before choosing it). The parts: link-ack.ts (ACK timing and waits), unicast-delivery.ts (the receiver's ACKs and
 * retransmitted copies), adverts.ts (neighbours learning each other), peer-table.ts, reassembler.ts, tx-queue.ts.
 */
import type { LoraModulation, LoraRadio, LoraRadioEvent, RxPacket } from '../../../drivers/sx126x/lora-radio.js';
import { postRxQuietMs } from '../../../drivers/sx126x/listen-before-talk.js';
import { AirtimeGovernor } from '../../airtime/airtime-governor.js';
import { ChannelBusyError } from '../../airtime/errors.js';
import type { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import { systemClock, type Clock } from '../../../lib/clock/clock.js';
import { budgetMs, dwellLimitMs, type RegionRules, type SubBand } from '../../../lib/lora/regions.js';
import { maxPayloadWithin, timeOnAirMs } from '../../../lib/lora/time-on-air.js';
import { BROADCAST, type Bearer, type BearerEvents, type BearerStatus, type InFrame, type OutFrame, type PeerId, type SendResult } from '../../bearer/bearer.js';
import type { Bundle } from '../../bundle/bundle.js';
import type { Metrics } from '../../metrics/metrics.js';
import { createLogger, type Logger } from '../../log/logger.js';
import { Adverts } from './adverts.js';
import { DeafWatchdog, type DeafWatchdogOptions } from './deaf-watchdog.js';
import { BearerStoppedError, LoraConfigError, LoraTransmitError } from './errors.js';
import { fits, fragment, maxPayload } from './fragmenter.js';
import { AckWaiters, ackTiming } from './link-ack.js';
import { MAX_LORA_FRAME, PREFIX_BYTES, decodeLinkFrame, encodeLinkFrame, linkHeaderLength, prefixKey, samePrefix, type LinkFrame } from './link-frame.js';
import { linkPayload, outgoingBundle, rebuildBundle } from './link-payload.js';
import { TypedEmitter } from '../../../lib/events/typed-emitter.js';
import { LoraMetrics } from './lora-metrics.js';
import { PeerTable, type Neighbour } from './peer-table.js';
import { Reassembler } from './reassembler.js';
import { TxQueue } from './tx-queue.js';
import { UnicastDelivery } from './unicast-delivery.js';
import { LoraV2, type LoraV2Options, type V2Plan } from './v2/lora-v2.js';
import { isV2 } from './v2/v2-frame.js';

export interface LoraBearerInit {
  /** Bearer name, unique in the daemon (`lora0`). */
  name: string;
  radio: LoraRadio;
  /** This relay's node id (32-byte Ed25519 public key). */
  nodeId: Uint8Array;
  modulation: LoraModulation;
  region: RegionRules;
  /** The airtime ledger (share one per board: the duty cycle limits the transmitter, not the bearer). */
  ledger: AirtimeLedger;
  /** 'wait' (default): sends over budget wait for room; 'fail': they reject with DutyCycleExceededError. */
  dutyCyclePolicy?: 'wait' | 'fail';
  /** CAD before every frame (EN 300 220 polite access) by the airtime governor; true or options. Default off.
   * Ignored when the radio listens before talking itself (`radio.listensBeforeTalk`: the SX126x driver does by
   * default, right before SetTx): one place listens, never both. */
  listenBeforeTalk?: boolean | { attempts?: number; backoffMs?: [number, number] };
  /** Advert period (ms); 0 disables periodic adverts (one is still sent at start). Default 10 min. */
  advertIntervalMs?: number;
  /** Random delay before an advert (start, first contact), ms; spreads simultaneous starts. Default 2000. */
  advertJitterMs?: number;
  /** Send an advert (jittered) right after start (default true). */
  advertOnStart?: boolean;
  /** Answer a new neighbour's advert with ours (rate-limited like first contact) so it learns we hold its key.
   * Default true. */
  advertOnNewNeighbour?: boolean;
  /** Minimum spacing of adverts triggered by hearing an unknown neighbour. Default 60 s. */
  advertMinSpacingMs?: number;
  /** A neighbour is reachable while heard within this window. Default 3 × advertIntervalMs (30 min). */
  peerWindowMs?: number;
  reassembly?: { maxPending?: number; maxAgeMs?: number };
  /** Re-pack bundles compactly on air (default true). */
  compact?: boolean;
  /** Wait for the link ACK of unicast sends (default on); false = unicast is fire-and-forget like broadcast.
   * Receivers ACK every unicast payload they hold durably whatever this says. `storeMs` is the wall time the
   * addressee may need to make a payload durable before it ACKs (verify, the vault's flush: one fsync on an SD card,
   * or up to 100 ms more when its fsync budget is spent): added to the ACK timeout and to the quiet time after our
   * last frame. Default 400. */
  linkAck?: boolean | { retries?: number; timeoutMs?: number; storeMs?: number };
  /** Chip time per wall time when the radio is emulated faster than real (e.g. 0.01); scales ACK timeouts. */
  timeScale?: number;
  /** Lattice v2 frames (PROTOCOL.md "link version 2", v2/lora-v2.ts): decoded, advertised, and sent to neighbours
   * that advertise them. Without it, v2 frames are discarded (`v2-off`) and everything goes as v1. */
  v2?: LoraV2Options;
  /** Close the radio in stop() (default false: the caller owns it). */
  ownsRadio?: boolean;
  /** Re-initialise a radio that heard nothing for far longer than its channel's history says it should
   * (deaf-watchdog.ts); false turns it off. Checked on the sweep timer. */
  deafWatchdog?: false | DeafWatchdogOptions;
  metrics?: Metrics;
  clock?: Clock;
  random?: () => number;
  log?: Logger;
}

/** A radio that failed this many transmissions in a row is reported down (the periodic advert keeps probing it). */
const DOWN_AFTER_FAILURES = 3;
/** An Ed25519 public key: what a compact payload saves by leaving our own key out. */
const NODE_ID_BYTES = 32;

export class LoraBearer implements Bearer {
  readonly name: string;
  readonly mode = 'sync' as const;
  readonly metrics: LoraMetrics;
  private readonly init: LoraBearerInit;
  private readonly radio: LoraRadio;
  private readonly nodeId: Uint8Array;
  private readonly prefix: Uint8Array;
  private modulation: LoraModulation;
  private readonly governor: AirtimeGovernor;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly listeners: TypedEmitter<BearerEvents>;
  private readonly peers: PeerTable;
  private readonly reassembler: Reassembler;
  private readonly maxFrame: number;
  private state: BearerStatus['state'] = 'stopped';
  private stopper = new AbortController();
  private readonly tx = new TxQueue();
  /** Unicast payloads waiting for their link ACK. */
  private readonly acks: AckWaiters;
  /** Unicast payloads delivered to the router, and their ACKs. */
  private readonly unicast: UnicastDelivery;
  private readonly adverts: Adverts;
  private readonly v2?: LoraV2;
  /** Unicast v2 payloads delivered to the router, and their 5-byte ACKs. */
  private readonly unicastV2: UnicastDelivery;
  private nextMessage = 0;
  private unsubscribe?: () => void;
  private sweepTimer?: NodeJS.Timeout;
  private subBand?: SubBand;
  /** Consecutive radio transmit failures; at DOWN_AFTER_FAILURES the bearer reports 'down' until a TX succeeds. */
  private txFailures = 0;
  private readonly deaf?: DeafWatchdog;
  private reinitialising = false;
  /** The governor listens before talking (not the radio): it keeps quiet until here (clock ms) after a frame heard. */
  private readonly governorListens: boolean;
  private quietUntil = Number.NEGATIVE_INFINITY;

  constructor(init: LoraBearerInit) {
    this.init = init;
    this.name = init.name;
    this.radio = init.radio;
    this.nodeId = new Uint8Array(init.nodeId);
    this.prefix = this.nodeId.slice(0, PREFIX_BYTES);
    this.modulation = init.modulation;
    this.clock = init.clock ?? systemClock;
    this.random = init.random ?? Math.random;
    this.log = init.log ?? createLogger(`lora.${init.name}`);
    this.metrics = new LoraMetrics(init.name, init.metrics, () => this.windowUsed());
    this.listeners = new TypedEmitter<BearerEvents>({ onListenerError: (err) => this.log.warn('listener threw', { error: String(err) }) });
    const advertInterval = init.advertIntervalMs ?? 600_000;
    this.peers = new PeerTable(init.peerWindowMs ?? 3 * (advertInterval || 600_000), () => this.clock.now(), (n) => this.peerChanged(n));
    this.reassembler = new Reassembler({
      ...init.reassembly,
      now: () => this.clock.now(),
      onFailure: (reason, missing) => {
        this.metrics.reassemblyFailure(reason);
        this.log.debug('fragments dropped', { reason, missing });
      },
    });
    const lbt = init.listenBeforeTalk;
    this.governorListens = !!lbt && !init.radio.listensBeforeTalk;
    this.governor = new AirtimeGovernor({
      region: init.region,
      ledger: init.ledger,
      policy: init.dutyCyclePolicy ?? 'wait',
      clock: this.clock,
      random: this.random,
      // One place listens before talking: the radio when it does so itself (the SX126x driver, CAD right before SetTx
      // with a back-off in the preset's symbol and frame time), else the governor when `listenBeforeTalk` asks; like
      // the driver, it first keeps the quiet time after a frame heard (onPacket).
      lbt: this.governorListens
        ? { ...(typeof lbt === 'object' ? lbt : {}), channelActivity: (o) => this.radio.channelActivity(o), quietMs: () => this.quietUntil - this.clock.now() }
        : undefined,
      observer: {
        dutyCycleWait: (band, ms) => {
          this.metrics.dutyCycleWait(band, ms);
          this.log.info('waiting for duty-cycle budget', { subBand: band, waitMs: Math.ceil(ms) });
        },
        channelBusy: () => this.metrics.channelBusy(),
        airtime: (band, ms) => this.metrics.airtime(band, ms),
        ledgerRefused: (band, err) => {
          this.metrics.ledgerRefused();
          this.log.error('airtime ledger cannot be saved: frame not sent (radio law fails closed)', { subBand: band, error: err.message });
        },
      },
    });
    if (init.deafWatchdog !== false) this.deaf = new DeafWatchdog(init.deafWatchdog ?? {});
    const dwell = dwellLimitMs(init.region, init.modulation.bandwidthHz);
    this.maxFrame = dwell === undefined ? MAX_LORA_FRAME : Math.min(MAX_LORA_FRAME, maxPayloadWithin(this.modulation, dwell));
    this.acks = new AckWaiters(this.clock);
    this.unicast = new UnicastDelivery({
      now: () => this.clock.now(),
      sendAck: (to, message) => this.sendAck(to, message),
      emit: (frame) => this.listeners.emit('frame', frame),
      running: () => this.state !== 'stopped',
      duplicate: () => this.metrics.discarded('duplicate'),
      unacknowledged: (fate) => this.metrics.unacknowledged(fate),
    });
    if (init.v2) this.v2 = new LoraV2(init.v2, { now: () => this.clock.now(), senderAuth: (result, _sender, id) => {
      this.metrics.senderAuth(result);
      this.listeners.emit('senderAuth', { bearer: this.name, id: Buffer.from(id).toString('hex'), result });
    } });
    this.unicastV2 = new UnicastDelivery({
      now: () => this.clock.now(),
      sendAck: (to, message) => this.sendAck(to, message, true),
      emit: (frame) => this.listeners.emit('frame', frame),
      running: () => this.state !== 'stopped',
      duplicate: () => this.metrics.discarded('duplicate'),
      unacknowledged: (fate) => this.metrics.unacknowledged(fate),
    });
    this.adverts = new Adverts({
      nodeId: this.nodeId, prefix: this.prefix, maxFrame: this.maxFrame, peers: this.peers, v2: this.v2 !== undefined,
      now: () => this.clock.now(), random: this.random,
      active: () => this.state === 'up' || this.state === 'down',
      airtimeMs: (n) => timeOnAirMs(this.modulation, n) * (this.init.timeScale ?? 1),
      transmit: (bytes, signal) => {
        const s = signal ? AbortSignal.any([signal, this.stopper.signal]) : this.stopper.signal;
        return this.tx.run(() => this.transmit(bytes, s));
      },
      // v2: our signed chain anchor follows each advert, so neighbours can check our broadcasts' sender MACs.
      ...(init.v2 ? {
        afterAdvert: async (signal?: AbortSignal) => {
          const s = signal ? AbortSignal.any([signal, this.stopper.signal]) : this.stopper.signal;
          await this.tx.run(() => this.transmit(this.v2!.anchorFrame(), s));
          this.metrics.frameOut('chain');
        },
      } : {}),
      metrics: this.metrics, log: this.log,
    }, {
      intervalMs: advertInterval, jitterMs: init.advertJitterMs ?? 2000, answerNew: init.advertOnNewNeighbour !== false,
      minSpacingMs: init.advertMinSpacingMs ?? 60_000,
    });
  }

  /** Largest LoRa frame this bearer sends (255, or less under a dwell limit). */
  get maxFrameBytes(): number {
    return this.maxFrame;
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    this.stopper = new AbortController();
    let ledgerStarted = false;
    try {
      this.subBand = this.governor.subBand(this.modulation.frequencyHz, this.modulation.bandwidthHz);
      if (this.maxFrame < linkHeaderLength(false, false) + 32 || this.maxFrame < linkHeaderLength(true, true) + 1) {
        throw new LoraConfigError(this.name, `the ${this.init.region.name} dwell limit leaves ${this.maxFrame}-byte frames; choose a faster preset`);
      }
      await this.init.ledger.start();
      ledgerStarted = true;
      await this.radio.configure(this.modulation, { signal: this.stopper.signal });
      const offPacket = this.radio.onPacket((p) => this.onPacket(p));
      const offEvent = this.radio.onEvent?.((e) => this.onRadioEvent(e));
      this.unsubscribe = () => {
        offPacket();
        offEvent?.();
      };
      await this.radio.startReceive({ signal: this.stopper.signal });
    } catch (err) {
      this.unsubscribe?.();
      this.state = 'stopped';
      if (ledgerStarted) await this.init.ledger.stop().catch(() => undefined);
      throw err;
    }
    this.state = 'up';
    const sweepEvery = Math.max(1000, Math.min(this.peers.windowMs / 4, 30_000));
    this.sweepTimer = setInterval(() => this.sweep(), sweepEvery).unref();
    this.adverts.start(this.init.advertOnStart !== false);
    this.log.info('up', { frequencyHz: this.modulation.frequencyHz, subBand: this.subBand.id, maxFrame: this.maxFrame });
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.stopper.abort(new BearerStoppedError(this.name));
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    this.adverts.stop();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.tx.idle();
    // Sends still waiting for an ACK reject through the aborted signal; they never count as acknowledged.
    this.acks.clear();
    this.unicast.clear();
    this.unicastV2.clear();
    this.reassembler.clear();
    this.peers.clear();
    await this.init.ledger.stop();
    try {
      if (this.init.ownsRadio) await this.radio.close();
      else await this.radio.standby();
    } catch (err) {
      this.log.warn('radio did not go to standby', { error: String(err) });
    }
  }

  canReach(peer: PeerId): boolean {
    if (this.state !== 'up') return false;
    if (peer === BROADCAST) return true;
    return this.peers.reachable(peer) !== undefined;
  }

  async send(frame: OutFrame, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    options.signal?.throwIfAborted();
    if (!this.canReach(frame.peer)) return 'unreachable';
    const neighbour = frame.peer === BROADCAST ? undefined : this.peers.reachable(frame.peer)!;
    const next = neighbour?.id;
    const message = this.nextMessage++ & 0xff;
    // The bundle is read once per send (given by the router with the frame: not decoded at all), whatever the
    // variants and retries below.
    const out = this.init.compact === false ? undefined : outgoingBundle(frame);
    const v2 = this.v2?.plan((out ?? (this.v2 ? outgoingBundle(frame) : undefined))?.bundle, neighbour, neighbour ? [] : this.peers.up(), this.maxFrame);
    if (v2) return this.sendV2(v2, neighbour, options.signal);
    const plan = (omitSender: boolean) => {
      const { payload, encoding } = linkPayload(frame.bytes, out, { addressee: next, transmitter: this.nodeId, omitSender });
      return { payload, encoding, frames: fragment(payload, { from: this.prefix, to: next?.subarray(0, PREFIX_BYTES), encoding, message, maxFrame: this.maxFrame }) };
    };
    const ack = next !== undefined ? ackTiming(this.init.linkAck, this.modulation, this.maxFrame, this.init.timeScale) : undefined;
    // Our own key may be left out only when the addressee's advert said it holds it, and only where an ACK will
    // tell us if it could not rebuild the bundle after all (then every retry carries the key). The variant with
    // the key is made only when a retry needs it; whether it fits decides now, as every retry carries it.
    const omit = ack !== undefined && neighbour!.knowsUs;
    const first = plan(omit);
    let full = omit ? undefined : first;
    const fullLength = omit && first.encoding === 'compact' ? Math.min(first.payload.length + NODE_ID_BYTES, frame.bytes.length) : first.payload.length;
    if (!first.frames || !fits(fullLength, this.maxFrame, next !== undefined)) {
      this.metrics.discarded('oversize');
      this.log.warn('bundle too large for this LoRa link', { bytes: fullLength, max: maxPayload(this.maxFrame, next !== undefined) });
      return 'unreachable';
    }
    const signal = options.signal ? AbortSignal.any([options.signal, this.stopper.signal]) : this.stopper.signal;
    const attempts = ack ? 1 + ack.retries : 1;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) this.metrics.retransmission();
      const variant = attempt === 0 ? first : (full ??= plan(false));
      const { frames, encoding } = variant;
      if (!frames) return 'unreachable'; // cannot happen: fits() said the variant with our key fits
      const acked = ack ? this.acks.expect(`${prefixKey(next!)}:${message}`) : undefined;
      try {
        await this.tx.run(async () => {
          for (const bytes of frames) await this.transmit(bytes, signal);
          // Keep our own queue quiet while the ACK is due: a half-duplex radio transmitting the next payload would
          // not hear it. The rest of the timeout is waited outside the queue.
          if (acked) await acked.within(ack!.holdMs, signal);
        });
        for (let i = 0; i < frames.length; i++) {
          this.metrics.frameOut('data');
          if (frames.length > 1) this.metrics.fragmentOut();
        }
        if (!acked || (await acked.within(ack!.timeoutMs - ack!.holdMs, signal))) {
          this.metrics.bundleOut(encoding);
          return 'accepted';
        }
      } finally {
        acked?.done();
      }
      this.metrics.ackTimeout();
      // A random back-off so two senders that collided do not collide again on their retries.
      if (attempt + 1 < attempts) await this.clock.sleep(this.random() * ack!.timeoutMs, { signal });
    }
    this.log.debug('no link ACK; the router keeps the bundle', { peer: frame.peer, attempts });
    return 'unreachable';
  }

  on<E extends keyof BearerEvents>(event: E, listener: BearerEvents[E]): () => void {
    return this.listeners.on(event, listener);
  }

  status(): BearerStatus {
    const band = this.subBand;
    return {
      name: this.name,
      kind: 'lora',
      mode: 'sync',
      state: this.state,
      peers: this.peers.up().map((n) => n.hex),
      detail: {
        region: this.init.region.name,
        frequencyHz: this.modulation.frequencyHz,
        spreadingFactor: this.modulation.spreadingFactor,
        bandwidthHz: this.modulation.bandwidthHz,
        codingRate: `4/${this.modulation.codingRate}`,
        subBand: band?.id,
        dutyCycle: band?.dutyCycle,
        airtimeWindowMs: band ? this.init.ledger.usedMs(band.id) : undefined,
        airtimeBudgetMs: band ? budgetMs(band, this.init.ledger.windowMs) : undefined,
        maxFrameBytes: this.maxFrame,
        reassemblyPending: this.reassembler.size,
        neighbours: this.peers.recent().map((n) => ({ id: n.hex, lastHeard: n.lastHeard, rssi: n.rssi, snr: n.snr, knowsUs: n.knowsUs, ...(this.v2 ? { v2: n.v2 === true } : {}) })),
        linkVersions: this.v2 ? [1, 2] : [1],
        counters: { ...this.metrics.counters },
      },
    };
  }

  /** Expires silent neighbours and stale fragment sets, probes a radio that is down (runs on a timer; public for
   * tests). */
  sweep(): void {
    this.peers.sweep();
    this.reassembler.sweep();
    if (this.state === 'down') this.adverts.schedule();
    this.checkDeaf();
    if (this.v2 && this.state === 'up') for (const bytes of this.v2.due()) this.sendChain(bytes);
  }

  /** A v2 key frame (delayed disclosure, ours or relayed): queued like any frame, failures logged. */
  private sendChain(bytes: Uint8Array): void {
    this.tx
      .run(() => this.transmit(bytes, this.stopper.signal))
      .then(() => this.metrics.frameOut('chain'))
      .catch((err: Error) => {
        if (this.state === 'up') this.log.warn('v2 key disclosure not sent', { error: err.message, name: err.name });
      });
  }

  /** Re-initialises the radio when the deaf watchdog says it stopped hearing (see deaf-watchdog.ts). */
  private checkDeaf(): void {
    const now = this.clock.now();
    if (!this.deaf || this.reinitialising || this.deaf.deafFor(now) <= 0 || (this.state !== 'up' && this.state !== 'down')) return;
    const history = this.deaf.snapshot();
    this.deaf.restarted(now);
    this.reinitialising = true;
    this.metrics.deafRestart();
    this.log.warn('radio heard nothing for far longer than this channel goes quiet; re-initialising it', {
      silentMs: history.lastHeard !== undefined ? now - history.lastHeard : undefined, meanGapMs: history.meanGapMs, thresholdMs: history.thresholdMs,
    });
    void this.reinitialiseRadio()
      .then(() => this.log.info('radio re-initialised'))
      .catch((err: Error) => {
        if (this.state !== 'stopped') this.log.error('radio re-initialisation failed', { error: err.message, name: err.name });
      })
      .finally(() => (this.reinitialising = false));
  }

  /**
   * Standby, a full reset and init sequence when the driver has one (Sx126xRadio.start(): NRESET, TCXO, calibration,
   * RF switch), the modulation, continuous receive. In the transmit queue, so no frame is sent meanwhile.
   */
  private reinitialiseRadio(): Promise<void> {
    const signal = this.stopper.signal;
    return this.tx.run(async () => {
      await this.radio.standby().catch(() => undefined);
      const init = (this.radio as Partial<{ start(o: { signal?: AbortSignal }): Promise<void> }>).start;
      if (typeof init === 'function') await init.call(this.radio, { signal });
      await this.radio.configure(this.modulation, { signal });
      await this.radio.startReceive({ signal });
    });
  }

  /**
   * Caps the transmit power at `dbm` (a relay short of power, runtime/power), never above the configured power;
   * undefined = as configured. The chip is reconfigured in the transmit queue, so no frame is cut.
   */
  async setTxPowerCap(dbm: number | undefined): Promise<void> {
    const configured = this.init.modulation.txPowerDbm;
    const want = dbm === undefined ? configured : Math.min(dbm, configured);
    if (want === this.modulation.txPowerDbm) return;
    this.modulation = { ...this.modulation, txPowerDbm: want };
    if (this.state === 'stopped') return;
    const signal = this.stopper.signal;
    await this.tx.run(async () => {
      await this.radio.configure(this.modulation, { signal });
      await this.radio.startReceive({ signal });
    });
  }

  /** The transmit power in use now (dBm). */
  get txPowerDbm(): number {
    return this.modulation.txPowerDbm;
  }

  /** Advert period × `factor` (runtime/power stretches it when the battery is low); 1 = as configured. */
  setAdvertIntervalFactor(factor: number): void {
    this.adverts.setIntervalFactor(factor);
  }

  /** The advert period in use (ms): the configured one × the factor. */
  get advertIntervalMs(): number {
    return this.adverts.intervalMs;
  }

  /** Sends an advert now (through the governor like any frame). */
  async advertise(options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.adverts.advertise(options.signal);
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** A v2 send (one frame; retries carry the keys in full), with the same ACK waits as v1. */
  private async sendV2(plan: V2Plan, neighbour: Neighbour | undefined, callerSignal?: AbortSignal): Promise<SendResult> {
    const signal = callerSignal ? AbortSignal.any([callerSignal, this.stopper.signal]) : this.stopper.signal;
    const ack = neighbour ? ackTiming(this.init.linkAck, this.modulation, this.maxFrame, this.init.timeScale) : undefined;
    const attempts = ack ? 1 + ack.retries : 1;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) this.metrics.retransmission();
      const bytes = attempt === 0 ? plan.first : plan.retry();
      const acked = ack ? this.acks.expect(plan.ackKey(bytes)) : undefined;
      try {
        await this.tx.run(async () => {
          if (attempt === 0) {
            for (const chain of plan.before) {
              await this.transmit(chain, signal);
              this.metrics.frameOut('chain');
            }
          }
          await this.transmit(bytes, signal);
          if (acked) await acked.within(ack!.holdMs, signal);
        });
        this.metrics.frameOut('data');
        if (!acked || (await acked.within(ack!.timeoutMs - ack!.holdMs, signal))) {
          plan.delivered(bytes);
          this.metrics.bundleOut('v2');
          return 'accepted';
        }
      } finally {
        acked?.done();
      }
      this.metrics.ackTimeout();
      if (attempt + 1 < attempts) await this.clock.sleep(this.random() * ack!.timeoutMs, { signal });
    }
    this.log.debug('no v2 link ACK; the router keeps the bundle', { peer: neighbour?.hex, attempts });
    return 'unreachable';
  }

  /** A received v2 frame (v2/lora-v2.ts): an ACK, or a bundle for the router (unicast ones ACKed once durable). */
  private onV2Packet(p: RxPacket): void {
    if (!this.v2) {
      this.metrics.discarded('v2-off');
      return;
    }
    const r = this.v2.receive(p.payload);
    if (typeof r === 'string') {
      this.metrics.discarded(r);
      this.log.debug('v2 frame dropped', { reason: r });
      return;
    }
    this.log.frame('rx', p.payload, { bearer: this.name, rssi: p.rssi, snr: p.snr });
    if (r.type === 'ack') {
      this.metrics.frameIn('ack');
      this.acks.arrived(r.key);
      return;
    }
    if (r.type === 'chain') {
      this.metrics.frameIn('chain');
      // From a transmitter we have no advert of (its link hint matches no neighbour): tell it who we are, so its
      // answer tells us who it is (adverts.ts).
      if (!this.peers.up().some((n) => n.id[0] === p.payload[1])) this.adverts.unknownSender(`v2:${p.payload[1]}`);
      return;
    }
    this.metrics.frameIn('data');
    const prefix = r.transmitter?.subarray(0, PREFIX_BYTES);
    if (!prefix || !this.peers.touch(prefix, p.rssi, p.snr)) this.adverts.unknownSender(`v2:${p.payload[1]}`);
    const frame: InFrame = { ...r.frame, bearer: this.name, rssi: p.rssi, snr: p.snr };
    if (r.unicast && prefix) this.unicastV2.deliver(frame, prefix, r.unicast.message);
    else this.listeners.emit('frame', frame);
  }

  private sendAck(to: Uint8Array, message: number, v2 = false): void {
    const bytes = v2 && this.v2 ? this.v2.ack(to, message) : encodeLinkFrame({ type: 'ack', from: this.prefix, to, encoding: 'wire', payload: Uint8Array.of(message) });
    this.tx
      .run(() => this.transmit(bytes, this.stopper.signal), { urgent: true })
      .then(() => this.metrics.frameOut('ack'))
      .catch((err: Error) => {
        if (this.state === 'up') this.log.warn('link ACK not sent', { error: err.message, name: err.name });
      });
  }

  private async transmit(bytes: Uint8Array, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const airtimeMs = timeOnAirMs(this.modulation, bytes.length);
    await this.governor.permit({ frequencyHz: this.modulation.frequencyHz, bandwidthHz: this.modulation.bandwidthHz, airtimeMs }, { signal });
    try {
      await this.radio.transmit(bytes, { signal });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      // The radio's own listen before talk gave up: a busy channel, not a radio fault (as the governor's would).
      if ((err as Error).name === 'Sx126xChannelBusyError') throw new ChannelBusyError(this.subBand?.id ?? '?', (err as { attempts?: number }).attempts ?? 0);
      if (++this.txFailures >= DOWN_AFTER_FAILURES && this.state === 'up') {
        this.state = 'down';
        this.log.error('radio keeps failing to transmit; bearer down until a transmission succeeds', { failures: this.txFailures, error: String(err) });
      }
      throw new LoraTransmitError(this.name, { cause: err });
    }
    this.txFailures = 0;
    if (this.state === 'down') {
      this.state = 'up';
      this.log.info('radio transmits again; bearer up');
    }
    this.log.frame('tx', bytes, { bearer: this.name });
  }

  /** What the radio handled by itself, counted (drivers/sx126x/lora-radio.ts LoraRadioEvent). */
  private onRadioEvent(e: LoraRadioEvent): void {
    if (e.type === 'channel-busy') this.metrics.channelBusy();
    else if (e.type === 'reinitialised') {
      this.metrics.radioReinitialised(e.trigger);
      this.log.warn('radio found reset and re-initialised', { trigger: e.trigger, mismatch: e.mismatch });
    }
  }

  private onPacket(p: RxPacket): void {
    if (this.state !== 'up' && this.state !== 'down') return;
    this.deaf?.heard(this.clock.now());
    // A frame just ended on the air (whatever it holds): its sender may be about to send its next fragment or wait
    // for an ACK, so keep quiet one slot plus random slots (drawn now, as the firmware draws a transmit delay on every
    // reception) before our next CAD; chip time, so scaled like the ACK timeouts.
    if (this.governorListens) this.quietUntil = this.clock.now() + postRxQuietMs(this.modulation, this.random) * (this.init.timeScale ?? 1);
    if (p.crcError) {
      this.metrics.discarded('crc');
      return;
    }
    if (isV2(p.payload)) return this.onV2Packet(p);
    let f: LinkFrame;
    try {
      f = decodeLinkFrame(p.payload);
    } catch (err) {
      this.metrics.discarded('malformed');
      this.log.debug('malformed frame', { error: String(err) });
      return;
    }
    if (samePrefix(f.from, this.prefix)) {
      this.metrics.discarded('own');
      return;
    }
    this.log.frame('rx', p.payload, { bearer: this.name, rssi: p.rssi, snr: p.snr });
    if (f.type === 'advert') {
      this.adverts.received(f, p.rssi, p.snr);
      if (f.payload.length >= 32 && samePrefix(f.payload, f.from)) this.v2?.book.learn(f.payload.subarray(0, 32));
      return;
    }
    if (f.type === 'ack') {
      this.peers.touch(f.from, p.rssi, p.snr);
      if (!f.to || !samePrefix(f.to, this.prefix)) return;
      this.metrics.frameIn('ack');
      this.acks.arrived(`${prefixKey(f.from)}:${f.payload[0]}`);
      return;
    }
    this.metrics.frameIn('data');
    const sender = this.peers.touch(f.from, p.rssi, p.snr);
    // Spaced per sender, as for v2 frames: our advert at start is typically the one it missed, and a spacing by our
    // own last advert kept us quiet for a minute (the periodic advert: 10) while it could not reach us.
    if (!sender) this.adverts.unknownSender(`v1:${prefixKey(f.from)}`);
    if (f.to && !samePrefix(f.to, this.prefix)) {
      this.metrics.discarded('not-for-us');
      return;
    }
    if (f.fragment) this.metrics.fragmentIn();
    const whole = this.reassembler.push(f);
    if (!whole) return;
    let bytes: Uint8Array;
    let bundle: Bundle | undefined;
    if (whole.encoding === 'wire') bytes = whole.payload;
    else {
      try {
        ({ bundle, bytes } = rebuildBundle(whole.payload, { addressee: whole.to ? this.nodeId : undefined, transmitter: sender?.id }));
      } catch (err) {
        this.metrics.discarded('bad-compact');
        this.log.debug('bad compact bundle', { error: String(err) });
        return;
      }
    }
    const frame: InFrame = { bearer: this.name, from: sender?.hex, bytes, ...(bundle ? { bundle } : {}), rssi: p.rssi, snr: p.snr };
    // Unicast to us: ACKed once durable here (always, 10 bytes: whether to wait for ACKs is the sender's choice,
    // `linkAck`), delivered once (unicast-delivery.ts).
    if (whole.to && whole.message !== undefined) this.unicast.deliver(frame, f.from, whole.message);
    else this.listeners.emit('frame', frame);
  }

  private peerChanged(n: Neighbour): void {
    this.listeners.emit('peer', { bearer: this.name, peer: n.hex, up: n.up });
  }

  private windowUsed(): Record<string, number> {
    return this.subBand ? { [this.subBand.id]: this.init.ledger.usedMs(this.subBand.id) } : {};
  }
}
