/**
 * The SX126x chip layer: one method per datasheet command (DS.SX1261-2 §13), over the narrow Sx126xHal.
 *
 * Status checking follows the datasheet's timing: the status byte clocked out during a transaction reports the
 * result of the previous command (a command runs after NSS rises), so an error status seen during transaction N is
 * raised as a failure of command N-1. `getStatus()` right after a command therefore checks that command; the driver
 * does so after the commands whose failure matters (Calibrate, CalibrateImage, SetTx, SetRx, SetCad).
 */
import * as cmd from './commands.js';
import { Sx126xChipNotFoundError, Sx126xCommandError } from './errors.js';
import { NOP, Opcode } from './opcodes.js';
import type { LoraCodingRate } from './lora-radio.js';
import { isErrorStatus, isNoChipStatus } from './status.js';
import type { HalOptions, Sx126xHal } from './sx126x-hal.js';

export interface PacketStatus {
  /** Average RSSI over the packet, dBm. */
  rssiPkt: number;
  /** SNR, dB. */
  snrPkt: number;
  /** RSSI of the LoRa signal after despreading, dBm. */
  signalRssiPkt: number;
}

export class Sx126xChip {
  private lastOpcode: number | undefined;

  constructor(
    readonly hal: Sx126xHal,
    /** Named in "chip not found" errors: which wires to check. */
    readonly wiring = 'SPI MOSI/MISO/SCK/NSS, 3.3 V supply and NRESET',
  ) {}

  // --- operating modes (§13.1) ---
  setSleep(warmStart: boolean, rtcWake = false, opts?: HalOptions) {
    // BUSY stays high while asleep: no wait after (RadioLib sleep()).
    return this.send(Opcode.SetSleep, cmd.setSleep(warmStart, rtcWake), { ...opts, noWaitAfter: true });
  }
  /** Wake from sleep: any NSS falling edge; RadioLib sends a bare NOP without waiting on BUSY. */
  async wakeup(opts?: HalOptions): Promise<void> {
    await this.hal.write(NOP, new Uint8Array(0), { ...opts, noWaitBefore: true });
  }
  setStandby(mode: number, opts?: HalOptions) { return this.send(Opcode.SetStandby, cmd.setStandby(mode), opts); }
  setFs(opts?: HalOptions) { return this.send(Opcode.SetFs, cmd.setFs(), opts); }
  setTx(timeout: number, opts?: HalOptions) { return this.send(Opcode.SetTx, cmd.setTx(timeout), opts); }
  setRx(timeout: number, opts?: HalOptions) { return this.send(Opcode.SetRx, cmd.setRx(timeout), opts); }
  stopTimerOnPreamble(enable: boolean, opts?: HalOptions) { return this.send(Opcode.StopTimerOnPreamble, cmd.stopTimerOnPreamble(enable), opts); }
  setRxDutyCycle(rxPeriod: number, sleepPeriod: number, opts?: HalOptions) { return this.send(Opcode.SetRxDutyCycle, cmd.setRxDutyCycle(rxPeriod, sleepPeriod), opts); }
  setCad(opts?: HalOptions) { return this.send(Opcode.SetCad, cmd.setCad(), opts); }
  setTxContinuousWave(opts?: HalOptions) { return this.send(Opcode.SetTxContinuousWave, new Uint8Array(0), opts); }
  setTxInfinitePreamble(opts?: HalOptions) { return this.send(Opcode.SetTxInfinitePreamble, new Uint8Array(0), opts); }
  setRegulatorMode(mode: number, opts?: HalOptions) { return this.send(Opcode.SetRegulatorMode, cmd.setRegulatorMode(mode), opts); }
  calibrate(mask: number, opts?: HalOptions) { return this.send(Opcode.Calibrate, cmd.calibrate(mask), opts); }
  calibrateImage(f1: number, f2: number, opts?: HalOptions) { return this.send(Opcode.CalibrateImage, cmd.calibrateImage(f1, f2), opts); }
  setPaConfig(paDutyCycle: number, hpMax: number, deviceSel: number, paLut: number, opts?: HalOptions) {
    return this.send(Opcode.SetPaConfig, cmd.setPaConfig(paDutyCycle, hpMax, deviceSel, paLut), opts);
  }
  setRxTxFallbackMode(mode: number, opts?: HalOptions) { return this.send(Opcode.SetRxTxFallbackMode, cmd.setRxTxFallbackMode(mode), opts); }

  // --- registers and buffer (§13.2) ---
  writeRegister(address: number, data: Uint8Array, opts?: HalOptions) { return this.send(Opcode.WriteRegister, cmd.writeRegister(address, data), opts); }
  async readRegister(address: number, length: number, opts?: HalOptions): Promise<Uint8Array> {
    return this.receive(Uint8Array.of(Opcode.ReadRegister, ...cmd.readRegisterAddress(address)), length, opts);
  }
  writeBuffer(offset: number, data: Uint8Array, opts?: HalOptions) { return this.send(Opcode.WriteBuffer, cmd.writeBuffer(offset, data), opts); }
  readBuffer(offset: number, length: number, opts?: HalOptions) { return this.receive(Uint8Array.of(Opcode.ReadBuffer, offset & 0xff), length, opts); }

