/**
 * The RF side of one emulated SX126x is an antenna of the air of `lattice sim air` (AIR-PROTOCOL.md), over TCP.
 *
 * - When the chip transmits, the port tunes the antenna from the chip's programmed settings (frequency, bandwidth,
 *   SF, coding rate, preamble, and the sync word registers as the one-byte form: 0x1424 -> 18, 0x3444 -> 52,
 *   0x24B4 -> 43) if they changed, sends `tx`, and ends the chip's TX (TxDone) when `txdone` comes.
 * - When the chip enters RX, the antenna is tuned to its settings, so a chip that only listens hears the air too.
 * - An `rx` line reaches the chip as a frame that ends now, sent with the settings the antenna was tuned to: the chip
 *   keeps it only when it is in RX on matching settings (SF, bandwidth, IQ, sync word, header mode, LDRO), as the
 *   real modem does; otherwise it is lost.
 * - Without a link (never made, or dropped) the chip still transmits into nothing: TxDone comes after the frame's own
 *   time on air, as for a frame in flight when the link dropped, and the link is made again with back-off (air-link.ts).
 *
 * Not modelled over the remote air: CAD and the instantaneous RSSI see an empty channel (the air reports a frame
 * only once it has left the air), and a transmission cut short by the chip still occupies the whole time on air.
 */
import type { Clock } from '../../../lib/clock/clock.js';
import { ldroByRule } from '../../../lib/lora/modulation.js';
import { timeOnAirMs } from '../../../lib/lora/time-on-air.js';
import { frequencyToFrf } from '../modulation.js';
import type { AirFrame, AirPort, ChipRf, Heard } from './air-frame.js';
import { syncWordByte, syncWordPair, type AirTuning } from './air-channel.js';
import { AirLink, type AirLinkEvent, type AirLinkStats } from './air-link.js';
import type { EmulatedSx126x } from './emulated-sx126x.js';
import { noiseFloorDbm } from './link-model.js';
import type { SimClock } from './sim-clock.js';

export interface RemoteAirPortInit {
  host: string;
  port: number;
  /** The antenna's position, metres. */
  position: { x: number; y: number };
  /** The chip's clock: TxDone of frames the air cannot end (no link) comes after their time on air on it. */
  chipClock: SimClock;
  /** Back-off sleeps of the link (tests pass a test clock). */
  linkClock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface RemoteAirStats extends AirLinkStats {
  /** Frames sent to the air. */
  framesOut: number;
  /** Frames the air reported heard (`rx`), handed to the chip. */
  framesIn: number;
  /** Transmissions the chip made while the link was down (TxDone after their own time on air). */
  txWithoutAir: number;
  /** `tx` the air refused (busy, untuned): TxDone after the frame's own time on air. */
  txRefused: number;
  /** `tuned` answers from the air. */
  tuned: number;
}

/** Why something was lost between the chip and the air (each also counted in `stats`). */
export type RemoteAirLoss = 'tx-without-air' | 'tx-refused' | 'bad-line';

export class RemoteAirPort implements AirPort {
  readonly endsTransmissions = true;
  private readonly link: AirLink;
  private chip: EmulatedSx126x | undefined;
  /** What the chip wants the antenna tuned to now. */
  private wanted: AirTuning | undefined;
  /** What the air was last told (`tune` sent on this link); rx frames are taken as sent with it. */
  private sent: AirTuning | undefined;
  /** Frames sent on this link, awaiting txdone (the air answers each tx once, in order). */
  private pending: AirFrame[] = [];
  private nextId = 1;
  private lossListener: (why: RemoteAirLoss) => void = () => undefined;
  private readonly counts = { framesOut: 0, framesIn: 0, txWithoutAir: 0, txRefused: 0, tuned: 0 };

  constructor(private readonly init: RemoteAirPortInit) {
    this.link = new AirLink({
      host: init.host,
      port: init.port,
      ...(init.linkClock ? { clock: init.linkClock } : {}),
      ...(init.initialBackoffMs !== undefined ? { initialBackoffMs: init.initialBackoffMs } : {}),
      ...(init.maxBackoffMs !== undefined ? { maxBackoffMs: init.maxBackoffMs } : {}),
    });
    this.link.onEvent((e) => {
      if (e.op === 'txdone') {
        const f = this.pending.shift();
        if (f) this.chip?.airTxDone(f);
      } else if (e.op === 'tuned') this.counts.tuned++;
      else if (e.op === 'error') this.refused();
      else if (e.op === 'rx') this.heard(e.data, e.rssiDbm, e.snrDb);
    });
    this.link.onIgnoredLine(() => this.lossListener('bad-line'));
    this.link.onUp(() => {
      if (this.wanted) this.tune(this.wanted);
    });
    this.link.onDown(() => {
      this.sent = undefined;
      // Frames in flight when the link dropped end after their own time on air.
      for (const f of this.pending.splice(0)) this.endLocally(f);
    });
  }

