/**
 * The SX126x LoRa driver: LoraRadio over the chip layer. Sequences follow DS.SX1261-2 §14 (basic TX/RX operation)
 * and RadioLib SX126x.cpp (begin/config/stageMode/launchMode/readData/startChannelScan), with the datasheet §15
 * errata fixes: BW500 sensitivity (0x0889), PA clamping (0x08D8), implicit-header timeout (0x0902/0x0944) and
 * inverted-IQ polarity (0x0736).
 */
import { sleep } from '../../lib/abort/sleep.js';
import { systemTimerClock, type CancelTimer, type TimerClock } from '../../lib/clock/timer-clock.js';
import { isTimeout, timeoutSignal } from '../hal/abort.js';
import { Sx126xChip } from './chip.js';
import {
  Sx126xBusyTimeoutError, Sx126xChannelBusyError, Sx126xChipNotFoundError, Sx126xChipResetError, Sx126xCommandError, Sx126xIrqTimeoutError,
  Sx126xPayloadError, Sx126xStateError, Sx126xTxTimeoutError,
} from './errors.js';
import { probeChip } from './health-check.js';
import { Irq } from './irq.js';
import { cadParamsFor, LBT_DEFAULT_ATTEMPTS, lbtBackoffMs, postRxQuietMs } from './listen-before-talk.js';
import type { LoraModulation, LoraRadio, LoraRadioEvent, RxPacket } from './lora-radio.js';
import { RX_ACTIVE_IRQS, RX_STALE_IRQS, rxActivityLimitMs, rxActivityPollMs } from './rx-activity.js';
import { ChipMode } from './status.js';
import {
  bandwidthCode, frequencyToFrf, imageCalibration, syncWordRegisters, validateModulation,
} from './modulation.js';
import {
  CadExitMode, CadSymbols, CalibrateAll, DeviceError, FallbackMode, MAX_PAYLOAD, PacketType, RAMP_200_US, RegulatorMode,
  RTC_STEP_US, RxTimeout, StandbyMode, TcxoVoltages,
} from './params.js';
import { paSettings } from './pa-table.js';
import { Register } from './registers.js';
import type { Sx126xHal } from './sx126x-hal.js';
import { lowDataRateOptimizeFor, symbolTimeMs } from '../../lib/lora/modulation.js';
import { timeOnAirMs } from '../../lib/lora/time-on-air.js';
import { Variants, type Sx126xVariant } from './variant.js';

export interface Sx126xRadioInit {
  hal: Sx126xHal;
  variant?: Sx126xVariant;
  /** TCXO supply voltage driven on DIO3 (1.6..3.3 V); undefined = crystal board. E22/RAK13300 boards: 1.8 V. */
  tcxoVoltage?: number;
  /** TCXO start-up delay (RadioLib default 5 ms). */
  tcxoDelayMs?: number;
  /** Let DIO2 drive the RF switch (most modules); false when RXEN/TXEN pins do it. Default true. */
  dio2RfSwitch?: boolean;
  /** DC-DC (default, RadioLib) or LDO regulator. */
  regulator?: 'dcdc' | 'ldo';
  /** RX boosted gain (0x08AC = 0x96, ≈+3 dB, ≈+2 mA; LoRaMac-node SX126xSetRxBoosted). */
  rxBoostedGain?: boolean;
  /** Named in chip-not-found errors. */
  wiring?: string;
  /** ms clock for RxPacket.receivedAt (default Date.now). */
  clock?: () => number;
  /** Calibrate settle time before waiting on BUSY (RadioLib: 5 ms). */
  calibrateDelayMs?: number;
  /**
   * Time and timers of the health check, the listen-before-talk back-off and the wait for a frame being received
   * (default the system's; the emulator's chip time in tests, sim/sim-clock.ts simTimerClock).
   */
  timers?: TimerClock;
  /**
   * Period of the health check (chip mode, packet type, register read-back; health-check.ts), ms; it also runs after
   * every failed command and TX timeout. A chip found reset is re-initialised and counted. 0 = only after errors.
   * Default 30 s: a chip that reset on its own leaves the relay deaf for at most that long.
   */
  healthCheckIntervalMs?: number;
  /** CAD before every transmit with a back-off scaled to the modulation (listen-before-talk.ts); default on with
   * LBT_DEFAULT_ATTEMPTS CADs. false: transmit without listening (the caller does its own). */
  listenBeforeTalk?: boolean | { attempts?: number };
  /** Random source of the back-off (default Math.random). */
  random?: () => number;
}

const DEFAULT_HEALTH_CHECK_MS = 30_000;

