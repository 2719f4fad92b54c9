/**
 * The emulated SX126x's command tables and reset state: parameter counts per opcode (DS.SX1261-2 §13), the read
 * commands, the commands only allowed in standby, and the power-on register values.
 */
import { Opcode } from '../opcodes.js';
import { Register } from '../registers.js';
import type { Sx126xVariant } from '../variant.js';
import { DEFAULT_IMAGE_CALIBRATION } from './driver-faults.js';

export const WRITE_LENGTHS: Readonly<Record<number, number | [number, number]>> = {
  [Opcode.SetSleep]: 1, [Opcode.SetStandby]: 1, [Opcode.SetFs]: 0, [Opcode.SetTx]: 3, [Opcode.SetRx]: 3,
  [Opcode.StopTimerOnPreamble]: 1, [Opcode.SetRxDutyCycle]: 6, [Opcode.SetCad]: 0, [Opcode.SetTxContinuousWave]: 0,
  [Opcode.SetTxInfinitePreamble]: 0, [Opcode.SetRegulatorMode]: 1, [Opcode.Calibrate]: 1, [Opcode.CalibrateImage]: 2,
  [Opcode.SetPaConfig]: 4, [Opcode.SetRxTxFallbackMode]: 1, [Opcode.WriteRegister]: [3, 258], [Opcode.WriteBuffer]: [2, 257],
  [Opcode.SetDioIrqParams]: 8, [Opcode.ClearIrqStatus]: 2, [Opcode.SetDio2AsRfSwitchCtrl]: 1, [Opcode.SetDio3AsTcxoCtrl]: 4,
  [Opcode.SetRfFrequency]: 4, [Opcode.SetPacketType]: 1, [Opcode.SetTxParams]: 2, [Opcode.SetModulationParams]: [4, 8],
  [Opcode.SetPacketParams]: [6, 9], [Opcode.SetCadParams]: 7, [Opcode.SetBufferBaseAddress]: 2,
  [Opcode.SetLoRaSymbNumTimeout]: 1, [Opcode.ClearDeviceErrors]: 2,
};
/** Read commands: number of address bytes after the opcode. */
export const READS: Readonly<Record<number, number>> = {
  [Opcode.GetStatus]: 0, [Opcode.ReadRegister]: 2, [Opcode.ReadBuffer]: 1, [Opcode.GetIrqStatus]: 0,
  [Opcode.GetPacketType]: 0, [Opcode.GetRssiInst]: 0, [Opcode.GetRxBufferStatus]: 0, [Opcode.GetPacketStatus]: 0,
  [Opcode.GetDeviceErrors]: 0, [Opcode.GetStats]: 0,
};
export const STANDBY_ONLY = new Set<number>([
  Opcode.SetPacketType, Opcode.Calibrate, Opcode.CalibrateImage, Opcode.SetRegulatorMode, Opcode.SetDio3AsTcxoCtrl,
  Opcode.SetPaConfig,
]);
export const CAD_SYMBOLS = [1, 2, 4, 8, 16];

export function resetState() {
  return {
    packetType: 0x00, frf: 0, sf: 7, bwCode: 0x04, crCode: 1, ldro: 0, preamble: 12, implicit: false, payloadLength: 0xff,
    crcOn: true, invertIq: false, txPower: 0, rampCode: 4, paConfig: [0, 0, 0, 0] as number[], txBase: 0, rxBase: 0,
    irqMask: 0, dio1Mask: 0, dio2Mask: 0, dio3Mask: 0, irq: 0, fallback: 0x20, dio2Switch: false,
    tcxoOn: false, tcxoDelayMs: 0, xoscRunning: false, regulator: 0, deviceErrors: 0, rxLength: 0, rxPointer: 0,
    rssiPkt: 0, snrPkt: 0, signalRssiPkt: 0, cadSymbols: 8, cadExit: 0, rxContinuous: false, warmStart: false,
    stats: { received: 0, crc: 0, header: 0 },
    /** Where the next received packet goes: rxBase, moved past each packet in continuous RX. */
    rxWrite: 0,
    /** Last CalibrateImage (f1, f2); 902–928 MHz from power-on (driver-faults.ts). */
    imageCal: [...DEFAULT_IMAGE_CALIBRATION] as [number, number],
    gfsk: { modulation: [] as number[], packet: [] as number[] },
  };
}

export type EmulatorState = ReturnType<typeof resetState>;

export function resetRegisters(regs: Uint8Array, variant: Sx126xVariant): void {
  regs.fill(0);
  // "SX1261 V2D 2D02" as read from SX1262 modules (RadioLib#907, #1004 SPI logs); SX1268 reports "SX1268".
  const version = variant === 'sx1268' ? 'SX1268 V2D 2D02' : 'SX1261 V2D 2D02';
  regs.set(new TextEncoder().encode(version), Register.VersionString);
  regs[Register.LoraSyncWordMsb] = 0x14; // private sync word 0x1424 at power-on (DS table 12-1)
  regs[Register.LoraSyncWordLsb] = 0x24;
  regs[Register.IqPolarity] = 0x0d; // bit 2 set: standard IQ
  regs[Register.TxModulation] = 0x04;
  regs[Register.RxGain] = 0x94; // power-saving gain
  regs[Register.TxClampConfig] = 0xc8; // bits 4:1 = 0100, the default DS §15.2.2 states (other bits unverified)
  regs[Register.OcpConfiguration] = 0x18; // 60 mA, read back by RadioLib before SetPaConfig (RadioLib#740 log)
  regs[Register.XtaTrim] = 0x05;
  regs[Register.XtbTrim] = 0x05;
  regs[Register.GfskSyncWord] = 0x97;
  regs[Register.GfskSyncWord + 1] = 0x23;
}
