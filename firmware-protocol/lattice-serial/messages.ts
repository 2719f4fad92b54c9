/**
 * lattice-serial message types (PROTOCOL.md §3): every frame is one CBOR array [type, seq, ...fields].
 * Data only plus the shape check; the codec (codec.ts) turns bytes into checked messages.
 */
export const PROTOCOL_VERSION = 1;

export const MsgType = {
  Hello: 0x01,
  Xfer: 0x02,
  Reset: 0x03,
  WaitReady: 0x04,
  SetPins: 0x05,
  GetLines: 0x06,
  HelloAck: 0x81,
  XferAck: 0x82,
  ResetAck: 0x83,
  WaitReadyAck: 0x84,
  SetPinsAck: 0x85,
  GetLinesAck: 0x86,
  Irq: 0xc1,
  Error: 0xee,
} as const;

export const XferFlag = { WaitBusyBefore: 0x01, WaitBusyAfter: 0x02 } as const;

export const ErrorCode = {
  BadFrame: 1,
  UnknownType: 2,
  BusyTimeout: 3,
  TooLong: 4,
  VersionMismatch: 5,
  NotReady: 6,
  Internal: 7,
} as const;

/** A pin request: 1/0 drive, null leave unchanged. */
export type PinLevel = 0 | 1 | null;

export type BridgeMessage =
  | [typeof MsgType.Hello, number, number]
  | [typeof MsgType.Xfer, number, Uint8Array, number]
  | [typeof MsgType.Reset, number, number]
  | [typeof MsgType.WaitReady, number, number]
  | [typeof MsgType.SetPins, number, PinLevel, PinLevel]
  | [typeof MsgType.GetLines, number]
  | [typeof MsgType.HelloAck, number, number, string, number, number]
  | [typeof MsgType.XferAck, number, Uint8Array, 0 | 1]
  | [typeof MsgType.ResetAck, number]
  | [typeof MsgType.WaitReadyAck, number]
  | [typeof MsgType.SetPinsAck, number]
  | [typeof MsgType.GetLinesAck, number, 0 | 1, 0 | 1]
  | [typeof MsgType.Irq, number, 0 | 1, number]
  | [typeof MsgType.Error, number, number, string, ...unknown[]];

const isUint = (v: unknown, max = 0xffffffff): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const isBit = (v: unknown): v is 0 | 1 => v === 0 || v === 1;
const isPin = (v: unknown): v is PinLevel => v === null || isBit(v);
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

/** Minimum field checks per type; extra trailing fields are allowed (forward compatibility, PROTOCOL.md §6). */
const SHAPES: Record<number, (m: unknown[]) => boolean> = {
  [MsgType.Hello]: (m) => isUint(m[2]),
  [MsgType.Xfer]: (m) => isBytes(m[2]) && m[2].length >= 1 && isUint(m[3], 0xff),
  [MsgType.Reset]: (m) => isUint(m[2]),
  [MsgType.WaitReady]: (m) => isUint(m[2]),
  [MsgType.SetPins]: (m) => isPin(m[2]) && isPin(m[3]),
  [MsgType.GetLines]: () => true,
  [MsgType.HelloAck]: (m) => isUint(m[2]) && typeof m[3] === 'string' && isUint(m[4]) && isUint(m[5]),
  [MsgType.XferAck]: (m) => isBytes(m[2]) && isBit(m[3]),
  [MsgType.ResetAck]: () => true,
  [MsgType.WaitReadyAck]: () => true,
  [MsgType.SetPinsAck]: () => true,
  [MsgType.GetLinesAck]: (m) => isBit(m[2]) && isBit(m[3]),
  [MsgType.Irq]: (m) => isBit(m[2]) && isUint(m[3], Number.MAX_SAFE_INTEGER),
  [MsgType.Error]: (m) => isUint(m[2]) && typeof m[3] === 'string',
};

export type ShapeResult = { ok: true; message: BridgeMessage } | { ok: false; reason: 'not-array' | 'unknown-type' | 'bad-fields'; type?: number; seq?: number };

export function checkShape(v: unknown): ShapeResult {
  if (!Array.isArray(v) || v.length < 2 || !isUint(v[0], 0xff) || !isUint(v[1], 0xffff)) return { ok: false, reason: 'not-array' };
  const shape = SHAPES[v[0]];
  if (!shape) return { ok: false, reason: 'unknown-type', type: v[0], seq: v[1] };
  if (!shape(v)) return { ok: false, reason: 'bad-fields', type: v[0], seq: v[1] };
  return { ok: true, message: v as BridgeMessage };
}