const RX_IRQS = Irq.RxDone | Irq.Timeout | Irq.CrcErr | Irq.HeaderValid | Irq.HeaderErr | Irq.PreambleDetected;

export class Sx126xRadio implements LoraRadio {
  readonly chip: Sx126xChip;
  private readonly variant: Sx126xVariant;
  private modulation: LoraModulation | undefined;
  /** (f1 << 8 | f2) of the last CalibrateImage; undefined after init (Calibrate resets it to 902–928 MHz). */
  private lastImageCalibration: number | undefined;
  /** The TCXO voltage in use: the configured one, or undefined after falling back to a crystal. */
  private tcxoVoltage: number | undefined;
  private started = false;
  private closed = false;
  private rxWanted = false;
  private rxLoop: { abort: AbortController; done: Promise<void> } | undefined;
  private lock: Promise<unknown> = Promise.resolve();
  private readonly packetListeners = new Set<(p: RxPacket) => void>();
  private readonly errorListeners = new Set<(e: Error) => void>();
  private readonly eventListeners = new Set<(e: LoraRadioEvent) => void>();
  private readonly timers: TimerClock;
  private readonly random: () => number;
  /** CADs per transmit (0 = listen before talk off). */
  private readonly lbtAttempts: number;
  private healthTimer: CancelTimer | undefined;
  /** The chip mode the driver left the chip in: RX after enterRx, standby after anything else (the health check). */
  private expectRx = false;
  /** When the current PreambleDetected/HeaderValid/RxDone was first seen (rx-activity.ts), timer ms. */
  private activeSince: number | undefined;
  /** When the last received frame ended (RxDone serviced, or a frame waited for was over), timer ms. */
  private lastFrameEndAt = Number.NEGATIVE_INFINITY;
  /**
   * Counters for metrics and tests: healthChecks run, reinitialisations after a chip found reset, channelBusy CADs,
   * lbtGaveUp transmits refused after the last busy CAD, txDeferredForRx transmits that waited for a frame being
   * received, rxFalseDetections (a PreambleDetected/HeaderValid that stood too long and was ignored).
   */
  readonly stats = {
    txPackets: 0, rxPackets: 0, rxCrcErrors: 0, busyRecoveries: 0, cadRuns: 0,
    healthChecks: 0, reinitialisations: 0, channelBusy: 0, lbtGaveUp: 0, txDeferredForRx: 0, rxFalseDetections: 0,
  };
  readonly listensBeforeTalk: boolean;

  constructor(private readonly init: Sx126xRadioInit) {
    this.variant = init.variant ?? 'sx1262';
    this.chip = new Sx126xChip(init.hal, init.wiring);
    this.tcxoVoltage = init.tcxoVoltage;
    this.timers = init.timers ?? systemTimerClock;
    this.random = init.random ?? Math.random;
    const lbt = init.listenBeforeTalk ?? true;
    this.lbtAttempts = lbt === false ? 0 : Math.max(1, (typeof lbt === 'object' ? lbt.attempts : undefined) ?? LBT_DEFAULT_ATTEMPTS);
    this.listensBeforeTalk = this.lbtAttempts > 0;
    if (init.tcxoVoltage !== undefined && !TcxoVoltages.some((v) => Math.abs(v - init.tcxoVoltage!) < 1e-6))
      throw new RangeError(`tcxoVoltage must be one of ${TcxoVoltages.join(', ')} V, got ${init.tcxoVoltage}`);
  }

