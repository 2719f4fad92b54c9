/**
 * An SX126x emulated at the SPI byte level, for tests and the simulated default of `lattice run`.
 *
 * Modelled (DS.SX1261-2 rev 2.2 and the SPI logs in jgromes/RadioLib#907/#1004/#740): chip modes and fallback,
 * the status byte on every MISO status position (bit 7 set except for GetStatus, 0xA2 in STDBY_RC), command status
 * codes (4 for unknown opcodes or wrong parameter counts, 5 for commands the mode or the oscillator forbids, a stale
 * 5 right after reset), BUSY high while a command executes (and through start-up, calibration, TCXO start and PA
 * ramp), a 256-byte data buffer with TX/RX base addresses, a register file with reset values, the IRQ register with
 * SetDioIrqParams masks and the DIO1 level, TxDone after the true time on air, RX timeout, CAD, packet status, and
 * faults: stuck BUSY, no chip on the bus, injected CRC and header errors. Any SPI transfer while BUSY is high is a
 * driver bug: it is recorded in `violations` and, when strict (default), the transfer throws BusyViolationError.
 * Sequences the chip accepts but a board punishes (driver-faults.ts: RX offset ignored, TCXO over-voltage, low-power
 * PA, image calibrated for another band, DIO2 switch never enabled, transmit from RX) are recorded in `driverFaults`
 * and thrown as EmulatorDriverFaultError when `strictDriver` is set; a frame the board cannot radiate (low-power PA,
 * RF switch left on RX) does not reach the air. The RX buffer start moves on in continuous RX, as on the chip.
 */
import type { SpiDevice } from '../../hal/spi-device.js';
import { Irq } from '../irq.js';
import { bandwidthFromCode, frfToFrequency } from '../modulation.js';
import { NOP, Opcode, opcodeName } from '../opcodes.js';
import { radiatedDbm } from '../pa-table.js';
import { DeviceError, RampTimesUs, RTC_STEP_US, TcxoVoltages } from '../params.js';
import { Register } from '../registers.js';
import { ChipMode, CommandStatus } from '../status.js';
import { symbolTimeMs } from '../../../lib/lora/modulation.js';
import { timeOnAirMs } from '../../../lib/lora/time-on-air.js';
import type { Sx126xVariant } from '../variant.js';
import type { AirFrame, AirPort, ChipRf, Heard } from './air-frame.js';
export type { AirFrame, AirPort, ChipRf, Heard } from './air-frame.js';
import { EmulatedLine } from './emulated-line.js';
import { CAD_SYMBOLS, READS, resetRegisters, resetState, STANDBY_ONLY, WRITE_LENGTHS } from './emulator-state.js';
import { clampByte, corrupt, resize, u24 } from './emulator-util.js';
import { DEFAULT_IMAGE_CALIBRATION, imageCalibrationCovers, type DriverFault, type DriverFaultKind } from './driver-faults.js';
import { BusyViolationError, EmulatorDriverFaultError, EmulatorLimitError } from './errors.js';
import type { SimClock } from './sim-clock.js';

type Mode = 'off' | 'reset' | 'sleep' | 'stbyRc' | 'stbyXosc' | 'fs' | 'rx' | 'tx' | 'cad';

export interface EmulatedSx126xOptions {
  name: string;
  clock: SimClock;
  variant?: Sx126xVariant;
  /** The board's reference is a TCXO powered from DIO3: XOSC fails until SetDIO3AsTCXOCtrl (E22, RAK13300). */
  tcxo?: boolean;
  /** The TCXO's rated supply (boards.ts tcxoVoltage); implies `tcxo`. A higher SetDIO3AsTCXOCtrl is a driver fault. */
  tcxoVoltage?: number;
  /** The board's RF switch is driven by DIO2 (boards.ts dio2RfSwitch): SetTx without SetDIO2AsRfSwitchCtrl radiates nothing. */
  dio2RfSwitch?: boolean;
  /** Throw EmulatorDriverFaultError on a driver fault (driver-faults.ts) instead of only recording it (default false). */
  strictDriver?: boolean;
  /** Throw BusyViolationError on a transfer while BUSY is high (default true). */
  strictBusy?: boolean;
  /** Start-up after NRESET release, chip ms (≈3.5 ms cold start, mbed-os SleepMode.txt). */
  startupMs?: number;
  /** A later frame this much weaker than the locked one leaves it intact (capture effect); default 6 dB. */
  captureThresholdDb?: number;
}

export interface EmulatorFaults {
  /** BUSY stuck high until the next NRESET pulse; commands are not executed. */
  stuckBusy: boolean;
  /** Nothing on the bus: MISO reads all 0x00 or all 0xFF, BUSY low. */
  noChip: false | 'zeros' | 'ones';
  /** The next n received packets get CrcErr and a corrupted payload. */
  crcErrors: number;
  /** The next n received packets fail header decoding (HeaderErr, no RxDone). */
  headerErrors: number;
}

export class EmulatedSx126x {
  readonly name: string;
  readonly busy = new EmulatedLine('BUSY', 0);
  readonly dio1 = new EmulatedLine('DIO1', 0);
  readonly nreset = new EmulatedLine('NRESET', 1);
  readonly spi: SpiDevice;
  readonly violations: string[] = [];
  readonly faults: EmulatorFaults = { stuckBusy: false, noChip: false, crcErrors: 0, headerErrors: 0 };
  /** Command sequences a real board punishes (driver-faults.ts), in order. */
  readonly driverFaults: DriverFault[] = [];
  /** Every executed command, for tests. */
  readonly commandLog: { opcode: number; data: Uint8Array; status: number }[] = [];
  air: AirPort | undefined;

