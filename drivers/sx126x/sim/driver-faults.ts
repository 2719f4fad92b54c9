/**
 * Driver faults the emulated SX126x catches: command sequences the real chip accepts without an error status but that
 * leave a real board deaf, mute, mis-tuned or stressed. Each is recorded on the chip (`driverFaults`) for a test to
 * read and, with `strictDriver`, thrown as EmulatorDriverFaultError at the offending transfer.
 */
import { frfToFrequency } from '../modulation.js';

export type DriverFaultKind =
  /** ReadBuffer after RxDone outside the last packet: the offset from GetRxBufferStatus was ignored (DS §7.2). */
  | 'rx-buffer-offset'
  /** SetDIO3AsTCXOCtrl above the supply voltage the board's TCXO is rated for. */
  | 'tcxo-overvoltage'
  /** SetTx with SetPaConfig deviceSel 1 (SX1261 low-power PA), which an SX1262/SX1268 has no output for. */
  | 'low-power-pa'
  /** SetPaConfig beyond the high-power PA's limits (paDutyCycle > 4, hpMax > 7: DS §13.1.14). */
  | 'pa-config-range'
  /** SetTx/SetRx/SetCad on a frequency outside the last image calibration (CalibrateImage, DS §9.2.1 table 9-2). */
  | 'image-calibration-band'
  /** SetTx on a board whose RF switch DIO2 drives, without SetDIO2AsRfSwitchCtrl(1): the switch stays on RX. */
  | 'dio2-rf-switch-off'
  /** SetTx while in RX (RadioLib SX126x::transmit goes to standby first): a frame being received is cut. */
  | 'tx-while-receiving'
  /** WriteBuffer while in RX: the receiver writes the same buffer (DS §7.2), so the TX payload may be overwritten. */
  | 'buffer-write-while-receiving';

export interface DriverFault {
  kind: DriverFaultKind;
  opcode: number;
  detail: string;
}

/**
 * CalibrateImage's (f1, f2) cover f1 × 4 MHz .. f2 × 4 MHz (DS §9.2.1 table 9-2: 430–440 MHz is 0x6B 0x6F = 428–444
 * MHz; RadioLib calibrateImageRejection uses the same 4 MHz steps). The chip calibrates for 902–928 MHz (0xE1 0xE9)
 * at power-on and with Calibrate's image bit (meshtastic/firmware src/mesh/SX126xInterface.cpp resetAGC: "Calibrate(0x7F)
 * defaults to 902-928 MHz which is wrong for other regions").
 */
export const DEFAULT_IMAGE_CALIBRATION: readonly [number, number] = [0xe1, 0xe9];

export function imageCalibrationCovers(cal: readonly [number, number], frf: number): boolean {
  const mhz = frfToFrequency(frf) / 1e6;
  return mhz >= cal[0] * 4 && mhz <= cal[1] * 4;
}