  /** Reset, find the chip and run the init sequence. configure() calls it when needed. */
  async start(opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.closed) throw new Sx126xStateError('radio is closed');
    await this.exclusive(() => this.initialise(opts.signal));
  }

  async configure(m: LoraModulation, opts: { signal?: AbortSignal } = {}): Promise<void> {
    validateModulation(m, this.variant);
    return this.guarded(async () => {
      const resume = await this.pauseRx();
      await this.exclusive(async () => {
        if (!this.started) await this.initialise(opts.signal);
        await this.applyModulation(m, opts.signal);
      });
      if (resume) await this.resumeRx(opts.signal);
    });
  }

  async transmit(payload: Uint8Array, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<{ airtimeMs: number }> {
    if (payload.length < 1 || payload.length > MAX_PAYLOAD) throw new Sx126xPayloadError(payload.length, MAX_PAYLOAD);
    const m = this.requireModulation();
    if (!m.explicitHeader && payload.length !== (m.implicitPayloadLength ?? MAX_PAYLOAD))
      throw new Sx126xPayloadError(payload.length, m.implicitPayloadLength ?? MAX_PAYLOAD);
    return this.guarded(() => this.transmitPolitely(m, payload, opts), opts.signal);
  }

  async startReceive(opts: { signal?: AbortSignal } = {}): Promise<void> {
    this.requireModulation();
    return this.guarded(async () => {
      this.rxWanted = true;
      await this.pauseRx();
      await this.resumeRx(opts.signal);
    });
  }

  async channelActivity(opts: { signal?: AbortSignal } = {}): Promise<boolean> {
    const m = this.requireModulation();
    return this.guarded(async () => {
      const resume = await this.pauseRx();
      try {
        return await this.exclusive(() => this.doCad(m, opts.signal));
      } finally {
        if (resume) await this.resumeRx(opts.signal).catch((e: Error) => this.report(e));
      }
    });
  }

  /**
   * Instantaneous RSSI in dBm (GetRssiInst) for energy-based listen-before-talk; only meaningful while receiving
   * (startReceive), as the datasheet defines it in RX mode.
   */
  async instantRssi(opts: { signal?: AbortSignal } = {}): Promise<number> {
    if (!this.rxWanted) throw new Sx126xStateError('instantRssi() needs startReceive() first');
    return this.guarded(() => this.exclusive(() => this.chip.getRssiInst(opts)));
  }

  onPacket(listener: (p: RxPacket) => void): () => void {
    this.packetListeners.add(listener);
    return () => this.packetListeners.delete(listener);
  }

  /** What the driver handled by itself: chip re-initialisations, busy CADs (LoraRadioEvent). */
  onEvent(listener: (e: LoraRadioEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Errors the receive loop met on its own (and recovered from, or not). */
  onError(listener: (e: Error) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  async standby(): Promise<void> {
    this.rxWanted = false;
    await this.pauseRx();
    if (this.started) await this.exclusive(() => this.toStandby());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.rxWanted = false;
    await this.pauseRx();
    this.closed = true;
    this.healthTimer?.();
    this.healthTimer = undefined;
    if (this.started) await this.exclusive(() => this.toStandby()).catch(() => undefined);
    await this.init.hal.close();
  }

  /** Time on air of a payload with the current modulation (Semtech formula). */
  timeOnAirMs(length: number): number {
    const m = this.requireModulation();
    return timeOnAirMs(m, length);
  }

  // ------------------------------------------------------------------ sequences

  private async initialise(signal?: AbortSignal): Promise<void> {
    const { chip } = this;
    const hal = this.init.hal;
    this.started = false;
    this.expectRx = false;
    this.activeSince = undefined;
    await hal.reset({ signal });
    // "SX126x often refuses first few commands after reset": retry SetStandby(RC) every 10 ms for up to 1 s
    // (RadioLib SX126x::reset). A stale error status right after reset is expected and not a failure.
    const deadline = Date.now() + 1000;
    for (;;) {
      try {
        await chip.setStandby(StandbyMode.Rc, { signal });
        await chip.getStatus({ signal });
        break;
      } catch (err) {
        if ((err as Error).name === 'Sx126xChipNotFoundError' || Date.now() >= deadline) {
          if ((err as Error).name === 'Sx126xCommandError') throw new Sx126xChipNotFoundError('no-response', (err as Error).message, chip.wiring);
          throw err;
        }
        await sleep(10, { signal });
      }
    }
    const version = await chip.readRegister(Register.VersionString, 16, { signal });
    const text = new TextDecoder('latin1').decode(version.subarray(0, version.indexOf(0) >= 0 ? version.indexOf(0) : 16));
    const expected = Variants[this.variant].versionPrefix;
    if (!text.startsWith(expected)) throw new Sx126xChipNotFoundError('wrong-version', text, `${chip.wiring}, and that the board carries an ${this.variant} (expected "${expected}…")`);

    if (this.tcxoVoltage !== undefined) {
      // Clear the XOSC start error the chip logs before it knows about the TCXO (RadioLib SX126x::setTCXO).
      await chip.clearDeviceErrors({ signal });
      const code = TcxoVoltages.findIndex((v) => Math.abs(v - this.tcxoVoltage!) < 1e-6);
      await chip.setDio3AsTcxoCtrl(code, Math.round(((this.init.tcxoDelayMs ?? 5) * 1000) / RTC_STEP_US), { signal });
    }
    await chip.setBufferBaseAddress(0x00, 0x00, { signal });
    await chip.setPacketType(PacketType.Lora, { signal });
    await chip.setRxTxFallbackMode(FallbackMode.StbyRc, { signal });
    await chip.clearIrqStatus(Irq.All, { signal });
    await chip.setDioIrqParams(Irq.None, Irq.None, 0, 0, { signal });
    await chip.calibrate(CalibrateAll, { signal });
    await sleep(this.init.calibrateDelayMs ?? 5, { signal });
    await hal.waitReady({ signal });
    try {
      await chip.getStatus({ signal });
    } catch (err) {
      const explained = await this.explainOscillator(err, signal);
      if (explained !== err && this.tcxoVoltage !== undefined) {
        // RadioLib SX126x::modSetup: "SPI command fail and oscillator start error flag indicate incorrectly set
        // oscillator" -> disable the TCXO, reset and configure again as a crystal board. Reported, not thrown.
        this.report(explained as Error);
        this.tcxoVoltage = undefined;
        return this.initialise(signal);
      }
      throw explained;
    }
    await chip.setRegulatorMode(this.init.regulator === 'ldo' ? RegulatorMode.Ldo : RegulatorMode.DcDc, { signal });
    // Datasheet §15.2: PA clamping on antenna mismatch; set 0x08D8 bits 4:1 (RadioLib fixPaClamping).
    const clamp = await chip.readRegister(Register.TxClampConfig, 1, { signal });
    await chip.writeRegister(Register.TxClampConfig, Uint8Array.of(clamp[0]! | 0x1e), { signal });
    if (this.init.dio2RfSwitch ?? true) await chip.setDio2AsRfSwitchCtrl(true, { signal });
    if (this.init.rxBoostedGain) {
      await chip.writeRegister(Register.RxGain, Uint8Array.of(0x96), { signal });
      // Keep it across a warm-start sleep: one retention entry, 0x08AC (DS §9.6; RadioLib setRxBoostedGainMode persist).
      await chip.writeRegister(Register.RetentionList, Uint8Array.of(0x01, Register.RxGain >> 8, Register.RxGain & 0xff), { signal });
    }
    this.lastImageCalibration = undefined;
    this.started = true;
    this.armHealthCheck();
    if (this.modulation) await this.applyModulation(this.modulation, signal);
  }

  /**
   * A failed Calibrate with XOSC_START_ERR in GetDeviceErrors means the reference did not start: on a TCXO board
   * (E22, RAK13300, Core1262) the driver must power it through DIO3 (RadioLib config(); MeshCore retries with 0 V the
   * other way round). Name that in the error instead of a bare "failure to execute".
   */
  private async explainOscillator(err: unknown, signal?: AbortSignal): Promise<unknown> {
    if (!(err instanceof Sx126xCommandError)) return err;
    const errors = await this.chip.getDeviceErrors({ signal }).catch(() => 0);
    if (!(errors & DeviceError.XoscStart)) return err;
    const hint = this.tcxoVoltage === undefined
      ? 'the oscillator did not start (XOSC_START_ERR): this board probably has a TCXO; set tcxoVoltage (1.8 V on E22/RAK13300/Core1262 modules)'
      : `the TCXO did not start at ${this.tcxoVoltage} V (XOSC_START_ERR): falling back to the crystal configuration (RadioLib does the same); set tcxoVoltage to none for this board`;
    return new Sx126xCommandError(err.opcode, err.status, hint);
  }

  /** Datasheet §14.2 order: frequency, PA, TX params, modulation, packet, sync word. */
  private async applyModulation(m: LoraModulation, signal?: AbortSignal): Promise<void> {
    const { chip } = this;
    const v = Variants[this.variant];
    this.expectRx = false;
    await chip.setStandby(StandbyMode.Rc, { signal });
    // CalibrateImage whenever the frequency needs another (f1, f2) than the last one: RadioLib's "moved by 20 MHz"
    // rule (SX126x::setFrequency) misses a move out of a ±4 MHz custom range, e.g. 433.875 -> 446 MHz.
    const [f1, f2] = imageCalibration(m.frequencyHz);
    if (this.lastImageCalibration !== (f1 << 8 | f2)) {
      await chip.calibrateImage(f1, f2, { signal });
      await this.init.hal.waitReady({ signal });
      await chip.getStatus({ signal });
      this.lastImageCalibration = f1 << 8 | f2;
    }
    await chip.setRfFrequency(frequencyToFrf(m.frequencyHz), { signal });
    // PA per output power from RadioLib's measured table (pa-table.ts; SX1262/SX1268::setOutputPower).
    const pa = paSettings(this.variant, m.txPowerDbm);
    await chip.setPaConfig(pa.paDutyCycle, pa.hpMax, pa.deviceSel, pa.paLut, { signal });
    // SetPaConfig resets OCP; restore the variant's limit (LoRaMac-node SX126xSetTxParams: 0x38 = 140 mA).
    await chip.writeRegister(Register.OcpConfiguration, Uint8Array.of(v.ocp), { signal });
    await chip.setTxParams(pa.txParamsDbm, RAMP_200_US, { signal });
    await chip.setModulationParamsLora(m.spreadingFactor, bandwidthCode(m.bandwidthHz), m.codingRate, lowDataRateOptimizeFor(m), { signal });
    // Datasheet §15.4: 0x0736 bit 2 cleared for inverted IQ, set for standard IQ, before SetPacketParams.
    const iq = await chip.readRegister(Register.IqPolarity, 1, { signal });
    await chip.writeRegister(Register.IqPolarity, Uint8Array.of(m.invertIq ? iq[0]! & ~0x04 : iq[0]! | 0x04), { signal });
    await chip.setPacketParamsLora(m.preambleLength, m.explicitHeader, this.rxLength(m), m.crcOn, m.invertIq, { signal });
    await chip.writeRegister(Register.LoraSyncWordMsb, Uint8Array.from(syncWordRegisters(m.syncWord)), { signal });
    // CAD: 8 symbols, detPeak SF+13, detMin 10, exit to standby (RadioLib config()/setCad defaults).
    await chip.setCadParams(CadSymbols[8], m.spreadingFactor + 13, 10, CadExitMode.Standby, 0, { signal });
    this.modulation = { ...m };
  }

  private async doTransmit(m: LoraModulation, payload: Uint8Array, opts: { signal?: AbortSignal; timeoutMs?: number }): Promise<{ airtimeMs: number }> {
    const { chip } = this;
    const { signal } = opts;
    const airtimeMs = timeOnAirMs(m, payload.length);
    // RadioLib SX126x::transmit: timeout = 5 ms + 5 × time on air.
    const timeoutMs = opts.timeoutMs ?? 5 + 5 * airtimeMs;
    // Standby before touching the buffer and SetTx (RadioLib SX126x::transmit): from RX, the modem would write a
    // frame it is receiving into the buffer we fill, and SetTx would cut it off.
    this.expectRx = false;
    await chip.setStandby(StandbyMode.Rc, { signal });
    await chip.setPacketParamsLora(m.preambleLength, m.explicitHeader, payload.length, m.crcOn, m.invertIq, { signal });
    await chip.setDioIrqParams(Irq.TxDone | Irq.Timeout, Irq.TxDone, 0, 0, { signal });
    await chip.writeBuffer(0x00, payload, { signal });
    await chip.clearIrqStatus(Irq.All, { signal });
    // Datasheet §15.1: 0x0889 bit 2 cleared at BW500, set otherwise, before each transmission (RadioLib fixSensitivity).
    const sens = await chip.readRegister(Register.TxModulation, 1, { signal });
    await chip.writeRegister(Register.TxModulation, Uint8Array.of(m.bandwidthHz === 500000 ? sens[0]! & ~0x04 : sens[0]! | 0x04), { signal });
    await this.init.hal.setRfSwitch('tx');
    try {
      await chip.setTx(0, { signal });
      await chip.getStatus({ signal });
      const irq = await this.waitForIrq(Irq.TxDone | Irq.Timeout, timeoutMs, 'TxDone', signal).catch((err: Error) => {
        throw err.name === 'Sx126xIrqTimeoutError' ? new Sx126xTxTimeoutError(timeoutMs, airtimeMs) : err;
      });
      await chip.clearIrqStatus(Irq.All, { signal });
      if (!(irq & Irq.TxDone)) throw new Sx126xTxTimeoutError(timeoutMs, airtimeMs);
      this.stats.txPackets++;
      return { airtimeMs };
    } finally {
      await this.init.hal.setRfSwitch('off');
      // The chip falls back to STDBY_RC by itself after TxDone (SetRxTxFallbackMode 0x20); on error force it.
      await chip.setStandby(StandbyMode.Rc).catch(() => undefined);
    }
  }

  private async doCad(m: LoraModulation, signal?: AbortSignal): Promise<boolean> {
    const { chip } = this;
    this.expectRx = false;
    // RadioLib SX126x::startChannelScan order; the CAD parameters are set right before SetCad, as its setCad() does
    // (the ones config() leaves are placeholders).
    await chip.setStandby(StandbyMode.Rc, { signal });
    await chip.setDioIrqParams(Irq.CadDone | Irq.CadDetected, Irq.CadDone | Irq.CadDetected, 0, 0, { signal });
    await chip.clearIrqStatus(Irq.All, { signal });
    await this.init.hal.setRfSwitch('rx');
    try {
      const cad = cadParamsFor(m.spreadingFactor);
      await chip.setCadParams(cad.symbolCode, cad.detPeak, cad.detMin, cad.exitMode, 0, { signal });
      await chip.setCad({ signal });
      await chip.getStatus({ signal });
      // 4 symbols of CAD plus processing; generous bound for slow hosts.
      const waitMs = 1000 + 16 * symbolTimeMs(m);
      const irq = await this.waitForIrq(Irq.CadDone, waitMs, 'CadDone', signal);
      await chip.clearIrqStatus(Irq.All, { signal });
      this.stats.cadRuns++;
      return (irq & Irq.CadDetected) !== 0;
    } finally {
      await this.init.hal.setRfSwitch('off');
    }
  }

  /**
   * Wait on DIO1 until the IRQ register shows one of `want`. A wake-up without it (a stale or shared DIO1 report,
   * e.g. an IRQ event from the serial bridge for an edge already cleared) is read, ignored and waited out.
   */
  private async waitForIrq(want: number, timeoutMs: number, what: string, signal?: AbortSignal): Promise<number> {
    const t = timeoutSignal(signal, timeoutMs, what);
    try {
      for (;;) {
        await this.init.hal.waitIrq({ signal: t.signal });
        const irq = await this.chip.getIrqStatus({ signal: t.signal });
        if (irq & want) return irq;
      }
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (isTimeout(err) || t.signal.aborted) throw new Sx126xIrqTimeoutError(what, timeoutMs);
      throw err;
    } finally {
      t.clear();
    }
  }

  private async enterRx(signal?: AbortSignal): Promise<void> {
    const m = this.requireModulation();
    const { chip } = this;
    await chip.setStandby(StandbyMode.Rc, { signal });
    await chip.setDioIrqParams(RX_IRQS, Irq.RxDone, 0, 0, { signal });
    await chip.clearIrqStatus(Irq.All, { signal });
    await chip.setPacketParamsLora(m.preambleLength, m.explicitHeader, this.rxLength(m), m.crcOn, m.invertIq, { signal });
    await this.init.hal.setRfSwitch('rx');
    await chip.setRx(RxTimeout.Continuous, { signal });
    await chip.getStatus({ signal });
    this.expectRx = true;
    this.activeSince = undefined;
  }

  private async toStandby(): Promise<void> {
    this.expectRx = false;
    await this.chip.setStandby(StandbyMode.Rc);
    await this.init.hal.setRfSwitch('off');
    const m = this.modulation;
    if (m && !m.explicitHeader) {
      // Datasheet §15.3: after RX in implicit-header mode stop the RTC and clear the timeout event
      // (RadioLib fixImplicitTimeout).
      await this.chip.writeRegister(Register.RtcControl, Uint8Array.of(0x00));
      const ev = await this.chip.readRegister(Register.EventMask, 1);
      await this.chip.writeRegister(Register.EventMask, Uint8Array.of(ev[0]! | 0x02));
    }
  }

  /** Service one DIO1 event in RX (RadioLib readData). */
  private async serviceRx(): Promise<void> {
    const { chip } = this;
    const irq = await chip.getIrqStatus();
    if (!(irq & Irq.RxDone)) {
      await chip.clearIrqStatus(irq || Irq.All);
      return;
    }
    const crcError = (irq & Irq.CrcErr) !== 0 || ((irq & Irq.HeaderErr) !== 0 && (irq & Irq.HeaderValid) === 0);
    const { payloadLength, rxStartPointer } = await chip.getRxBufferStatus();
    const payload = await chip.readBuffer(rxStartPointer, payloadLength);
    const ps = await chip.getPacketStatus();
    await chip.clearIrqStatus(Irq.All);
    this.lastFrameEndAt = this.timers.now();
    this.stats.rxPackets++;
    if (crcError) this.stats.rxCrcErrors++;
    const packet: RxPacket = { payload, rssi: ps.rssiPkt, snr: ps.snrPkt, crcError, receivedAt: (this.init.clock ?? Date.now)() };
    for (const l of this.packetListeners) {
      try {
        l(packet);
      } catch (e) {
        this.report(e as Error);
      }
    }
  }

  // ------------------------------------------------------------------ receive loop and exclusion

  /** Restart the receive loop; `reenter` false when the chip is still in RX (only the loop was paused). */
  private async resumeRx(signal?: AbortSignal, reenter = true): Promise<void> {
    if (!this.rxWanted || this.closed) return;
    if (reenter || !this.expectRx) await this.exclusive(() => this.enterRx(signal));
    const abort = new AbortController();
    const done = this.runRxLoop(abort.signal);
    this.rxLoop = { abort, done };
  }

  /** Stop the receive loop (not the chip); returns whether receive should resume afterwards. */
  private async pauseRx(): Promise<boolean> {
    const loop = this.rxLoop;
    this.rxLoop = undefined;
    if (loop) {
      loop.abort.abort();
      await loop.done;
    }
    return this.rxWanted;
  }

  private async runRxLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.init.hal.waitIrq({ signal });
      } catch {
        return;
      }
      try {
        await this.exclusive(() => this.serviceRx());
      } catch (err) {
        if (err instanceof Sx126xBusyTimeoutError) {
          await this.exclusive(() => this.recover(err)).catch((e: Error) => this.report(e));
          if (!signal.aborted && this.rxWanted) await this.exclusive(() => this.enterRx()).catch((e: Error) => this.report(e));
        } else {
          this.report(err as Error);
          // A failed command while receiving: is the chip still ours? (re-initialises and re-enters RX if not)
          const reset = await this.exclusive(() => this.checkHealthLocked('error', err)).catch((e: Error) => (this.report(e), false));
          if (!reset) await this.timers.sleep(100, { signal }).catch(() => undefined);
          if (!signal.aborted && !this.expectRx) await this.exclusive(() => this.enterRx()).catch((e: Error) => this.report(e));
        }
      }
    }
  }

  /**
   * Run fn. On a stuck BUSY reset the chip, re-initialise, resume receive, and rethrow marked recovered. On any other
   * chip failure (a command error, a TX or IRQ timeout) run the health check: when it finds the chip reset under us
   * (and re-initialises it), run fn once more, since the failure was the reset's and the chip is ours again.
   */
  private async guarded<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) throw new Sx126xStateError('radio is closed');
    try {
      return await fn();
    } catch (err) {
      if (err instanceof Sx126xBusyTimeoutError) {
        await this.pauseRx();
        await this.exclusive(() => this.recover(err));
        if (this.rxWanted) await this.resumeRx().catch((e: Error) => this.report(e));
        throw err;
      }
      if (!this.started || this.closed || signal?.aborted || !isChipFailure(err)) throw err;
      const reset = await this.exclusive(() => this.checkHealthLocked('error', err)).catch((e: Error) => (this.report(e), false));
      if (this.rxWanted && !this.rxLoop) await this.resumeRx().catch((e: Error) => this.report(e));
      if (!reset) throw err;
      return await fn();
    }
  }

  // ------------------------------------------------------------------ health check

  private armHealthCheck(): void {
    const period = this.init.healthCheckIntervalMs ?? DEFAULT_HEALTH_CHECK_MS;
    if (this.healthTimer || this.closed || period <= 0) return;
    this.healthTimer = this.timers.setTimer(period, () => {
      this.healthTimer = undefined;
      void this.exclusive(() => this.checkHealthLocked('timer'))
        .catch((e: Error) => this.report(e))
        .finally(() => this.armHealthCheck());
    }, { unref: true, name: 'sx126x-health-check' });
  }

  /**
   * Under the lock: probe the chip (health-check.ts) against what the driver left it in; on a mismatch re-initialise
   * it fully (reset, calibrate, configure), put it back in RX if the receive loop runs, count and report it.
   * Returns whether it re-initialised.
   */
  private async checkHealthLocked(trigger: 'timer' | 'error', cause?: unknown): Promise<boolean> {
    if (!this.started || this.closed) return false;
    const m = this.modulation;
    this.stats.healthChecks++;
    const mismatch = await probeChip(this.chip, {
      chipMode: this.expectRx ? ChipMode.Rx : ChipMode.StbyRc,
      ...(m ? { syncWord: syncWordRegisters(m.syncWord) } : {}),
    });
    if (mismatch === undefined) return false;
    await this.initialise();
    this.stats.reinitialisations++;
    this.report(new Sx126xChipResetError(mismatch, trigger, cause));
    this.emit({ type: 'reinitialised', trigger, mismatch });
    if (this.rxLoop && this.rxWanted) await this.enterRx();
    return true;
  }

  // ------------------------------------------------------------------ transmit: wait for a frame being received, listen, send

  /**
   * One transmit: wait while a frame is being received (never cut it off nor overwrite it), then, with listen before
   * talk, CAD right before SetTx; a busy channel backs off (listen-before-talk.ts) and tries again, up to the limit.
   */
  private async transmitPolitely(m: LoraModulation, payload: Uint8Array, opts: { signal?: AbortSignal; timeoutMs?: number }): Promise<{ airtimeMs: number }> {
    const { signal } = opts;
    for (let cad = 1; ;) {
      await this.deferWhileReceiving(m, signal);
      const resume = await this.pauseRx();
      let outcome: { airtimeMs: number } | 'receiving' | 'busy' | undefined;
      try {
        outcome = await this.exclusive(async () => {
          // Looked again with the loop paused: a preamble may have started since.
          if (resume && (await this.rxActivity(m, signal))) return 'receiving';
          if (this.lbtAttempts > 0 && (await this.doCad(m, signal))) return 'busy';
          return this.doTransmit(m, payload, opts);
        });
      } finally {
        if (resume) await this.resumeRx(signal, outcome !== 'receiving').catch((e: Error) => this.report(e));
      }
      if (typeof outcome === 'object') return outcome;
      if (outcome === 'receiving') continue;
      this.stats.channelBusy++;
      this.emit({ type: 'channel-busy', attempt: cad, attempts: this.lbtAttempts });
      if (cad >= this.lbtAttempts) {
        this.stats.lbtGaveUp++;
        throw new Sx126xChannelBusyError(cad);
      }
      await this.timers.sleep(lbtBackoffMs(m, timeOnAirMs(m, payload.length), cad, this.random), { signal });
      cad++;
    }
  }

  /**
   * While the receive loop runs: wait (bounded, rx-activity.ts) until no frame is being received; then, with listen
   * before talk, keep quiet for postRxQuietMs after the end of the last frame heard, so a sender in the middle of a
   * fragment train is not cut in on the moment its frame ends (both CADs would find the channel clear).
   */
  private async deferWhileReceiving(m: LoraModulation, signal?: AbortSignal): Promise<void> {
    let waited = false;
    while (this.rxLoop && (await this.exclusive(() => this.rxActivity(m, signal)))) {
      if (!waited) this.stats.txDeferredForRx++;
      waited = true;
      await this.timers.sleep(rxActivityPollMs(m), { signal });
    }
    if (waited) this.lastFrameEndAt = Math.max(this.lastFrameEndAt, this.timers.now());
    if (this.lbtAttempts === 0) return;
    const quiet = this.lastFrameEndAt + postRxQuietMs(m, this.random) - this.timers.now();
    if (quiet > 0) await this.timers.sleep(quiet, { signal });
  }

  /**
   * Under the lock, in RX: is a frame under way (PreambleDetected/HeaderValid) or waiting to be read (RxDone)?
   * Flags that stand longer than rx-activity.ts allows, or a header error, end the wait and are cleared.
   */
  private async rxActivity(m: LoraModulation, signal?: AbortSignal): Promise<boolean> {
    if (!this.expectRx) return false;
    const irq = await this.chip.getIrqStatus({ signal });
    const headerFailed = (irq & Irq.HeaderErr) !== 0 && (irq & Irq.RxDone) === 0;
    if (!(irq & RX_ACTIVE_IRQS) || headerFailed) {
      if (headerFailed) await this.chip.clearIrqStatus(RX_STALE_IRQS, { signal });
      this.activeSince = undefined;
      return false;
    }
    const now = this.timers.now();
    this.activeSince ??= now;
    if (now - this.activeSince <= rxActivityLimitMs(m, irq)) return true;
    this.stats.rxFalseDetections++;
    await this.chip.clearIrqStatus(RX_STALE_IRQS, { signal });
    this.activeSince = undefined;
    return false;
  }

  private emit(e: LoraRadioEvent): void {
    for (const l of this.eventListeners) {
      try {
        l(e);
      } catch (err) {
        this.report(err as Error);
      }
    }
  }

  private async recover(err: Sx126xBusyTimeoutError): Promise<void> {
    this.report(err);
    await this.initialise();
    this.stats.busyRecoveries++;
    err.recovered = true;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private report(e: Error): void {
    for (const l of this.errorListeners) {
      try {
        l(e);
      } catch {
        /* a failing listener must not stop the others */
      }
    }
  }

  private requireModulation(): LoraModulation {
    if (!this.modulation) throw new Sx126xStateError('configure() the radio before using it');
    return this.modulation;
  }

  private rxLength(m: LoraModulation): number {
    return m.explicitHeader ? MAX_PAYLOAD : (m.implicitPayloadLength ?? MAX_PAYLOAD);
  }
}

/** Failures of the chip (worth a health check), not of the caller's input, the channel or an abort. */
function isChipFailure(err: unknown): boolean {
  const name = (err as Error | undefined)?.name;
  return !(err instanceof RangeError || err instanceof TypeError) && name !== 'AbortError' && name !== 'TimeoutError' &&
    name !== 'Sx126xChannelBusyError' && name !== 'Sx126xPayloadError' && name !== 'Sx126xStateError' && name !== 'Sx126xChipNotFoundError';
}