  private readonly clock: SimClock;
  private readonly strict: boolean;
  private readonly tcxoBoard: boolean;
  private readonly tcxoRatedV: number | undefined;
  private readonly dio2Board: boolean;
  private readonly strictDriver: boolean;
  private readonly variant: Sx126xVariant;
  private readonly startupMs: number;
  private readonly captureDb: number;
  private mode: Mode = 'stbyRc';
  private busyHigh = false;
  private busyToken = 0;
  private cmdStatus: number = CommandStatus.Ok;
  private readonly regs = new Uint8Array(0x10000);
  private readonly buffer = new Uint8Array(256);
  private st = resetState();
  private timers: Array<() => void> = [];
  private locked: { frame: AirFrame; heard: Heard; collided: boolean } | undefined;
  private currentTx: AirFrame | undefined;

  constructor(opts: EmulatedSx126xOptions) {
    this.name = opts.name;
    this.clock = opts.clock;
    this.strict = opts.strictBusy ?? true;
    this.tcxoBoard = opts.tcxo ?? opts.tcxoVoltage !== undefined;
    this.tcxoRatedV = opts.tcxoVoltage;
    this.dio2Board = opts.dio2RfSwitch ?? false;
    this.strictDriver = opts.strictDriver ?? false;
    this.variant = opts.variant ?? 'sx1262';
    this.startupMs = opts.startupMs ?? 3.5;
    this.captureDb = opts.captureThresholdDb ?? 6;
    this.spi = { transfer: async (tx) => this.transfer(tx), close: async () => undefined };
    this.nreset.onWrite((level) => this.onReset(level));
    this.powerOn();
  }

  // ------------------------------------------------------------------ inspection for tests

  get chipMode(): Mode {
    return this.mode;
  }
  get irqStatus(): number {
    return this.st.irq;
  }
  register(address: number): number {
    return this.regs[address]!;
  }
  get txPowerDbm(): number {
    return this.st.txPower;
  }
  /** Current SetRfFrequency value and LoRa bandwidth: the channel the air delivers on. */
  get tunedFrf(): number {
    return this.st.frf;
  }
  get tunedBandwidthHz(): number {
    return bandwidthFromCode(this.st.bwCode);
  }
  /** True when the modem is locked onto a frame (preamble detected, not yet done). */
  get receiving(): boolean {
    return this.locked !== undefined;
  }

  /**
   * Test hook: the chip resets on its own (brown-out, ESD) without the driver pulsing NRESET. It comes back as after
   * power-on: BUSY high through start-up, then STDBY_RC, packet type GFSK, registers at their reset values, the
   * configuration and the buffer lost, DIO1 low. A frame it was sending is cut off the air.
   */
  resetOnItsOwn(): void {
    this.abortTransmission();
    this.powerOn();
  }

  // ------------------------------------------------------------------ SPI

  private transfer(tx: Uint8Array): Uint8Array {
    // The chip's own time has moved on even if the host's timers have not fired yet (sim-clock.ts runDue).
    this.clock.runDue();
    if (this.faults.noChip) return new Uint8Array(tx.length).fill(this.faults.noChip === 'ones' ? 0xff : 0x00);
    if (this.mode === 'off' || this.mode === 'reset') {
      this.violation(tx, 'chip held in reset or starting up');
      return new Uint8Array(tx.length);
    }
    if (this.mode === 'sleep') {
      // An NSS falling edge wakes the chip; the command itself is lost (DS §13.1.1; RadioLib sends a NOP).
      this.mode = 'stbyRc';
      this.holdBusy(this.st.warmStart ? 0.34 : 3.5);
      return new Uint8Array(tx.length);
    }
    if (this.busyHigh) {
      this.violation(tx, 'BUSY high');
      return new Uint8Array(tx.length).fill(0xff);
    }
    const opcode = tx[0]!;
    const statusByte = 0x80 | (this.statusMode() << 4) | (this.cmdStatus << 1);
    const rx = new Uint8Array(tx.length).fill(statusByte);
    if (opcode === NOP && tx.length === 1) return rx;
    const params = tx.subarray(1);
    if (opcode in READS) {
      const addr = READS[opcode]!;
      if (params.length < addr + 1) return this.finish(opcode, params, rx, CommandStatus.ProcessingError);
      if (opcode === Opcode.GetStatus) rx[1] = statusByte & 0x7f;
      const data = this.readData(opcode, params.subarray(0, addr), params.length - addr - 1);
      rx.set(data, 1 + addr + 1);
      return this.finish(opcode, params, rx, CommandStatus.Ok);
    }
    const len = WRITE_LENGTHS[opcode];
    if (opcode === Opcode.ResetStats && params.length === 6) {
      this.st.stats = { received: 0, crc: 0, header: 0 };
      return this.finish(opcode, params, rx, CommandStatus.Ok);
    }
    const okLen = len === undefined ? false : typeof len === 'number' ? params.length === len : params.length >= len[0] && params.length <= len[1];
    if (!okLen) return this.finish(opcode, params, rx, CommandStatus.ProcessingError);
    if (this.faults.stuckBusy) {
      this.busyHigh = true;
      this.busy.set(1);
      return rx;
    }
    return this.finish(opcode, params, rx, this.execute(opcode, params));
  }

