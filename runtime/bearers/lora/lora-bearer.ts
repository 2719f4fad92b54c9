/**
 * LoraBearer: Lattice frames over one LoRa radio (SX126x through drivers/sx126x LoraRadio).
 *
 * Sync semantics: send() resolves 'accepted' when the radio reported TxDone for the last LoRa frame of the bundle.
 * There is NO link-layer acknowledgement: a frame lost to a collision, fading or a lost fragment is gone on this
 * hop although the sender saw 'accepted' — the same contract as Meshtastic's and MeshCore's floods. Recovery is the
 * router's: bundles stay in custody and are offered again on the next contact (delivery blooms / re-announce), and
 * the receiver never sees a partial bundle (reassembler.ts delivers complete sets only).
 *
 * Every LoRa frame passes the AirtimeGovernor first (duty cycle per sub-band per rolling hour, dwell, optional CAD
 * listen-before-talk). Fragments are sized so one frame never exceeds the dwell limit. Sends over budget wait
 * (abortable) or, with policy 'fail', reject with DutyCycleExceededError; a busy channel rejects with
 * ChannelBusyError; a radio fault rejects with LoraTransmitError. Nothing is dropped silently: oversize bundles
 * answer 'unreachable' (the router keeps them for another bearer) and are counted.
 *
 * On-air encoding: see link-frame.ts (5-byte broadcast / 9-byte unicast header, +2 per fragment) and
 * compact-bundle.ts (bundles re-packed; exact wire bytes rebuilt by the receiver, checked before choosing it).
 */
