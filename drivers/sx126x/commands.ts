/**
 * Pure command builders: one function per datasheet command returning the parameter bytes that follow the opcode
 * (byte order as DS.SX1261-2 §13 and RadioLib SX126x_commands.cpp). The chip layer (chip.ts) sends them; tests check
 * them against vectors. Read commands need no builder beyond their address bytes.
 */
import type { LoraCodingRate } from './lora-radio.js';

function u8(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`${name} must be a byte, got ${v}`);
  return v;
}
function u16be(name: string, v: number): [number, number] {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${name} must be 0..0xFFFF, got ${v}`);
  return [v >> 8, v & 0xff];
}
function u24be(name: string, v: number): [number, number, number] {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffff) throw new RangeError(`${name} must be 0..0xFFFFFF, got ${v}`);
  return [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
}

/** SetSleep: bit 2 warm start (keep config), bit 0 RTC wake-up. */
export const setSleep = (warmStart: boolean, rtcWake = false) => Uint8Array.of((warmStart ? 0x04 : 0) | (rtcWake ? 0x01 : 0));
export const setStandby = (mode: number) => Uint8Array.of(u8('standby mode', mode));
export const setFs = () => new Uint8Array(0);
/** SetTx / SetRx timeout in 15.625 µs steps (24 bit). */
export const setTx = (timeout: number) => Uint8Array.from(u24be('tx timeout', timeout));
export const setRx = (timeout: number) => Uint8Array.from(u24be('rx timeout', timeout));
export const stopTimerOnPreamble = (enable: boolean) => Uint8Array.of(enable ? 1 : 0);
export const setRxDutyCycle = (rxPeriod: number, sleepPeriod: number) =>
  Uint8Array.from([...u24be('rxPeriod', rxPeriod), ...u24be('sleepPeriod', sleepPeriod)]);
export const setCad = () => new Uint8Array(0);
export const setRegulatorMode = (mode: number) => Uint8Array.of(u8('regulator mode', mode));
export const calibrate = (mask: number) => Uint8Array.of(u8('calibrate mask', mask & 0x7f));
export const calibrateImage = (f1: number, f2: number) => Uint8Array.of(u8('f1', f1), u8('f2', f2));
export const setPaConfig = (paDutyCycle: number, hpMax: number, deviceSel: number, paLut: number) =>
  Uint8Array.of(u8('paDutyCycle', paDutyCycle), u8('hpMax', hpMax), u8('deviceSel', deviceSel), u8('paLut', paLut));
export const setRxTxFallbackMode = (mode: number) => Uint8Array.of(u8('fallback mode', mode));
/** WriteRegister: address (BE) then data. */
export const writeRegister = (address: number, data: Uint8Array) => Uint8Array.from([...u16be('register', address), ...data]);
/** The address bytes that follow ReadRegister's opcode. */
export const readRegisterAddress = (address: number) => Uint8Array.from(u16be('register', address));
export const writeBuffer = (offset: number, data: Uint8Array) => {
  const out = new Uint8Array(1 + data.length);
  out[0] = u8('buffer offset', offset);
  out.set(data, 1);
  return out;
};
export const setDioIrqParams = (irqMask: number, dio1Mask: number, dio2Mask = 0, dio3Mask = 0) =>
  Uint8Array.from([...u16be('irqMask', irqMask), ...u16be('dio1Mask', dio1Mask), ...u16be('dio2Mask', dio2Mask), ...u16be('dio3Mask', dio3Mask)]);
export const clearIrqStatus = (mask: number) => Uint8Array.from(u16be('clear mask', mask));
export const setDio2AsRfSwitchCtrl = (enable: boolean) => Uint8Array.of(enable ? 1 : 0);
/** SetDIO3AsTCXOCtrl: voltage code 0..7 and start-up delay in 15.625 µs steps (24 bit). */
export const setDio3AsTcxoCtrl = (voltageCode: number, delay: number) => {
  if (!Number.isInteger(voltageCode) || voltageCode < 0 || voltageCode > 7) throw new RangeError(`TCXO voltage code must be 0..7, got ${voltageCode}`);
  return Uint8Array.from([voltageCode, ...u24be('tcxo delay', delay)]);
};
export const setRfFrequency = (frf: number) => {
  if (!Number.isInteger(frf) || frf < 0 || frf > 0xffffffff) throw new RangeError(`frf must be 32 bit, got ${frf}`);
  return Uint8Array.of((frf >>> 24) & 0xff, (frf >>> 16) & 0xff, (frf >>> 8) & 0xff, frf & 0xff);
};
export const setPacketType = (type: number) => Uint8Array.of(u8('packet type', type));
/** SetTxParams: power as int8 two's complement, ramp time code 0..7. */
export const setTxParams = (powerDbm: number, rampCode: number) => {
  if (!Number.isInteger(powerDbm) || powerDbm < -17 || powerDbm > 22) throw new RangeError(`power must be -17..22 dBm, got ${powerDbm}`);
  if (!Number.isInteger(rampCode) || rampCode < 0 || rampCode > 7) throw new RangeError(`ramp code must be 0..7, got ${rampCode}`);
  return Uint8Array.of(powerDbm & 0xff, rampCode);
};
/** SetModulationParams (LoRa): SF, BW code, CR code (1 = 4/5 .. 4 = 4/8), LDRO. */
export const setModulationParamsLora = (sf: number, bwCode: number, cr: LoraCodingRate, ldro: boolean) => {
  if (!Number.isInteger(sf) || sf < 5 || sf > 12) throw new RangeError(`SF must be 5..12, got ${sf}`);
  return Uint8Array.of(sf, u8('bw code', bwCode), cr - 4, ldro ? 1 : 0);
};
/** SetPacketParams (LoRa): preamble (BE), header type (0 explicit, 1 implicit), payload length, CRC, invert IQ. */
export const setPacketParamsLora = (preamble: number, explicitHeader: boolean, payloadLength: number, crcOn: boolean, invertIq: boolean) =>
  Uint8Array.from([...u16be('preamble', preamble), explicitHeader ? 0 : 1, u8('payload length', payloadLength), crcOn ? 1 : 0, invertIq ? 1 : 0]);
/** SetCadParams: symbol-number code, detPeak, detMin, exit mode, timeout (24 bit, 15.625 µs). */
export const setCadParams = (symbolCode: number, detPeak: number, detMin: number, exitMode: number, timeout: number) =>
  Uint8Array.from([u8('cad symbols', symbolCode), u8('detPeak', detPeak), u8('detMin', detMin), u8('exitMode', exitMode), ...u24be('cad timeout', timeout)]);
export const setBufferBaseAddress = (txBase: number, rxBase: number) => Uint8Array.of(u8('txBase', txBase), u8('rxBase', rxBase));
export const setLoRaSymbNumTimeout = (symbols: number) => Uint8Array.of(u8('symbol timeout', symbols));
export const clearDeviceErrors = () => Uint8Array.of(0x00, 0x00);