  private finish(opcode: number, params: Uint8Array, rx: Uint8Array, status: number): Uint8Array {
    this.cmdStatus = status;
    this.commandLog.push({ opcode, data: Uint8Array.from(params), status });
    if (!this.busyHigh) this.holdBusy(0);
    return rx;
  }

  private driverFault(kind: DriverFaultKind, opcode: number, detail: string): void {
    this.driverFaults.push({ kind, opcode, detail });
    if (this.strictDriver) throw new EmulatorDriverFaultError(this.name, kind, detail);
  }

  /**
   * A command sequence the chip executes but a correct driver never sends (it loses data on the air): recorded in
   * `violations` for the test to see; not thrown, as the real chip does not refuse it.
   */
  private misuse(opcode: number, why: string): void {
    this.violations.push(`${opcodeName(opcode)}: ${why}`);
  }

  private violation(tx: Uint8Array, why: string): void {
    const mosi = Array.from(tx, (b) => b.toString(16).padStart(2, '0')).join(' ');
    this.violations.push(`${why}: ${mosi}`);
    if (this.strict) throw new BusyViolationError(this.name, mosi);
  }

  /** BUSY high now; low after chipMs (0 = as soon as the event loop turns: a few µs on the real chip). */
  private holdBusy(chipMs: number): void {
    const token = ++this.busyToken;
    this.busyHigh = true;
    this.busy.set(1);
    const release = () => {
      if (token !== this.busyToken || this.faults.stuckBusy) return;
      this.busyHigh = false;
      this.busy.set(0);
    };
    if (chipMs <= 0) setImmediate(release);
    else this.after(chipMs, release);
  }

  private statusMode(): number {
    switch (this.mode) {
      case 'stbyRc': return ChipMode.StbyRc;
      case 'stbyXosc': return ChipMode.StbyXosc;
      case 'fs': return ChipMode.Fs;
      case 'rx': case 'cad': return ChipMode.Rx;
      case 'tx': return ChipMode.Tx;
      default: return ChipMode.Unused;
    }
  }

  // ------------------------------------------------------------------ reset and power

  private resetRegisters(): void {
    resetRegisters(this.regs, this.variant);
  }

  private powerOn(): void {
    this.cancelTimers();
    this.st = resetState();
    this.resetRegisters();
    this.buffer.fill(0);
    this.locked = undefined;
    this.currentTx = undefined;
    this.dio1.set(0);
    this.mode = 'reset';
    // Observed: the first command after reset reports 0xAA (STDBY_RC, "failure to execute") (RadioLib#907/#1004).
    this.cmdStatus = CommandStatus.ExecutionFailure;
    // Without a TCXO supply yet, a TCXO board cannot start XOSC: logged as XOSC_START_ERR (RadioLib#907 log: 0x0020).
    if (this.tcxoBoard) this.st.deviceErrors |= DeviceError.XoscStart;
    const token = ++this.busyToken;
    this.busyHigh = true;
    this.busy.set(1);
    this.after(this.startupMs, () => {
      if (token !== this.busyToken) return;
      this.mode = 'stbyRc';
      if (!this.faults.stuckBusy) {
        this.busyHigh = false;
        this.busy.set(0);
      }
    });
  }

  private onReset(level: 0 | 1): void {
    if (this.faults.noChip) return;
    if (level === 0) {
      this.cancelTimers();
      this.abortTransmission();
      this.mode = 'off';
      ++this.busyToken;
      this.busyHigh = true;
      this.busy.set(1);
      this.dio1.set(0);
    } else {
      // A reset pulse clears a hung sequencer.
      this.faults.stuckBusy = false;
      this.powerOn();
    }
  }

  private after(chipMs: number, fn: () => void): void {
    const cancel = this.clock.schedule(chipMs, () => {
      this.timers = this.timers.filter((c) => c !== cancel);
      fn();
    });
    this.timers.push(cancel);
  }

  private cancelTimers(): void {
    for (const c of this.timers) c();
    this.timers = [];
  }

  // ------------------------------------------------------------------ commands

  private readData(opcode: number, addr: Uint8Array, n: number): Uint8Array {
    const out = new Uint8Array(n);
    const s = this.st;
    switch (opcode) {
      case Opcode.ReadRegister: {
        const a = (addr[0]! << 8) | addr[1]!;
        for (let i = 0; i < n; i++) out[i] = this.regs[(a + i) & 0xffff]!;
        break;
      }
      case Opcode.ReadBuffer:
        // After RxDone the packet sits at GetRxBufferStatus' start offset, which moves in continuous RX.
        if ((s.irq & Irq.RxDone) !== 0 && s.rxLength > 0 && ((addr[0]! - s.rxPointer) & 0xff) >= s.rxLength)
          this.driverFault('rx-buffer-offset', opcode, `ReadBuffer at ${addr[0]} but the last packet is ${s.rxLength} bytes at ${s.rxPointer} (GetRxBufferStatus)`);
        for (let i = 0; i < n; i++) out[i] = this.buffer[(addr[0]! + i) & 0xff]!;
        break;
      case Opcode.GetIrqStatus:
        out.set([s.irq >> 8, s.irq & 0xff].slice(0, n));
        break;
      case Opcode.GetPacketType:
        if (n > 0) out[0] = s.packetType;
        break;
      case Opcode.GetRssiInst: {
        if (n > 0) out[0] = Math.min(255, Math.max(0, Math.round(-2 * this.instantRssi())));
        break;
      }
      case Opcode.GetRxBufferStatus:
        out.set([s.rxLength, s.rxPointer].slice(0, n));
        break;
      case Opcode.GetPacketStatus:
        out.set([s.rssiPkt, s.snrPkt, s.signalRssiPkt].slice(0, n));
        break;
      case Opcode.GetDeviceErrors:
        out.set([s.deviceErrors >> 8, s.deviceErrors & 0xff].slice(0, n));
        break;
      case Opcode.GetStats: {
        const v = [s.stats.received, s.stats.crc, s.stats.header];
        const bytes = v.flatMap((x) => [(x >> 8) & 0xff, x & 0xff]);
        out.set(bytes.slice(0, n));
        break;
      }
    }
    return out;
  }

