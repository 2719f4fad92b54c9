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
 * (abortable) or, with policy 'fail', reject with DutyCycleExceededError; a busy channel rejects with
 * ChannelBusyError; a radio fault rejects with LoraTransmitError. Nothing is dropped silently: oversize bundles
 * answer 'unreachable' (the router keeps them for another bearer) and are counted.
 *
 * On-air encoding: see link-frame.ts (5-byte broadcast / 10-byte unicast header, +1 or +2 per fragment) and
 * compact-bundle.ts (bundles re-packed; exact wire bytes rebuilt by the receiver, checked before choosing it).
 */
import type { LoraModulation, LoraRadio, RxPacket } from '../../../drivers/sx126x/lora-radio.js';
import { AirtimeGovernor } from '../../airtime/airtime-governor.js';
import type { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import { systemClock, type Clock } from '../../airtime/clock.js';
import { budgetMs, dwellLimitMs, type RegionRules, type SubBand } from '../../../lib/lora/regions.js';
import { maxPayloadWithin, timeOnAirMs } from '../../../lib/lora/time-on-air.js';
import { BROADCAST, type Bearer, type BearerEvents, type BearerStatus, type FrameFate, type InFrame, type OutFrame, type PeerId, type SendResult } from '../../bearer/bearer.js';
import { decodeBundle, encodeBundle } from '../../bundle/bundle-codec.js';
import type { Metrics } from '../../metrics/metrics.js';
import { createLogger, type Logger } from '../../log/logger.js';
import { decodeFrame, encodeFrame } from '../../wire/frame-codec.js';
import { decodeCompactBundle, encodeCompactBundle } from './compact-bundle.js';
import { BearerStoppedError, LoraConfigError, LoraTransmitError } from './errors.js';
import { fragment, maxPayload } from './fragmenter.js';
import { MAX_ADVERT_NEIGHBOURS, MAX_LORA_FRAME, PREFIX_BYTES, decodeLinkFrame, encodeLinkFrame, linkHeaderLength, prefixKey, samePrefix, type LinkFrame } from './link-frame.js';
import { TypedEmitter } from '../../../lib/events/typed-emitter.js';
import { LoraMetrics } from './lora-metrics.js';
import { PeerTable, type Neighbour } from './peer-table.js';
import { Reassembler } from './reassembler.js';
import { TxQueue } from './tx-queue.js';
import { createHash } from 'node:crypto';

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
  /** CAD before every frame (EN 300 220 polite access); true or options. Default off. */
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
   * addressee may need to make a payload durable before it ACKs (verify, the vault's group commit of ≤ 100 ms, one
   * fsync on an SD card): added to the ACK timeout and to the quiet time after our last frame. Default 400. */
  linkAck?: boolean | { retries?: number; timeoutMs?: number; storeMs?: number };
  /** Chip time per wall time when the radio is emulated faster than real (e.g. 0.01); scales ACK timeouts. */
  timeScale?: number;
  /** Close the radio in stop() (default false: the caller owns it). */
  ownsRadio?: boolean;
  metrics?: Metrics;
  clock?: Clock;
  random?: () => number;
  log?: Logger;
}

/** A radio that failed this many transmissions in a row is reported down (the periodic advert keeps probing it). */
const DOWN_AFTER_FAILURES = 3;
/** Wall time an addressee may take to make a payload durable before its ACK (linkAck.storeMs). */
const DEFAULT_STORE_MS = 400;

/** Fates after which a unicast payload is ACKed: the next hop holds it durably (or it needed nothing kept). */
function acknowledged(fate: FrameFate | 'pending'): boolean {
  return fate === 'stored' || fate === 'duplicate' || fate === 'handled';
}

