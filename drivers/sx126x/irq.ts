/** IRQ register bits (DS.SX1261-2 §13.3.1 table 13-29; RadioLib and Lora-net agree). Data only. */
export const Irq = {
  TxDone: 1 << 0,
  RxDone: 1 << 1,
  PreambleDetected: 1 << 2,
  SyncWordValid: 1 << 3,
  HeaderValid: 1 << 4,
  HeaderErr: 1 << 5,
  CrcErr: 1 << 6,
  CadDone: 1 << 7,
  CadDetected: 1 << 8,
  Timeout: 1 << 9,
  LrFhssHop: 1 << 14,
  All: 0x43ff,
  None: 0x0000,
} as const;