  private execute(op: number, p: Uint8Array): number {
    const s = this.st;
    const inStandby = this.mode === 'stbyRc' || this.mode === 'stbyXosc';
    if (STANDBY_ONLY.has(op) && !inStandby) return CommandStatus.ExecutionFailure;
    if (op === Opcode.SetDio3AsTcxoCtrl && this.mode !== 'stbyRc') return CommandStatus.ExecutionFailure;
    switch (op) {
      case Opcode.SetSleep:
        this.leaveActiveMode();
        s.warmStart = (p[0]! & 0x04) !== 0;
        this.mode = 'sleep';
        ++this.busyToken;
        this.busyHigh = true;
        this.busy.set(1);
        if (!s.warmStart) {
          // Cold start loses the configuration and the buffer.
          const stats = s.stats;
          this.st = resetState();
          this.st.stats = stats;
          this.resetRegisters();
        } else if (!this.retained(Register.RxGain)) {
          // Warm start keeps the configuration but not the RX gain unless it is in the retention list (DS §9.6;
          // RadioLib setRxBoostedGainMode(rxbgm, persist)).
          this.regs[Register.RxGain] = 0x94;
        }
        return CommandStatus.Ok;
      case Opcode.SetStandby:
        if (p[0]! > 1) return CommandStatus.ProcessingError;
        this.leaveActiveMode();
        if (p[0] === 1) {
          if (!this.xoscAvailable()) return CommandStatus.ExecutionFailure;
          this.mode = 'stbyXosc';
        } else this.mode = 'stbyRc';
        return CommandStatus.Ok;
      case Opcode.SetFs:
        if (!this.xoscAvailable()) return this.xoscFailure();
        this.leaveActiveMode();
        this.mode = 'fs';
        this.holdBusy(this.xoscStartMs() + 0.05);
        return CommandStatus.Ok;
      case Opcode.SetTx:
        // RadioLib SX126x::transmit puts the chip in standby before it writes the buffer and sets TX; SetTx straight
        // from RX drops whatever the modem was receiving.
        if (this.mode === 'rx') this.misuse(op, 'SetTx issued while in RX (SetStandby first)');
        return this.startTx(u24(p));
      case Opcode.SetRx:
        return this.startRx(u24(p));
      case Opcode.SetCad:
        return this.startCad();
      case Opcode.SetTxContinuousWave:
      case Opcode.SetTxInfinitePreamble:
      case Opcode.SetRxDutyCycle:
        throw new EmulatorLimitError(`${opcodeName(op)} is not modelled by the emulated SX126x`);
      case Opcode.StopTimerOnPreamble:
        return CommandStatus.Ok;
      case Opcode.SetRegulatorMode:
        if (p[0]! > 1) return CommandStatus.ProcessingError;
        s.regulator = p[0]!;
        return CommandStatus.Ok;
      case Opcode.Calibrate: {
        // PLL and ADC calibration need XOSC; with the wrong oscillator setting they fail (RadioLib config();
        // jgromes/RadioLib#100: TCXO voltage set on a crystal module gives SPI_CMD_FAILED).
        const needsXosc = (p[0]! & 0x3c) !== 0;
        this.holdBusy(3.5);
        // The image bit calibrates for 902–928 MHz, whatever the RF frequency (driver-faults.ts).
        if (p[0]! & 0x40) s.imageCal = [DEFAULT_IMAGE_CALIBRATION[0], DEFAULT_IMAGE_CALIBRATION[1]];
        if (needsXosc && !this.xoscAvailable()) {
          s.deviceErrors |= DeviceError.XoscStart | DeviceError.PllCalib;
          return CommandStatus.ExecutionFailure;
        }
        return CommandStatus.Ok;
      }
      case Opcode.CalibrateImage:
        this.holdBusy(1);
        if (!this.xoscAvailable()) {
          s.deviceErrors |= DeviceError.ImgCalib;
          return CommandStatus.ExecutionFailure;
        }
        s.imageCal = [p[0]!, p[1]!];
        return CommandStatus.Ok;
      case Opcode.SetPaConfig:
        if (p[2] === 0 && (p[0]! > 4 || p[1]! > 7))
          this.driverFault('pa-config-range', op, `SetPaConfig paDutyCycle ${p[0]}, hpMax ${p[1]}: the high-power PA allows at most 4 and 7 (DS §13.1.14)`);
        s.paConfig = Array.from(p);
        // SetPaConfig sets OCP to its default for the selected PA: 140 mA HP, 60 mA LP (DS §13.1.14 note).
        this.regs[Register.OcpConfiguration] = p[2] === 0 ? 0x38 : 0x18;
        return CommandStatus.Ok;
      case Opcode.SetRxTxFallbackMode:
        if (![0x20, 0x30, 0x40].includes(p[0]!)) return CommandStatus.ProcessingError;
        s.fallback = p[0]!;
        return CommandStatus.Ok;
      case Opcode.WriteRegister: {
        const a = (p[0]! << 8) | p[1]!;
        for (let i = 2; i < p.length; i++) this.regs[(a + i - 2) & 0xffff] = p[i]!;
        return CommandStatus.Ok;
      }
      case Opcode.WriteBuffer:
        if (this.mode === 'rx') this.driverFault('buffer-write-while-receiving', op, 'WriteBuffer in RX: a received packet may overwrite it; go to standby first');
        // TX and RX share the buffer: writing while the modem is locked onto a frame destroys one of the two packets.
        if (this.mode === 'rx' && this.locked) this.misuse(op, 'buffer written while a packet is being received');
        for (let i = 1; i < p.length; i++) this.buffer[(p[0]! + i - 1) & 0xff] = p[i]!;
        return CommandStatus.Ok;
      case Opcode.SetDioIrqParams:
        s.irqMask = (p[0]! << 8) | p[1]!;
        s.dio1Mask = (p[2]! << 8) | p[3]!;
        s.dio2Mask = (p[4]! << 8) | p[5]!;
        s.dio3Mask = (p[6]! << 8) | p[7]!;
        this.updateDio1();
        return CommandStatus.Ok;
      case Opcode.ClearIrqStatus:
        s.irq &= ~((p[0]! << 8) | p[1]!);
        this.updateDio1();
        return CommandStatus.Ok;
      case Opcode.SetDio2AsRfSwitchCtrl:
        s.dio2Switch = p[0] === 1;
        return CommandStatus.Ok;
      case Opcode.SetDio3AsTcxoCtrl:
        if (p[0]! > 7) return CommandStatus.ProcessingError;
        if (this.tcxoRatedV !== undefined && TcxoVoltages[p[0]!]! > this.tcxoRatedV + 1e-6)
          this.driverFault('tcxo-overvoltage', op, `SetDIO3AsTCXOCtrl ${TcxoVoltages[p[0]!]} V on a board whose TCXO is rated ${this.tcxoRatedV} V`);
        s.tcxoOn = true;
        s.tcxoDelayMs = (u24(p.subarray(1)) * RTC_STEP_US) / 1000;
        return CommandStatus.Ok;
      case Opcode.SetRfFrequency:
        s.frf = ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
        return CommandStatus.Ok;
      case Opcode.SetPacketType:
        if (p[0]! > 3) return CommandStatus.ProcessingError;
        s.packetType = p[0]!;
        return CommandStatus.Ok;
      case Opcode.SetTxParams: {
        const power = (p[0]! << 24) >> 24;
        if (power < -17 || power > 22 || p[1]! > 7) return CommandStatus.ProcessingError;
        s.txPower = power;
        s.rampCode = p[1]!;
        return CommandStatus.Ok;
      }
      case Opcode.SetModulationParams:
        // Packet type is GFSK after reset: GFSK parameters are accepted and kept (not otherwise modelled).
        if (s.packetType === 0x00) return this.gfskParams('modulation', p);
        if (s.packetType !== 0x01) throw new EmulatorLimitError('only LoRa and GFSK modulation parameters are modelled by the emulated SX126x');
        if (p.length !== 4) return CommandStatus.ProcessingError;
        if (p[0]! < 5 || p[0]! > 12 || p[2]! < 1 || p[2]! > 7 || p[3]! > 1) return CommandStatus.ProcessingError;
        try {
          bandwidthFromCode(p[1]!);
        } catch {
          return CommandStatus.ProcessingError;
        }
        s.sf = p[0]!;
        s.bwCode = p[1]!;
        s.crCode = p[2]!;
        s.ldro = p[3]!;
        return CommandStatus.Ok;
      case Opcode.SetPacketParams:
        if (s.packetType === 0x00) return this.gfskParams('packet', p);
        if (s.packetType !== 0x01) throw new EmulatorLimitError('only LoRa and GFSK packet parameters are modelled by the emulated SX126x');
        if (p.length !== 6 || p[2]! > 1 || p[4]! > 1 || p[5]! > 1) return CommandStatus.ProcessingError;
        s.preamble = (p[0]! << 8) | p[1]!;
        s.implicit = p[2] === 1;
        s.payloadLength = p[3]!;
        s.crcOn = p[4] === 1;
        s.invertIq = p[5] === 1;
        return CommandStatus.Ok;
      case Opcode.SetCadParams:
        if (p[0]! > 4 || p[3]! > 1) return CommandStatus.ProcessingError;
        s.cadSymbols = CAD_SYMBOLS[p[0]!]!;
        s.cadExit = p[3]!;
        return CommandStatus.Ok;
      case Opcode.SetBufferBaseAddress:
        s.txBase = p[0]!;
        s.rxBase = p[1]!;
        s.rxWrite = p[1]!;
        return CommandStatus.Ok;
      case Opcode.SetLoRaSymbNumTimeout:
        return CommandStatus.Ok;
      case Opcode.ClearDeviceErrors:
        s.deviceErrors = 0;
        return CommandStatus.Ok;
    }
    return CommandStatus.ProcessingError;
  }

