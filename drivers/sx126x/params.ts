/**
 * Parameter codes for SX126x commands (DS.SX1261-2 §13; RadioLib SX126x_commands.h). Data only.
 */

/** SetModulationParams LoRa bandwidth codes keyed by bandwidth in Hz (datasheet table 13-47). */
export const LoraBandwidth: ReadonlyArray<{ hz: number; code: number }> = [
  { hz: 7810, code: 0x00 },
  { hz: 10420, code: 0x08 },
  { hz: 15630, code: 0x01 },
  { hz: 20830, code: 0x09 },
  { hz: 31250, code: 0x02 },
  { hz: 41670, code: 0x0a },
  { hz: 62500, code: 0x03 },
  { hz: 125000, code: 0x04 },
  { hz: 250000, code: 0x05 },
  { hz: 500000, code: 0x06 },
];

export const StandbyMode = { Rc: 0x00, Xosc: 0x01 } as const;
export const PacketType = { Gfsk: 0x00, Lora: 0x01, Bpsk: 0x02, LrFhss: 0x03 } as const;
export const RegulatorMode = { Ldo: 0x00, DcDc: 0x01 } as const;
export const FallbackMode = { StbyRc: 0x20, StbyXosc: 0x30, Fs: 0x40 } as const;
export const CadExitMode = { Standby: 0x00, Rx: 0x01 } as const;
/** SetCadParams cadSymbolNum codes: 1, 2, 4, 8, 16 symbols. */
export const CadSymbols = { 1: 0x00, 2: 0x01, 4: 0x02, 8: 0x03, 16: 0x04 } as const;
/** Calibrate mask: all blocks (image, ADC bulk P/N, ADC pulse, PLL, RC13M, RC64K). */
export const CalibrateAll = 0x7f;
/** SetRx timeout values (24 bit, 15.625 µs units). */
export const RxTimeout = { Single: 0x000000, Continuous: 0xffffff } as const;
/** One RTC step of the SetTx/SetRx/SetCad timeouts and TCXO delay: 15.625 µs (64 kHz RTC). */
export const RTC_STEP_US = 15.625;

/** SetTxParams ramp time codes: index = code, value = µs. */
export const RampTimesUs = [10, 20, 40, 80, 200, 800, 1700, 3400] as const;
export const RAMP_200_US = 0x04;

/** SetDIO3AsTCXOCtrl voltage codes: index = code, value = volts. */
export const TcxoVoltages = [1.6, 1.7, 1.8, 2.2, 2.4, 2.7, 3.0, 3.3] as const;

/** CalibrateImage frequency bands (datasheet §9.2.1 table 9-2). */
export const ImageCalibrationBands: ReadonlyArray<{ fromMHz: number; toMHz: number; f1: number; f2: number }> = [
  { fromMHz: 430, toMHz: 440, f1: 0x6b, f2: 0x6f },
  { fromMHz: 470, toMHz: 510, f1: 0x75, f2: 0x81 },
  { fromMHz: 779, toMHz: 787, f1: 0xc1, f2: 0xc5 },
  { fromMHz: 863, toMHz: 870, f1: 0xd7, f2: 0xdb },
  { fromMHz: 902, toMHz: 928, f1: 0xe1, f2: 0xe9 },
];

/** Device error bits (GetDeviceErrors, datasheet table 13-85). */
export const DeviceError = {
  Rc64kCalib: 1 << 0,
  Rc13mCalib: 1 << 1,
  PllCalib: 1 << 2,
  AdcCalib: 1 << 3,
  ImgCalib: 1 << 4,
  XoscStart: 1 << 5,
  PllLock: 1 << 6,
  PaRamp: 1 << 8,
} as const;

/** Crystal frequency and PLL step: frf = f × 2^25 / 32 MHz (datasheet §13.4.1). */
export const XTAL_HZ = 32_000_000;
export const MAX_PAYLOAD = 255;