  // --- DIO and IRQ control (§13.3) ---
  setDioIrqParams(irqMask: number, dio1Mask: number, dio2Mask = 0, dio3Mask = 0, opts?: HalOptions) {
    return this.send(Opcode.SetDioIrqParams, cmd.setDioIrqParams(irqMask, dio1Mask, dio2Mask, dio3Mask), opts);
  }
  async getIrqStatus(opts?: HalOptions): Promise<number> {
    const d = await this.receive(Uint8Array.of(Opcode.GetIrqStatus), 2, opts);
    return (d[0]! << 8) | d[1]!;
  }
  clearIrqStatus(mask: number, opts?: HalOptions) { return this.send(Opcode.ClearIrqStatus, cmd.clearIrqStatus(mask), opts); }
  setDio2AsRfSwitchCtrl(enable: boolean, opts?: HalOptions) { return this.send(Opcode.SetDio2AsRfSwitchCtrl, cmd.setDio2AsRfSwitchCtrl(enable), opts); }
  setDio3AsTcxoCtrl(voltageCode: number, delay: number, opts?: HalOptions) { return this.send(Opcode.SetDio3AsTcxoCtrl, cmd.setDio3AsTcxoCtrl(voltageCode, delay), opts); }

  // --- RF, modulation and packet (§13.4) ---
  setRfFrequency(frf: number, opts?: HalOptions) { return this.send(Opcode.SetRfFrequency, cmd.setRfFrequency(frf), opts); }
  setPacketType(type: number, opts?: HalOptions) { return this.send(Opcode.SetPacketType, cmd.setPacketType(type), opts); }
  async getPacketType(opts?: HalOptions): Promise<number> { return (await this.receive(Uint8Array.of(Opcode.GetPacketType), 1, opts))[0]!; }
  setTxParams(powerDbm: number, rampCode: number, opts?: HalOptions) { return this.send(Opcode.SetTxParams, cmd.setTxParams(powerDbm, rampCode), opts); }
  setModulationParamsLora(sf: number, bwCode: number, cr: LoraCodingRate, ldro: boolean, opts?: HalOptions) {
    return this.send(Opcode.SetModulationParams, cmd.setModulationParamsLora(sf, bwCode, cr, ldro), opts);
  }
  setPacketParamsLora(preamble: number, explicitHeader: boolean, payloadLength: number, crcOn: boolean, invertIq: boolean, opts?: HalOptions) {
    return this.send(Opcode.SetPacketParams, cmd.setPacketParamsLora(preamble, explicitHeader, payloadLength, crcOn, invertIq), opts);
  }
  setCadParams(symbolCode: number, detPeak: number, detMin: number, exitMode: number, timeout: number, opts?: HalOptions) {
    return this.send(Opcode.SetCadParams, cmd.setCadParams(symbolCode, detPeak, detMin, exitMode, timeout), opts);
  }
  setBufferBaseAddress(txBase: number, rxBase: number, opts?: HalOptions) { return this.send(Opcode.SetBufferBaseAddress, cmd.setBufferBaseAddress(txBase, rxBase), opts); }
  setLoRaSymbNumTimeout(symbols: number, opts?: HalOptions) { return this.send(Opcode.SetLoRaSymbNumTimeout, cmd.setLoRaSymbNumTimeout(symbols), opts); }

  // --- status (§13.5) ---
  /** GetStatus: returns the status byte; also raises the result of the previous command. */
  async getStatus(opts?: HalOptions): Promise<number> {
    const { status } = await this.hal.read(Uint8Array.of(Opcode.GetStatus), 0, opts);
    this.check(status, Opcode.GetStatus);
    return status;
  }
  async getRssiInst(opts?: HalOptions): Promise<number> {
    return -(await this.receive(Uint8Array.of(Opcode.GetRssiInst), 1, opts))[0]! / 2;
  }
  async getRxBufferStatus(opts?: HalOptions): Promise<{ payloadLength: number; rxStartPointer: number }> {
    const d = await this.receive(Uint8Array.of(Opcode.GetRxBufferStatus), 2, opts);
    return { payloadLength: d[0]!, rxStartPointer: d[1]! };
  }
  async getPacketStatus(opts?: HalOptions): Promise<PacketStatus> {
    const d = await this.receive(Uint8Array.of(Opcode.GetPacketStatus), 3, opts);
    return { rssiPkt: -d[0]! / 2, snrPkt: ((d[1]! << 24) >> 24) / 4, signalRssiPkt: -d[2]! / 2 };
  }
  async getDeviceErrors(opts?: HalOptions): Promise<number> {
    const d = await this.receive(Uint8Array.of(Opcode.GetDeviceErrors), 2, opts);
    return (d[0]! << 8) | d[1]!;
  }
  clearDeviceErrors(opts?: HalOptions) { return this.send(Opcode.ClearDeviceErrors, cmd.clearDeviceErrors(), opts); }
  async getStats(opts?: HalOptions): Promise<{ packetsReceived: number; crcErrors: number; headerErrors: number }> {
    const d = await this.receive(Uint8Array.of(Opcode.GetStats), 6, opts);
    return { packetsReceived: (d[0]! << 8) | d[1]!, crcErrors: (d[2]! << 8) | d[3]!, headerErrors: (d[4]! << 8) | d[5]! };
  }
  resetStats(opts?: HalOptions) { return this.send(Opcode.ResetStats, new Uint8Array(6), opts); }

  private async send(opcode: number, data: Uint8Array, opts?: HalOptions & { noWaitAfter?: boolean }): Promise<number> {
    const status = await this.hal.write(opcode, data, opts);
    this.check(status, opcode);
    return status;
  }

  private async receive(command: Uint8Array, length: number, opts?: HalOptions): Promise<Uint8Array> {
    const { status, data } = await this.hal.read(command, length, opts);
    this.check(status, command[0]!);
    return data;
  }

  /** Raise an error status as a failure of the previous command (see file comment). */
  private check(status: number, opcode: number): void {
    const previous = this.lastOpcode;
    this.lastOpcode = opcode;
    if (isNoChipStatus(status)) throw new Sx126xChipNotFoundError('no-response', `0x${status.toString(16).padStart(2, '0')}`, this.wiring);
    if (isErrorStatus(status)) throw new Sx126xCommandError(previous ?? opcode, status);
  }
}