  /** GFSK SetModulationParams (8 bytes) / SetPacketParams (9 bytes, DS §13.4.5/§13.4.6), kept for inspection. */
  private gfskParams(which: 'modulation' | 'packet', p: Uint8Array): number {
    if (p.length !== (which === 'modulation' ? 8 : 9)) return CommandStatus.ProcessingError;
    this.st.gfsk[which] = Array.from(p);
    return CommandStatus.Ok;
  }

  /** DS §9.6: up to 4 register addresses at 0x029F (count) / 0x02A0.. (MSB, LSB) survive a warm-start sleep. */
  private retained(address: number): boolean {
    const n = Math.min(this.regs[Register.RetentionList]!, 4);
    const at = Register.RetentionList + 1;
    for (let i = 0; i < n; i++) if (((this.regs[at + 2 * i]! << 8) | this.regs[at + 2 * i + 1]!) === address) return true;
    return false;
  }

  /** A radio command on a frequency the image calibration does not cover (driver-faults.ts). */
  private checkImageCalibration(op: number): void {
    const s = this.st;
    if (!imageCalibrationCovers(s.imageCal, s.frf))
      this.driverFault('image-calibration-band', op, `${opcodeName(op)} at ${(frfToFrequency(s.frf) / 1e6).toFixed(3)} MHz with the image calibrated for ${s.imageCal[0] * 4}–${s.imageCal[1] * 4} MHz (CalibrateImage, DS table 9-2)`);
  }