import type { LoraModulation, LoraRadio, RxPacket } from '../../../drivers/sx126x/lora-radio.js';
import { AirtimeGovernor } from '../../airtime/airtime-governor.js';
import type { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import { systemClock, type Clock } from '../../airtime/clock.js';
import { budgetMs, dwellLimitMs, type RegionRules, type SubBand } from '../../airtime/regions.js';
import { maxPayloadWithin, timeOnAirMs } from '../../airtime/time-on-air.js';
import { BROADCAST, type Bearer, type BearerEvents, type BearerStatus, type OutFrame, type PeerId, type SendResult } from '../../bearer/bearer.js';
import { decodeBundle, encodeBundle } from '../../bundle/bundle-codec.js';
import type { Metrics } from '../../metrics/metrics.js';
import { createLogger, type Logger } from '../../log/logger.js';
import { decodeFrame, encodeFrame } from '../../wire/frame-codec.js';
import { decodeCompactBundle, encodeCompactBundle } from './compact-bundle.js';
import { BearerStoppedError, LoraConfigError, LoraTransmitError } from './errors.js';
import { fragment, maxPayload } from './fragmenter.js';
import { MAX_LORA_FRAME, PREFIX_BYTES, decodeLinkFrame, encodeLinkFrame, linkHeaderLength, samePrefix, type LinkFrame } from './link-frame.js';
import { Listeners } from './listeners.js';
import { LoraMetrics } from './lora-metrics.js';
import { PeerTable, type Neighbour } from './peer-table.js';
import { Reassembler } from './reassembler.js';

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
  /** Minimum spacing of adverts triggered by hearing an unknown neighbour. Default 60 s. */
  advertMinSpacingMs?: number;
  /** A neighbour is reachable while heard within this window. Default 3 × advertIntervalMs (30 min). */
  peerWindowMs?: number;
  reassembly?: { maxPending?: number; maxAgeMs?: number };
  /** Re-pack bundles compactly on air (default true). */
  compact?: boolean;
  /** Close the radio in stop() (default false: the caller owns it). */
  ownsRadio?: boolean;
  metrics?: Metrics;
  clock?: Clock;
  random?: () => number;
  log?: Logger;
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
  private readonly listeners: Listeners;
  private readonly peers: PeerTable;
  private readonly reassembler: Reassembler;
  private readonly maxFrame: number;
  private state: BearerStatus['state'] = 'stopped';
  private stopper = new AbortController();
  private txChain: Promise<unknown> = Promise.resolve();
  private nextMessage = 0;
  private unsubscribe?: () => void;
  private timers: NodeJS.Timeout[] = [];
  private lastAdvertAt = Number.NEGATIVE_INFINITY;
  private advertPending = false;
  private subBand?: SubBand;

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
    this.listeners = new Listeners((err) => this.log.warn('listener threw', { error: String(err) }));
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
    this.maxFrame = dwell === undefined ? MAX_LORA_FRAME : Math.min(MAX_LORA_FRAME, maxPayloadWithin(this.toaModulation(), dwell));
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
    await this.txChain;
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
    const next = frame.peer === BROADCAST ? undefined : this.peers.reachable(frame.peer)!.id;
    const { payload, encoding } = this.linkPayload(frame.bytes, next);
    const frames = fragment(payload, { from: this.prefix, to: next?.subarray(0, PREFIX_BYTES), encoding, message: this.nextMessage++ & 0xff, maxFrame: this.maxFrame });
    if (!frames) {
      this.metrics.discarded('oversize');
      this.log.warn('bundle too large for this LoRa link', { bytes: payload.length, max: maxPayload(this.maxFrame, next !== undefined) });
      return 'unreachable';
    }
    const signal = options.signal ? AbortSignal.any([options.signal, this.stopper.signal]) : this.stopper.signal;
    await this.serialised(async () => {
      for (const bytes of frames) await this.transmit(bytes, signal);
    });
    this.metrics.bundleOut(encoding);
    for (let i = 0; i < frames.length; i++) {
      this.metrics.frameOut('data');
      if (frames.length > 1) this.metrics.fragmentOut();
    }
    return 'accepted';
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
        counters: { ...this.metrics.counters },
      },
    };
  }

  /** Expires silent neighbours and stale fragment sets (runs on a timer; public for tests). */
  sweep(): void {
    this.peers.sweep();
    this.reassembler.sweep();
  }

  /** Sends an advert now (through the governor like any frame). */
  async advertise(options: { signal?: AbortSignal } = {}): Promise<void> {
    const bytes = encodeLinkFrame({ type: 'advert', from: this.prefix, encoding: 'wire', payload: this.nodeId });
    const signal = options.signal ? AbortSignal.any([options.signal, this.stopper.signal]) : this.stopper.signal;
    this.lastAdvertAt = this.clock.now();
    await this.serialised(() => this.transmit(bytes, signal));
    this.metrics.frameOut('advert');
  }

  // ---------------------------------------------------------------------------------------------------------------

  private toaModulation() {
    const m = this.modulation;
    return {
      spreadingFactor: m.spreadingFactor,
      bandwidthHz: m.bandwidthHz,
      codingRate: m.codingRate,
      preambleLength: m.preambleLength,
      explicitHeader: m.explicitHeader,
      crc: m.crcOn,
      lowDataRateOptimize: m.lowDataRateOptimize,
    };
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.txChain.then(fn);
    this.txChain = run.catch(() => undefined);
    return run;
  }

  private async transmit(bytes: Uint8Array, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const airtimeMs = timeOnAirMs(this.toaModulation(), bytes.length);
    await this.governor.permit({ frequencyHz: this.modulation.frequencyHz, bandwidthHz: this.modulation.bandwidthHz, airtimeMs }, { signal });
    try {
      await this.radio.transmit(bytes, { signal });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw new LoraTransmitError(this.name, { cause: err });
    }
    this.log.frame('tx', bytes, { bearer: this.name });
  }

  /** Compact re-packing when the receiver can rebuild the exact wire bytes; else the wire bytes as they are. */
  private linkPayload(bytes: Uint8Array, addressee: Uint8Array | undefined): { payload: Uint8Array; encoding: 'compact' | 'wire' } {
    if (this.init.compact === false) return { payload: bytes, encoding: 'wire' };
    try {
      const frame = decodeFrame(bytes);
      if (frame.kind !== 'bundle') return { payload: bytes, encoding: 'wire' };
      const compact = encodeCompactBundle(decodeBundle(frame.payload), { addressee });
      const rebuilt = encodeFrame({ kind: 'bundle', payload: encodeBundle(decodeCompactBundle(compact, { addressee })) });
      if (compact.length < bytes.length && Buffer.compare(rebuilt, bytes) === 0) return { payload: compact, encoding: 'compact' };
    } catch {
      // Not a bundle this codec can re-pack (other version, non-canonical CBOR, foreign fields): carry it as is.
    }
    return { payload: bytes, encoding: 'wire' };
  }

  private onPacket(p: RxPacket): void {
    if (this.state !== 'up') return;
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
      this.peers.learn(f.payload, p.rssi, p.snr);
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
        const bundle = decodeCompactBundle(whole.payload, { addressee: whole.to ? this.nodeId : undefined });
        bytes = encodeFrame({ kind: 'bundle', payload: encodeBundle(bundle) });
      } catch (err) {
        this.metrics.discarded('bad-compact');
        this.log.debug('bad compact bundle', { error: String(err) });
        return;
      }
    }
    this.listeners.emit('frame', { bearer: this.name, from: sender?.hex, bytes, rssi: p.rssi, snr: p.snr });
  }

  private peerChanged(n: Neighbour): void {
    this.listeners.emit('peer', { bearer: this.name, peer: n.hex, up: n.up });
  }

  /** Sends an advert after a random jitter unless one went out less than `minSpacingMs` ago or one is pending. */
  private scheduleAdvert(minSpacingMs = 0): void {
    if (this.state !== 'up' || this.advertPending) return;
    if (this.clock.now() - this.lastAdvertAt < minSpacingMs) return;
    this.advertPending = true;
    const jitter = this.random() * (this.init.advertJitterMs ?? 2000);
    const t = setTimeout(() => {
      this.timers = this.timers.filter((x) => x !== t);
      this.advertise()
        .catch((err: Error) => {
          if (this.state === 'up') this.log.warn('advert not sent', { error: err.message, name: err.name });
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
