/**
 * SX126x command opcodes, named as in the datasheet (DS.SX1261-2 rev 2.2 §13, table 13-1) and
 * jgromes/RadioLib:src/modules/SX126x/SX126x_commands.h. Data only.
 */
export const Opcode = {
  SetSleep: 0x84,
  SetStandby: 0x80,
  SetFs: 0xc1,
  SetTx: 0x83,
  SetRx: 0x82,
  StopTimerOnPreamble: 0x9f,
  SetRxDutyCycle: 0x94,
  SetCad: 0xc5,
  SetTxContinuousWave: 0xd1,
  SetTxInfinitePreamble: 0xd2,
  SetRegulatorMode: 0x96,
  Calibrate: 0x89,
  CalibrateImage: 0x98,
  SetPaConfig: 0x95,
  SetRxTxFallbackMode: 0x93,
  WriteRegister: 0x0d,
  ReadRegister: 0x1d,
  WriteBuffer: 0x0e,
  ReadBuffer: 0x1e,
  SetDioIrqParams: 0x08,
  GetIrqStatus: 0x12,
  ClearIrqStatus: 0x02,
  SetDio2AsRfSwitchCtrl: 0x9d,
  SetDio3AsTcxoCtrl: 0x97,
  SetRfFrequency: 0x86,
  SetPacketType: 0x8a,
  GetPacketType: 0x11,
  SetTxParams: 0x8e,
  SetModulationParams: 0x8b,
  SetPacketParams: 0x8c,
  SetCadParams: 0x88,
  SetBufferBaseAddress: 0x8f,
  SetLoRaSymbNumTimeout: 0xa0,
  GetStatus: 0xc0,
  GetRssiInst: 0x15,
  GetRxBufferStatus: 0x13,
  GetPacketStatus: 0x14,
  GetDeviceErrors: 0x17,
  ClearDeviceErrors: 0x07,
  GetStats: 0x10,
  ResetStats: 0x00,
} as const;

export type OpcodeName = keyof typeof Opcode;

/** The NOP byte clocked out for status and data positions (RadioLib RADIOLIB_SX126X_CMD_NOP). */
export const NOP = 0x00;

const NAMES = new Map<number, OpcodeName>(
  (Object.entries(Opcode) as [OpcodeName, number][]).map(([name, op]) => [op, name]),
);

/** Datasheet name for an opcode, or hex when unknown (for error messages and traces). */
export function opcodeName(op: number): string {
  return NAMES.get(op) ?? `0x${op.toString(16).padStart(2, '0')}`;
}
