/**
 * The SX126x status byte (GetStatus 0xC0, and every status position on MISO): bits 6:4 chip mode, bits 3:1 command
 * status (DS.SX1261-2 §13.5.1; Lora-net/sx126x_driver sx126x.h sx126x_chip_modes_t / sx126x_cmd_status_t).
 */
export const ChipMode = { Unused: 0, StbyRc: 2, StbyXosc: 3, Fs: 4, Rx: 5, Tx: 6 } as const;
export const CommandStatus = {
  Reserved: 0,
  /** RFU; what a real chip reports after a command that went fine (0xA2 in STDBY_RC in RadioLib SPI debug logs). */
  Ok: 1,
  DataAvailable: 2,
  CommandTimeout: 3,
  ProcessingError: 4,
  ExecutionFailure: 5,
  TxDone: 6,
} as const;

export interface DecodedStatus {
  raw: number;
  chipMode: number;
  commandStatus: number;
}

export function decodeStatus(raw: number): DecodedStatus {
  return { raw, chipMode: (raw >> 4) & 0x7, commandStatus: (raw >> 1) & 0x7 };
}

/** 0x00 and 0xFF on MISO mean nothing drove the line: no chip, or wiring (RadioLib SPIparseStatus). */
export function isNoChipStatus(raw: number): boolean {
  return raw === 0x00 || raw === 0xff;
}

/** Command statuses that are errors (RadioLib SPIparseStatus: timeout, invalid, failed). */
export function isErrorStatus(raw: number): boolean {
  const s = (raw >> 1) & 0x7;
  return s === CommandStatus.CommandTimeout || s === CommandStatus.ProcessingError || s === CommandStatus.ExecutionFailure;
}