  /**
   * XOSC starts when the reference matches the configuration: a TCXO board needs DIO3 TCXO control, and a crystal
   * board fails once TCXO mode is on (the crystal amplifier is bypassed; RadioLib modSetup's XTAL fallback).
   */
  private xoscAvailable(): boolean {
    return this.tcxoBoard ? this.st.tcxoOn : !this.st.tcxoOn;
  }

  private xoscStartMs(): number {
    if (this.mode === 'stbyXosc' || this.mode === 'fs' || this.mode === 'rx' || this.mode === 'tx') return 0;
    return this.st.tcxoOn ? this.st.tcxoDelayMs : 0;
  }

  private xoscFailure(): number {
    this.st.deviceErrors |= DeviceError.XoscStart;
    return CommandStatus.ExecutionFailure;
  }

  private setIrq(bits: number): void {
    this.st.irq |= bits & this.st.irqMask;
    this.updateDio1();
  }

  private updateDio1(): void {
    this.dio1.set((this.st.irq & this.st.dio1Mask) !== 0 ? 1 : 0);
  }

  private fallbackMode(): Mode {
    return this.st.fallback === 0x30 ? 'stbyXosc' : this.st.fallback === 0x40 ? 'fs' : 'stbyRc';
  }

  /** Leaving TX/RX/CAD by command: stop timers, drop the lock, cut a transmission short. */
  private leaveActiveMode(): void {
    if (this.mode === 'tx') this.abortTransmission();
    this.cancelTimers();
    this.locked = undefined;
  }

  private abortTransmission(): void {
    if (this.currentTx && this.air) this.air.truncate(this.currentTx);
    this.currentTx = undefined;
  }

  private modulation() {
    const s = this.st;
    const bandwidthHz = bandwidthFromCode(s.bwCode);
    // Long-interleaver CR codes 5,6,7 = 4/5, 4/6, 4/8 (RadioLib getTimeOnAir mapping).
    const codingRate = s.crCode <= 4 ? s.crCode + 4 : s.crCode === 7 ? 8 : s.crCode;
    return { sf: s.sf, bandwidthHz, codingRate, ldro: s.ldro === 1 };
  }

  private startTx(timeout: number): number {
    const s = this.st;
    if (s.packetType !== 0x01) throw new EmulatorLimitError('only LoRa transmissions are modelled by the emulated SX126x');
    if (!this.xoscAvailable()) return this.xoscFailure();
    if (this.mode === 'rx') this.driverFault('tx-while-receiving', Opcode.SetTx, 'SetTx in RX: go to standby (and check no frame is being received) first');
    this.checkImageCalibration(Opcode.SetTx);
    const lowPowerPa = s.paConfig[2] === 1;
    if (lowPowerPa) this.driverFault('low-power-pa', Opcode.SetTx, `SetTx with SetPaConfig deviceSel 1 (low-power PA): an ${this.variant} has only the high-power PA`);
    const switchOnRx = this.dio2Board && !s.dio2Switch;
    if (switchOnRx) this.driverFault('dio2-rf-switch-off', Opcode.SetTx, 'SetTx without SetDIO2AsRfSwitchCtrl(1) on a board whose RF switch DIO2 drives');
    // Nothing reaches the antenna from a PA that is not bonded out, or through a switch left on the RX path.
    const radiates = !lowPowerPa && !switchOnRx;
    const txPowerDbm = radiatedDbm(this.variant, s.paConfig[0]!, s.paConfig[1]!, s.txPower);
    const m = this.modulation();
    const len = s.payloadLength;
    const payload = new Uint8Array(len);
    for (let i = 0; i < len; i++) payload[i] = this.buffer[(s.txBase + i) & 0xff]!;
    const toa = timeOnAirMs(
      { spreadingFactor: m.sf, bandwidthHz: m.bandwidthHz, codingRate: m.codingRate, preambleLength: s.preamble, crcOn: s.crcOn, explicitHeader: !s.implicit, lowDataRateOptimize: m.ldro },
      len,
    );
    this.leaveActiveMode();
    this.mode = 'tx';
    // BUSY stays high through XOSC/TCXO start and PA ramp (RadioLib launchMode waits on BUSY after SetTx).
    const rampMs = RampTimesUs[s.rampCode]! / 1000 + this.xoscStartMs();
    this.holdBusy(rampMs);
    this.after(rampMs, () => {
      if (this.mode !== 'tx') return;
      const frame = radiates ? this.air?.transmit(this, { from: this.name, ...this.rf(), payload, txPowerDbm }, toa) : undefined;
      this.currentTx = frame;
      // A remote air says when the frame has left the air (airTxDone); otherwise the chip's own time on air does.
      if (!frame || !this.air?.endsTransmissions) this.after(toa, () => this.endTx(frame));
      if (timeout > 0 && (timeout * RTC_STEP_US) / 1000 < toa) {
        this.after((timeout * RTC_STEP_US) / 1000, () => {
          if (this.mode !== 'tx') return;
          this.abortTransmission();
          this.cancelTimers();
          this.mode = this.fallbackMode();
          this.cmdStatus = CommandStatus.CommandTimeout;
          this.setIrq(Irq.Timeout);
        });
      }
    });
    return CommandStatus.Ok;
  }

