/**
 * The native node's radio: an SX126x LoraRadio (drivers/sx126x) tuned to the Meshtastic channel (the preset's
 * modulation, sync word 0x2B, preamble 16, the region's frequency slot: lib/lora/meshtastic-presets.ts), in
 * continuous receive, behind the one airtime gate of the board (runtime/airtime: the region's duty cycle in the
 * persisted ledger). This is what the mesh router sees as its radio: frames in with RSSI/SNR, frames out with their
 * time on air, CAD for its contention window (firmware RadioLibInterface: startReceive, handleReceiveInterrupt,
 * startSend, isChannelActive).
 *
 * A frame the duty cycle has no room for is refused at once (DutyCycleExceededError), as the firmware refuses a send
 * over its duty cycle (Router::send DUTY_CYCLE_LIMIT) instead of queueing it for minutes. Transmissions are
 * serialised: the chip is half duplex.
 */
import type { LoraModulation, LoraRadio, RxPacket } from '../../../drivers/sx126x/lora-radio.js';
import { timeOnAirMs } from '../../../lib/lora/time-on-air.js';
import { TypedEmitter } from '../../../lib/events/typed-emitter.js';
import type { AirtimeGovernor } from '../../airtime/airtime-governor.js';
import type { Logger } from '../../log/logger.js';
import type { AirUtilisation } from './air-utilisation.js';
import type { NativeDropReason } from './native-metrics.js';

/** A frame heard on the air (CRC good). */
export interface AirFrame {
  bytes: Uint8Array;
  rssi: number;
  snr: number;
  /** Wall-clock ms when the chip raised RxDone. */
  receivedAt: number;
  /** Its time on air (for channel utilisation and the firmware's rx airtime). */
  airtimeMs: number;
}

export interface NativeRadioObserver {
  heard?(frame: AirFrame): void;
  sent?(bytes: Uint8Array, airtimeMs: number): void;
  dropped?(reason: NativeDropReason): void;
}

export interface NativeRadioInit {
  name: string;
  radio: LoraRadio;
  modulation: LoraModulation;
  governor: AirtimeGovernor;
  utilisation: AirUtilisation;
  log: Logger;
  observer?: NativeRadioObserver;
}

interface Events {
  frame: (frame: AirFrame) => void;
}

export class NativeRadio {
  private current: LoraModulation;
  private readonly events: TypedEmitter<Events>;
  private unsubscribe?: () => void;
  private queue: Promise<unknown> = Promise.resolve();
  private running = false;

  constructor(private readonly init: NativeRadioInit) {
    this.current = init.modulation;
    this.events = new TypedEmitter<Events>({ onListenerError: (err) => init.log.error('frame listener failed', { bearer: init.name, err }) });
  }

  /** The transmit power configured (what `modulation` has without a cap). */
  get configuredTxPowerDbm(): number {
    return this.init.modulation.txPowerDbm;
  }

  /** The channel and power in use (the configured modulation, its power capped by setTxPowerCap). */
  get modulation(): LoraModulation {
    return this.current;
  }

  /**
   * Caps the transmit power at `dbm` (a relay short of power, runtime/power), never above the configured power;
   * undefined = as configured. Applied in the transmit queue (configure + receive again), so no frame is cut.
   */
  setTxPowerCap(dbm: number | undefined): Promise<void> {
    const configured = this.init.modulation.txPowerDbm;
    const want = dbm === undefined ? configured : Math.min(dbm, configured);
    if (want === this.current.txPowerDbm) return Promise.resolve();
    this.current = { ...this.current, txPowerDbm: want };
    if (!this.running) return Promise.resolve();
    const run = this.queue.then(async () => {
      if (!this.running) return;
      await this.init.radio.configure(this.current);
      await this.init.radio.startReceive();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Tunes the chip and starts continuous receive. */
  async start(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.running) return;
    // Checks the channel lies in one sub-band of the region before touching the chip (ChannelOutOfBandError).
    this.init.governor.subBand(this.modulation.frequencyHz, this.modulation.bandwidthHz);
    await this.init.radio.configure(this.modulation, options);
    this.unsubscribe = this.init.radio.onPacket((p) => this.onPacket(p));
    await this.init.radio.startReceive(options);
    this.running = true;
  }

  /** Stops listening; the chip goes to standby (whoever opened it closes it). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.queue.catch(() => undefined);
    await this.init.radio.standby().catch(() => undefined);
  }

  onFrame(listener: (frame: AirFrame) => void): () => void {
    return this.events.on('frame', listener);
  }

  /** Time on air of a frame of `length` bytes on this channel (Semtech formula, as RadioInterface::getPacketTime). */
  timeOnAirMs(length: number): number {
    return timeOnAirMs(this.modulation, length);
  }

  /**
   * Puts one frame on the air once the duty cycle allows it now; resolves with its time on air. Rejects with
   * DutyCycleExceededError (no room now), DwellTimeExceededError, an AbortError, or the driver's transmit error.
   */
  transmit(bytes: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<{ airtimeMs: number }> {
    const run = this.queue.then(() => this.transmitNow(bytes, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** SX126x CAD: true when a LoRa preamble is on the channel (RadioLibInterface::isChannelActive). */
  channelActivity(options: { signal?: AbortSignal } = {}): Promise<boolean> {
    return this.init.radio.channelActivity(options);
  }

  private async transmitNow(bytes: Uint8Array, { signal }: { signal?: AbortSignal }): Promise<{ airtimeMs: number }> {
    const airtimeMs = this.timeOnAirMs(bytes.length);
    try {
      await this.init.governor.permit({ frequencyHz: this.modulation.frequencyHz, bandwidthHz: this.modulation.bandwidthHz, airtimeMs }, { signal });
    } catch (err) {
      if ((err as Error).name === 'DutyCycleExceededError' || (err as Error).name === 'DwellTimeExceededError') this.init.observer?.dropped?.('duty-cycle');
      throw err;
    }
    try {
      await this.init.radio.transmit(bytes, { signal });
    } catch (err) {
      if (!signal?.aborted) this.init.observer?.dropped?.('tx-failed');
      throw err;
    }
    this.init.utilisation.sent(airtimeMs);
    this.init.observer?.sent?.(bytes, airtimeMs);
    return { airtimeMs };
  }

  private onPacket(p: RxPacket): void {
    if (!this.running) return;
    if (p.crcError) {
      this.init.observer?.dropped?.('crc');
      return;
    }
    const frame: AirFrame = { bytes: p.payload, rssi: p.rssi, snr: p.snr, receivedAt: p.receivedAt, airtimeMs: this.timeOnAirMs(p.payload.length) };
    this.init.utilisation.heard(frame.airtimeMs);
    this.init.observer?.heard?.(frame);
    this.events.emit('frame', frame);
  }
}