export class LoraBearer implements Bearer {
  readonly name: string;
  readonly mode = 'sync' as const;
  readonly metrics: LoraMetrics;
  private readonly init: LoraBearerInit;
  private readonly radio: LoraRadio;
  private readonly nodeId: Uint8Array;
  private readonly prefix: Uint8Array;
  private readonly modulation: LoraModulation;
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
  /** Unicast payloads waiting for their link ACK: `<addressee prefix hex>:<message>` → resolve. */
  private readonly awaitingAck = new Map<string, () => void>();
  /** Unicast payloads delivered recently: `<sender prefix>:<message>:<digest>` → when, and the fate its router gave
   * it so far (suppresses retransmitted copies and answers them). */
  private readonly recent = new Map<string, { at: number; fate: FrameFate | 'pending' }>();
  private nextMessage = 0;
  private unsubscribe?: () => void;
  private timers: NodeJS.Timeout[] = [];
  private lastAdvertAt = Number.NEGATIVE_INFINITY;
  private advertPending = false;
  private subBand?: SubBand;
  /** Consecutive radio transmit failures; at DOWN_AFTER_FAILURES the bearer reports 'down' until a TX succeeds. */
  private txFailures = 0;

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
    this.governor = new AirtimeGovernor({
      region: init.region,
      ledger: init.ledger,
      policy: init.dutyCyclePolicy ?? 'wait',
      clock: this.clock,
      random: this.random,
      lbt: lbt ? { ...(typeof lbt === 'object' ? lbt : {}), channelActivity: (o) => this.radio.channelActivity(o) } : undefined,
      observer: {
        dutyCycleWait: (band, ms) => {
          this.metrics.dutyCycleWait(band, ms);
          this.log.info('waiting for duty-cycle budget', { subBand: band, waitMs: Math.ceil(ms) });
        },
        channelBusy: () => this.metrics.channelBusy(),
        airtime: (band, ms) => this.metrics.airtime(band, ms),
      },
    });
    const dwell = dwellLimitMs(init.region, init.modulation.bandwidthHz);
    this.maxFrame = dwell === undefined ? MAX_LORA_FRAME : Math.min(MAX_LORA_FRAME, maxPayloadWithin(this.modulation, dwell));
  }

  /** Largest LoRa frame this bearer sends (255, or less under a dwell limit). */
  get maxFrameBytes(): number {
    return this.maxFrame;
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    this.stopper = new AbortController();
    try {
      this.subBand = this.governor.subBand(this.modulation.frequencyHz, this.modulation.bandwidthHz);
      if (this.maxFrame < linkHeaderLength(false, false) + 32 || this.maxFrame < linkHeaderLength(true, true) + 1) {
        throw new LoraConfigError(this.name, `the ${this.init.region.name} dwell limit leaves ${this.maxFrame}-byte frames; choose a faster preset`);
      }
      await this.init.ledger.start();
      await this.radio.configure(this.modulation, { signal: this.stopper.signal });
      this.unsubscribe = this.radio.onPacket((p) => this.onPacket(p));
      await this.radio.startReceive({ signal: this.stopper.signal });
    } catch (err) {
      this.unsubscribe?.();
      this.state = 'stopped';
      throw err;
    }
    this.state = 'up';
    const sweepEvery = Math.max(1000, Math.min(this.peers.windowMs / 4, 30_000));
    this.timers.push(setInterval(() => this.sweep(), sweepEvery).unref());
    const interval = this.init.advertIntervalMs ?? 600_000;
    if (interval > 0) this.timers.push(setInterval(() => this.scheduleAdvert(), interval).unref());
    if (this.init.advertOnStart !== false) this.scheduleAdvert();
    this.log.info('up', { frequencyHz: this.modulation.frequencyHz, subBand: this.subBand.id, maxFrame: this.maxFrame });
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.stopper.abort(new BearerStoppedError(this.name));
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.tx.idle();
    // Sends still waiting for an ACK reject through the aborted signal; they never count as acknowledged.
    this.awaitingAck.clear();
    this.recent.clear();
    this.reassembler.clear();
    this.peers.clear();
    await this.init.ledger.flush();
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
    const plan = (omitSender: boolean) => {
      const { payload, encoding } = this.linkPayload(frame.bytes, next, omitSender);
      return { payload, encoding, frames: fragment(payload, { from: this.prefix, to: next?.subarray(0, PREFIX_BYTES), encoding, message, maxFrame: this.maxFrame }) };
    };
    const full = plan(false);
    if (!full.frames) {
      this.metrics.discarded('oversize');
      this.log.warn('bundle too large for this LoRa link', { bytes: full.payload.length, max: maxPayload(this.maxFrame, next !== undefined) });
      return 'unreachable';
    }
    const signal = options.signal ? AbortSignal.any([options.signal, this.stopper.signal]) : this.stopper.signal;
    const ack = next !== undefined ? this.ackOptions() : undefined;
    // Our own key may be left out only when the addressee's advert said it holds it, and only where an ACK will
    // tell us if it could not rebuild the bundle after all (then every retry carries the key).
    const first = ack && neighbour!.knowsUs ? plan(true) : full;
    const attempts = ack ? 1 + ack.retries : 1;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) this.metrics.retransmission();
      const { frames, encoding } = attempt === 0 && first.frames ? first : full;
      const acked = ack ? this.expectAck(`${prefixKey(next!)}:${message}`) : undefined;
      try {
        await this.tx.run(async () => {
          for (const bytes of frames!) await this.transmit(bytes, signal);
          // Keep our own queue quiet while the ACK is due: a half-duplex radio transmitting the next payload would
          // not hear it. The rest of the timeout is waited outside the queue.
          if (acked) await acked.within(ack!.holdMs, signal);
        });
        for (let i = 0; i < frames!.length; i++) {
          this.metrics.frameOut('data');
          if (frames!.length > 1) this.metrics.fragmentOut();
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
        neighbours: this.peers.recent().map((n) => ({ id: n.hex, lastHeard: n.lastHeard, rssi: n.rssi, snr: n.snr, knowsUs: n.knowsUs })),
        counters: { ...this.metrics.counters },
      },
    };
  }

  /** Expires silent neighbours and stale fragment sets, probes a radio that is down (runs on a timer; public for
   * tests). */
  sweep(): void {
    this.peers.sweep();
    this.reassembler.sweep();
    if (this.state === 'down') this.scheduleAdvert();
  }

  /** Sends an advert now (through the governor like any frame). */
  async advertise(options: { signal?: AbortSignal } = {}): Promise<void> {
    // Our id, then the prefixes of the neighbours we hear (most recent first, as many as the frame allows).
    const room = Math.min(MAX_ADVERT_NEIGHBOURS, Math.floor((this.maxFrame - linkHeaderLength(false, false) - 32) / PREFIX_BYTES));
    const heard = this.peers.recent().slice(0, Math.max(0, room));
    const payload = new Uint8Array(32 + heard.length * PREFIX_BYTES);
    payload.set(this.nodeId);
    heard.forEach((n, i) => payload.set(n.id.subarray(0, PREFIX_BYTES), 32 + i * PREFIX_BYTES));
    const bytes = encodeLinkFrame({ type: 'advert', from: this.prefix, encoding: 'wire', payload });
    const signal = options.signal ? AbortSignal.any([options.signal, this.stopper.signal]) : this.stopper.signal;
    this.lastAdvertAt = this.clock.now();
    await this.tx.run(() => this.transmit(bytes, signal));
    this.metrics.frameOut('advert');
  }

  // ---------------------------------------------------------------------------------------------------------------

  private ackOptions(): { retries: number; timeoutMs: number; holdMs: number } | undefined {
    const o = this.init.linkAck ?? true;
    if (o === false) return undefined;
    const custom = typeof o === 'object' ? o : {};
    // The ACK comes after the addressee decoded the last frame and put 10 bytes on the air; it may first have to
    // finish a frame of its own (ACKs jump its queue but do not interrupt a transmission): two full frames plus the
    // ACK plus processing slack, in wall time.
    const m = this.modulation;
    const scale = this.init.timeScale ?? 1;
    // The addressee ACKs only once the payload is durable in its vault: that time is wall time, not chip time.
    const storeMs = custom.storeMs ?? DEFAULT_STORE_MS;
    const ackMs = timeOnAirMs(m, linkHeaderLength(true, false) + 1);
    const timeoutMs = custom.timeoutMs ?? (2 * timeOnAirMs(m, this.maxFrame) + ackMs) * scale + 250 + storeMs;
    // How long the queue stays quiet for the ACK: its time on air, the addressee's store time and turnaround slack,
    // never above the timeout. An ACK arriving while we transmit is lost and costs a whole retransmission.
    const holdMs = Math.min(timeoutMs, ackMs * scale + 100 + storeMs);
    return { retries: custom.retries ?? 2, timeoutMs, holdMs };
  }

  /** Registers interest in the ACK for `key` before the payload goes out (an ACK can come back very fast). */
  private expectAck(key: string): { within: (ms: number, signal: AbortSignal) => Promise<boolean>; done: () => void } {
    let got = false;
    let wake: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => {
      wake = resolve;
    });
    this.awaitingAck.set(key, () => {
      got = true;
      wake();
    });
    return {
      done: () => {
        this.awaitingAck.delete(key);
      },
      /** True once the ACK is in; waits at most `ms` (abortable). */
      within: async (ms, signal) => {
        if (got) return true;
        const timeout = new AbortController();
        try {
          await Promise.race([arrived, this.clock.sleep(ms, { signal: AbortSignal.any([signal, timeout.signal]) })]);
        } catch (err) {
          if (signal.aborted) throw signal.reason;
          throw err;
        } finally {
          timeout.abort();
        }
        return got;
      },
    };
  }

  private sendAck(to: Uint8Array, message: number): void {
    const bytes = encodeLinkFrame({ type: 'ack', from: this.prefix, to, encoding: 'wire', payload: Uint8Array.of(message) });
    this.tx
      .run(() => this.transmit(bytes, this.stopper.signal), { urgent: true })
      .then(() => this.metrics.frameOut('ack'))
      .catch((err: Error) => {
        if (this.state === 'up') this.log.warn('link ACK not sent', { error: err.message, name: err.name });
      });
  }

  /**
   * A complete unicast payload: delivered with a settle callback that sends the link ACK once the router made it
   * durable. A copy of a payload delivered recently (a retransmission after a slow or lost ACK) is not delivered
   * again: it is ACKed at once when the first copy is durable, answered by the first copy's ACK while that one is
   * still being stored, ignored after a refusal, and delivered again after 'not-stored'.
   */
  private deliverUnicast(frame: InFrame, from: Uint8Array, message: number): void {
    const now = this.clock.now();
    const key = `${prefixKey(from)}:${message}:${createHash('sha256').update(frame.bytes).digest('hex').slice(0, 16)}`;
    for (const [k, r] of this.recent) {
      if (now - r.at < 300_000 && this.recent.size <= 256) break;
      this.recent.delete(k);
    }
    const seen = this.recent.get(key);
    if (seen && seen.fate !== 'not-stored') {
      this.metrics.discarded('duplicate');
      if (acknowledged(seen.fate)) this.sendAck(from, message);
      return;
    }
    const entry = { at: now, fate: 'pending' as FrameFate | 'pending' };
    this.recent.set(key, entry);
    this.listeners.emit('frame', {
      ...frame,
      settle: (fate) => {
        if (entry.fate !== 'pending') return;
        entry.fate = fate;
        if (acknowledged(fate) && this.state !== 'stopped') this.sendAck(from, message);
        else if (!acknowledged(fate)) this.metrics.unacknowledged(fate);
      },
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

  /** Compact re-packing when the receiver can rebuild the exact wire bytes; else the wire bytes as they are. */
  private linkPayload(bytes: Uint8Array, addressee: Uint8Array | undefined, omitSender = false): { payload: Uint8Array; encoding: 'compact' | 'wire' } {
    if (this.init.compact === false) return { payload: bytes, encoding: 'wire' };
    try {
      const frame = decodeFrame(bytes);
      if (frame.kind !== 'bundle') return { payload: bytes, encoding: 'wire' };
      const ctx = { addressee, transmitter: this.nodeId, omitSender };
      const compact = encodeCompactBundle(decodeBundle(frame.payload), ctx);
      const rebuilt = encodeFrame({ kind: 'bundle', payload: encodeBundle(decodeCompactBundle(compact, ctx)) });
      if (compact.length < bytes.length && Buffer.compare(rebuilt, bytes) === 0) return { payload: compact, encoding: 'compact' };
    } catch {
      // Not a bundle this codec can re-pack (other version, non-canonical CBOR, foreign fields): carry it as is.
    }
    return { payload: bytes, encoding: 'wire' };
  }

  private onPacket(p: RxPacket): void {
    if (this.state !== 'up' && this.state !== 'down') return;
    if (p.crcError) {
      this.metrics.discarded('crc');
      return;
    }
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
      if (!samePrefix(f.payload, f.from)) {
        this.metrics.discarded('malformed');
        return;
      }
      this.metrics.frameIn('advert');
      const known = this.peers.reachable(Buffer.from(f.payload.subarray(0, 32)).toString('hex')) !== undefined;
      const n = this.peers.learn(f.payload.subarray(0, 32), p.rssi, p.snr);
      if (!known && this.init.advertOnNewNeighbour !== false) this.scheduleAdvert(this.init.advertMinSpacingMs ?? 60_000);
      n.knowsUs = false;
      for (let o = 32; o < f.payload.length; o += PREFIX_BYTES) if (samePrefix(f.payload.subarray(o), this.prefix)) n.knowsUs = true;
      return;
    }
    if (f.type === 'ack') {
      this.peers.touch(f.from, p.rssi, p.snr);
      if (!f.to || !samePrefix(f.to, this.prefix)) return;
      this.metrics.frameIn('ack');
      this.awaitingAck.get(`${prefixKey(f.from)}:${f.payload[0]}`)?.();
      return;
    }
    this.metrics.frameIn('data');
    const sender = this.peers.touch(f.from, p.rssi, p.snr);
    if (!sender) this.scheduleAdvert(this.init.advertMinSpacingMs ?? 60_000);
    if (f.to && !samePrefix(f.to, this.prefix)) {
      this.metrics.discarded('not-for-us');
      return;
    }
    if (f.fragment) this.metrics.fragmentIn();
    const whole = this.reassembler.push(f);
    if (!whole) return;
    let bytes: Uint8Array;
    if (whole.encoding === 'wire') bytes = whole.payload;
    else {
      try {
        const bundle = decodeCompactBundle(whole.payload, { addressee: whole.to ? this.nodeId : undefined, transmitter: sender?.id });
        bytes = encodeFrame({ kind: 'bundle', payload: encodeBundle(bundle) });
      } catch (err) {
        this.metrics.discarded('bad-compact');
        this.log.debug('bad compact bundle', { error: String(err) });
        return;
      }
    }
    const frame: InFrame = { bearer: this.name, from: sender?.hex, bytes, rssi: p.rssi, snr: p.snr };
    // Unicast to us: ACKed once durable here (always, 10 bytes: whether to wait for ACKs is the sender's choice,
    // `linkAck`), delivered once. Keyed on the rebuilt wire bytes, so a retry in another on-air form (with our key)
    // is still the same payload.
    if (whole.to && whole.message !== undefined) this.deliverUnicast(frame, f.from, whole.message);
    else this.listeners.emit('frame', frame);
  }

  private peerChanged(n: Neighbour): void {
    this.listeners.emit('peer', { bearer: this.name, peer: n.hex, up: n.up });
  }

  /** Sends an advert after a random jitter unless one went out less than `minSpacingMs` ago or one is pending. */
  private scheduleAdvert(minSpacingMs = 0): void {
    if ((this.state !== 'up' && this.state !== 'down') || this.advertPending) return;
    if (this.clock.now() - this.lastAdvertAt < minSpacingMs) return;
    this.advertPending = true;
    const jitter = this.random() * (this.init.advertJitterMs ?? 2000);
    const t = setTimeout(() => {
      this.timers = this.timers.filter((x) => x !== t);
      this.advertise()
        .catch((err: Error) => {
          if (this.state !== 'stopped') this.log.warn('advert not sent', { error: err.message, name: err.name });
        })
        .finally(() => {
          this.advertPending = false;
        });
    }, jitter);
    t.unref();
    this.timers.push(t);
  }

  private windowUsed(): Record<string, number> {
    return this.subBand ? { [this.subBand.id]: this.init.ledger.usedMs(this.subBand.id) } : {};
  }
}