  /** The air ended this chip's transmission (AirPort.endsTransmissions): TxDone, as after the time on air. */
  airTxDone(frame: AirFrame): void {
    this.endTx(frame);
  }

  private endTx(frame: AirFrame | undefined): void {
    if (this.mode !== 'tx' || this.currentTx !== frame) return;
    this.currentTx = undefined;
    this.mode = this.fallbackMode();
    this.cmdStatus = CommandStatus.TxDone;
    this.setIrq(Irq.TxDone);
  }

  /** The RF settings as programmed now (SetRfFrequency, SetModulationParams, SetPacketParams, sync word registers). */
  private rf(): ChipRf {
    const s = this.st;
    const m = this.modulation();
    return {
      frf: s.frf, frequencyHz: frfToFrequency(s.frf), sf: m.sf, bandwidthHz: m.bandwidthHz, codingRate: m.codingRate,
      ldro: m.ldro, preamble: s.preamble, explicitHeader: !s.implicit, crcOn: s.crcOn, invertIq: s.invertIq,
      syncWord: (this.regs[Register.LoraSyncWordMsb]! << 8) | this.regs[Register.LoraSyncWordLsb]!,
    };
  }

  private startRx(timeout: number): number {
    const s = this.st;
    if (s.packetType !== 0x01) throw new EmulatorLimitError('only LoRa reception is modelled by the emulated SX126x');
    if (!this.xoscAvailable()) return this.xoscFailure();
    this.checkImageCalibration(Opcode.SetRx);
    const startMs = this.xoscStartMs();
    this.leaveActiveMode();
    this.mode = 'rx';
    s.rxContinuous = timeout === 0xffffff;
    this.air?.listening?.(this, this.rf());
    this.holdBusy(startMs);
    if (timeout !== 0 && timeout !== 0xffffff) this.armRxTimeout(startMs + (timeout * RTC_STEP_US) / 1000);
    return CommandStatus.Ok;
  }

  private armRxTimeout(ms: number): void {
    this.after(ms, () => {
      if (this.mode !== 'rx' || this.locked) return;
      this.mode = this.fallbackMode();
      this.cmdStatus = CommandStatus.CommandTimeout;
      this.setIrq(Irq.Timeout);
    });
  }

  private startCad(): number {
    const s = this.st;
    if (s.packetType !== 0x01) return CommandStatus.ExecutionFailure;
    if (!this.xoscAvailable()) return this.xoscFailure();
    this.checkImageCalibration(Opcode.SetCad);
    const startMs = this.xoscStartMs();
    this.leaveActiveMode();
    this.mode = 'cad';
    this.holdBusy(startMs);
    const m = this.modulation();
    const tsym = symbolTimeMs({ spreadingFactor: m.sf, bandwidthHz: m.bandwidthHz });
    const windowMs = (s.cadSymbols + 0.5) * tsym;
    const frf = s.frf;
    const seen = new Set<AirFrame>();
    const look = () => {
      for (const h of this.air?.hearing(this, frf, m.bandwidthHz) ?? []) if (this.cadMatches(h)) seen.add(h.frame);
    };
    look();
    this.after(startMs + windowMs / 2, look);
    this.after(startMs + windowMs, () => {
      if (this.mode !== 'cad') return;
      look();
      const detected = seen.size > 0;
      this.mode = detected && s.cadExit === 1 ? 'rx' : this.fallbackMode();
      this.setIrq(Irq.CadDone | (detected ? Irq.CadDetected : 0));
    });
    return CommandStatus.Ok;
  }

  private cadMatches(h: Heard): boolean {
    const m = this.modulation();
    return h.decodable && h.frame.sf === m.sf && h.frame.bandwidthHz === m.bandwidthHz && h.frame.invertIq === this.st.invertIq;
  }

  private instantRssi(): number {
    const m = this.modulation();
    const floor = this.air?.noiseFloorDbm(m.bandwidthHz) ?? -120;
    let p = floor;
    for (const h of this.air?.hearing(this, this.st.frf, m.bandwidthHz) ?? []) p = 10 * Math.log10(10 ** (p / 10) + 10 ** (h.rssiDbm / 10));
    return p;
  }