  /** Puts `chip` on this air (its RF side) and starts the link. */
  attach(chip: EmulatedSx126x): void {
    this.chip = chip;
    chip.air = this;
    this.link.start();
  }

  onLinkEvent(fn: (e: AirLinkEvent) => void): void {
    this.link.onLinkEvent(fn);
  }

  /** A frame sent without the air, a `tx` the air refused, a line from the air that was not an event. */
  onLoss(fn: (why: RemoteAirLoss) => void): void {
    this.lossListener = fn;
  }

  get connected(): boolean {
    return this.link.connected;
  }

  get stats(): RemoteAirStats {
    return { ...this.link.stats, ...this.counts };
  }

  async close(): Promise<void> {
    await this.link.stop();
  }

  transmit(chip: EmulatedSx126x, f: Omit<AirFrame, 'id' | 'startAt' | 'endAt' | 'truncated'>, durationMs: number): AirFrame {
    const now = this.init.chipClock.now();
    const frame: AirFrame = { ...f, id: this.nextId++, startAt: now, endAt: now + durationMs, truncated: false };
    this.wanted = this.tuningOf(f);
    if (this.link.connected) {
      this.tune(this.wanted);
      if (this.link.send({ op: 'tx', data: f.payload })) {
        this.counts.framesOut++;
        this.pending.push(frame);
        return frame;
      }
    }
    this.counts.txWithoutAir++;
    this.lossListener('tx-without-air');
    this.endLocally(frame, chip);
    return frame;
  }

  listening(_chip: EmulatedSx126x, rf: ChipRf): void {
    this.wanted = this.tuningOf(rf);
    if (this.link.connected) this.tune(this.wanted);
  }

  truncate(frame: AirFrame): void {
    frame.truncated = true;
  }

  hearing(): Heard[] {
    return [];
  }

  noiseFloorDbm(bandwidthHz: number): number {
    return noiseFloorDbm(bandwidthHz);
  }

  private tuningOf(rf: ChipRf): AirTuning {
    return {
      freqHz: Math.round(rf.frequencyHz), bwHz: rf.bandwidthHz, sf: rf.sf, cr: rf.codingRate, syncWord: syncWordByte(rf.syncWord),
      preamble: rf.preamble, x: this.init.position.x, y: this.init.position.y,
    };
  }

  private tune(t: AirTuning): void {
    const s = this.sent;
    if (s && s.freqHz === t.freqHz && s.bwHz === t.bwHz && s.sf === t.sf && s.cr === t.cr && s.syncWord === t.syncWord && s.preamble === t.preamble) return;
    if (this.link.send({ op: 'tune', tuning: t })) this.sent = { ...t };
  }

  private refused(): void {
    const f = this.pending.shift();
    if (!f) return;
    this.counts.txRefused++;
    this.lossListener('tx-refused');
    this.endLocally(f);
  }

  private endLocally(frame: AirFrame, chip = this.chip): void {
    const wait = Math.max(0, frame.endAt - this.init.chipClock.now());
    this.init.chipClock.schedule(wait, () => chip?.airTxDone(frame));
  }

  private heard(data: Uint8Array, rssiDbm: number, snrDb: number): void {
    const t = this.sent;
    const chip = this.chip;
    if (!t || !chip) return;
    this.counts.framesIn++;
    const now = this.init.chipClock.now();
    const ms = timeOnAirMs({ spreadingFactor: t.sf, bandwidthHz: t.bwHz, codingRate: t.cr, preambleLength: t.preamble, explicitHeader: true, crcOn: true }, data.length);
    const frame: AirFrame = {
      id: this.nextId++, from: 'air', frf: frequencyToFrf(t.freqHz), frequencyHz: t.freqHz, sf: t.sf, bandwidthHz: t.bwHz,
      codingRate: t.cr, ldro: ldroByRule(t.sf, t.bwHz), preamble: t.preamble, explicitHeader: true, crcOn: true, invertIq: false,
      syncWord: syncWordPair(t.syncWord), payload: data, txPowerDbm: 0, startAt: now - ms, endAt: now, truncated: false,
    };
    // The whole frame at once: preamble (the chip locks on when it is in RX on its settings), then its end.
    chip.airStart({ frame, rssiDbm, snrDb, decodable: true });
    chip.airEnd(frame);
  }
}