  // ------------------------------------------------------------------ air events

  /** A frame starts on the air within this chip's channel. */
  airStart(h: Heard): void {
    if (this.mode === 'tx' && h.frame === this.currentTx) return;
    if (this.locked) {
      // Only a frame of the same SF and bandwidth interferes; other chirp rates are (quasi-)orthogonal, as on the
      // shared air of `lattice sim air` (air-channel.ts interferes).
      const l = this.locked.frame;
      if (h.frame.sf === l.sf && h.frame.bandwidthHz === l.bandwidthHz && this.locked.heard.rssiDbm - h.rssiDbm < this.captureDb) this.locked.collided = true;
      return;
    }
    if (this.mode !== 'rx' || !h.decodable) return;
    const m = this.modulation();
    const f = h.frame;
    // The demodulator only sees a preamble with the same SF, bandwidth and IQ polarity.
    if (f.sf !== m.sf || f.bandwidthHz !== m.bandwidthHz || f.invertIq !== this.st.invertIq) return;
    this.locked = { frame: f, heard: h, collided: false };
    this.setIrq(Irq.PreambleDetected);
    // The explicit header (8 symbols at CR 4/8) follows the preamble and sync word: HeaderValid mid-frame, as on the
    // chip, so a driver can tell a frame under way from a stale preamble flag (firmware isActivelyReceiving).
    const syncWord = (this.regs[Register.LoraSyncWordMsb]! << 8) | this.regs[Register.LoraSyncWordLsb]!;
    if (f.explicitHeader && !this.st.implicit && f.syncWord === syncWord && this.faults.headerErrors === 0) {
      const tsym = symbolTimeMs({ spreadingFactor: f.sf, bandwidthHz: f.bandwidthHz });
      this.after((f.preamble + 4.25 + 8) * tsym, () => {
        if (this.locked?.frame === f && this.mode === 'rx') this.setIrq(Irq.HeaderValid);
      });
    }
  }

  /** A frame ends on the air. */
  airEnd(frame: AirFrame): void {
    const lock = this.locked;
    if (!lock || lock.frame !== frame) return;
    this.locked = undefined;
    if (this.mode !== 'rx') return;
    const s = this.st;
    const m = this.modulation();
    const syncWord = (this.regs[Register.LoraSyncWordMsb]! << 8) | this.regs[Register.LoraSyncWordLsb]!;
    // A different sync word: preamble seen, no header, nothing more (the modem goes back to searching).
    if (frame.syncWord !== syncWord) return;
    let broken = lock.collided || frame.truncated;
    if (this.faults.headerErrors > 0 || (!s.implicit && !frame.explicitHeader)) {
      if (this.faults.headerErrors > 0) this.faults.headerErrors--;
      s.stats.header++;
      this.setIrq(Irq.HeaderErr);
      this.afterPacket();
      return;
    }
    let payload = frame.payload;
    let crcPresent = frame.crcOn;
    if (s.implicit) {
      // Implicit header: length, CR and CRC come from our own settings; any mismatch decodes garbage.
      crcPresent = s.crcOn;
      if (frame.explicitHeader || frame.payload.length !== s.payloadLength || frame.codingRate !== m.codingRate || frame.crcOn !== s.crcOn || frame.ldro !== m.ldro) broken = true;
      if (payload.length !== s.payloadLength) payload = resize(payload, s.payloadLength);
    } else {
      // Explicit header carries length, CR and CRC presence; LDRO must still match (DS §6.1.1.4).
      if (frame.ldro !== m.ldro) broken = true;
      this.setIrq(Irq.HeaderValid);
    }
    if (this.faults.crcErrors > 0) {
      this.faults.crcErrors--;
      broken = true;
    }
    if (broken) payload = corrupt(payload, frame.id);
    // The packet goes where the last one ended: in continuous RX the chip moves its RX base past each packet
    // (jgromes/RadioLib#1673, #1520; RadioLib PR #1185 reads at GetRxBufferStatus' offset for this reason).
    for (let i = 0; i < payload.length; i++) this.buffer[(s.rxWrite + i) & 0xff] = payload[i]!;
    s.rxLength = payload.length;
    s.rxPointer = s.rxWrite;
    if (s.rxContinuous) s.rxWrite = (s.rxWrite + payload.length) & 0xff;
    const floor = this.air?.noiseFloorDbm(m.bandwidthHz) ?? -120;
    const snr = Math.max(-32, Math.min(31.75, lock.heard.snrDb));
    const total = 10 * Math.log10(10 ** (lock.heard.rssiDbm / 10) + 10 ** (floor / 10));
    s.rssiPkt = clampByte(Math.round(-2 * total));
    s.snrPkt = Math.round(snr * 4) & 0xff;
    s.signalRssiPkt = clampByte(Math.round(-2 * lock.heard.rssiDbm));
    s.stats.received++;
    if (broken && crcPresent) s.stats.crc++;
    this.cmdStatus = CommandStatus.DataAvailable;
    this.setIrq(Irq.RxDone | (broken && crcPresent ? Irq.CrcErr : 0));
    this.afterPacket();
  }

  private afterPacket(): void {
    if (!this.st.rxContinuous) {
      this.cancelTimers();
      this.mode = this.fallbackMode();
    }
  }
}
