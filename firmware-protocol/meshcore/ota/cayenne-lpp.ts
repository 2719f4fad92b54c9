/**
 * Cayenne LPP as the firmware writes telemetry (electroniccats/CayenneLPP 1.6.1, pinned in platformio.ini):
 * each field is `channel · type · value (big-endian, type-sized)`. MeshCore always starts with the battery:
 * addVoltage(TELEM_CHANNEL_SELF = 1, (float)board.getBattMilliVolts() / 1000.0f) (simple_repeater and
 * companion_radio MyMesh), then sensors, then the MCU temperature. Values are computed as that library does, in
 * float32: v = (uint32)(|value| × multiplier); a negative value of an unsigned type loses its sign; signed types are
 * written as two's complement of the field size; GPS is int32(value × 10000 / × 100) cut to 3 bytes.
 * The buffer is MAX_PACKET_PAYLOAD − 4 (the response tag) = 180 bytes; a field that does not fit is not written.
 */
import { MAX_PACKET_PAYLOAD } from './packet.js';
import { layoutError } from './app-data-errors.js';

export const LPP = {
  DIGITAL_INPUT: 0,
  DIGITAL_OUTPUT: 1,
  ANALOG_INPUT: 2,
  ANALOG_OUTPUT: 3,
  GENERIC_SENSOR: 100,
  LUMINOSITY: 101,
  PRESENCE: 102,
  TEMPERATURE: 103,
  RELATIVE_HUMIDITY: 104,
  ACCELEROMETER: 113,
  BAROMETRIC_PRESSURE: 115,
  VOLTAGE: 116,
  CURRENT: 117,
  FREQUENCY: 118,
  PERCENTAGE: 120,
  ALTITUDE: 121,
  CONCENTRATION: 125,
  POWER: 128,
  DISTANCE: 130,
  ENERGY: 131,
  DIRECTION: 132,
  UNIXTIME: 133,
  GYROMETER: 134,
  COLOUR: 135,
  GPS: 136,
  SWITCH: 142,
} as const;

/** [size, multiplier, signed] per type (CayenneLPP.h *_SIZE / *_MULT, getTypeSigned). */
const TYPES = new Map<number, [number, number, boolean]>([
  [LPP.DIGITAL_INPUT, [1, 1, false]],
  [LPP.DIGITAL_OUTPUT, [1, 1, false]],
  [LPP.ANALOG_INPUT, [2, 100, true]],
  [LPP.ANALOG_OUTPUT, [2, 100, true]],
  [LPP.GENERIC_SENSOR, [4, 1, false]],
  [LPP.LUMINOSITY, [2, 1, false]],
  [LPP.PRESENCE, [1, 1, false]],
  [LPP.TEMPERATURE, [2, 10, true]],
  [LPP.RELATIVE_HUMIDITY, [1, 2, false]],
  [LPP.ACCELEROMETER, [6, 1000, true]],
  [LPP.BAROMETRIC_PRESSURE, [2, 10, false]],
  [LPP.VOLTAGE, [2, 100, false]],
  [LPP.CURRENT, [2, 1000, false]],
  [LPP.FREQUENCY, [4, 1, false]],
  [LPP.PERCENTAGE, [1, 1, false]],
  [LPP.ALTITUDE, [2, 1, true]],
  [LPP.CONCENTRATION, [2, 1, false]],
  [LPP.POWER, [2, 1, false]],
  [LPP.DISTANCE, [4, 1000, false]],
  [LPP.ENERGY, [4, 1000, false]],
  [LPP.DIRECTION, [2, 1, false]],
  [LPP.UNIXTIME, [4, 1, false]],
  [LPP.GYROMETER, [6, 100, true]],
  [LPP.COLOUR, [3, 1, false]],
  [LPP.GPS, [9, 10000, true]],
  [LPP.SWITCH, [1, 1, false]],
]);

/** The telemetry buffer of simple_repeater / companion_radio: CayenneLPP telemetry(MAX_PACKET_PAYLOAD - 4). */
export const TELEMETRY_MAX_SIZE = MAX_PACKET_PAYLOAD - 4;

const f32 = Math.fround;

/** (float)millivolts / 1000.0f, the value MeshCore hands to addVoltage. */
export function voltsFromMilliVolts(mv: number): number {
  return f32(f32(mv) / 1000);
}

/** An LPP payload builder with the library's overflow rule (a field that does not fit is dropped). */
export class LppWriter {
  private readonly buf: Uint8Array;
  private cursor = 0;

  constructor(readonly maxSize: number = TELEMETRY_MAX_SIZE) {
    this.buf = new Uint8Array(maxSize);
  }

  /** CayenneLPP::addField for the scalar types (one value). False when it did not fit (LPP_ERROR_OVERFLOW). */
  addField(type: number, channel: number, value: number): boolean {
    const t = TYPES.get(type);
    if (!t || type === LPP.GPS || type === LPP.ACCELEROMETER || type === LPP.GYROMETER || type === LPP.COLOUR) {
      throw new RangeError(`LPP type ${type} is not a single-value type`);
    }
    const [size, mult, signed] = t;
    if (this.cursor + size + 2 > this.maxSize) return false;
    let x = f32(value);
    const sign = x < 0;
    if (sign) x = -x;
    let v = f32(x * mult);
    v = Number.isFinite(v) ? Math.trunc(v) % 2 ** 32 : 0;
    if (signed && sign) {
      const mask = size >= 4 ? 0xffffffff : (1 << (size * 8)) - 1;
      v = (mask - (v & mask) + 1) >>> 0;
    }
    this.buf[this.cursor++] = channel & 0xff;
    this.buf[this.cursor++] = type;
    for (let i = size - 1; i >= 0; i--) {
      this.buf[this.cursor + i] = v & 0xff;
      v = Math.floor(v / 256);
    }
    this.cursor += size;
    return true;
  }

  addVoltage(channel: number, volts: number): boolean {
    return this.addField(LPP.VOLTAGE, channel, volts);
  }

  addTemperature(channel: number, celsius: number): boolean {
    return this.addField(LPP.TEMPERATURE, channel, celsius);
  }

  /** CayenneLPP::addGPS: int32(lat × 10000), int32(lon × 10000), int32(alt × 100), each cut to 3 bytes. */
  addGps(channel: number, latitude: number, longitude: number, altitudeMeters: number): boolean {
    if (this.cursor + 9 + 2 > this.maxSize) return false;
    this.buf[this.cursor++] = channel & 0xff;
    this.buf[this.cursor++] = LPP.GPS;
    for (const v of [f32(f32(latitude) * 10000), f32(f32(longitude) * 10000), f32(f32(altitudeMeters) * 100)]) {
      const n = Number.isFinite(v) ? Math.trunc(v) | 0 : 0;
      this.buf[this.cursor++] = (n >> 16) & 0xff;
      this.buf[this.cursor++] = (n >> 8) & 0xff;
      this.buf[this.cursor++] = n & 0xff;
    }
    return true;
  }

  get size(): number {
    return this.cursor;
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.cursor);
  }
}

export interface LppField {
  channel: number;
  type: number;
  /** Scaled value; for GPS [lat, lon, alt], accelerometer/gyrometer [x, y, z], colour [r, g, b]. */
  value: number | number[];
}

function readScaled(data: Uint8Array, at: number, size: number, mult: number, signed: boolean): number {
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + data[at + i];
  if (signed && v >= 2 ** (size * 8 - 1)) v -= 2 ** (size * 8);
  return v / mult;
}

/**
 * Decodes a telemetry payload. Stops at the end, or at a `00 00` channel/type pair (the zero padding a decrypted
 * RESPONSE carries after the last field, as meshcore.js does). Unknown types and cut fields are layout errors.
 */
export function decodeLpp(data: Uint8Array): LppField[] {
  const out: LppField[] = [];
  let i = 0;
  while (data.length - i >= 2) {
    const channel = data[i];
    const type = data[i + 1];
    if (channel === 0 && type === 0) break;
    const t = TYPES.get(type);
    if (!t) throw layoutError('cayenne lpp', `unknown type ${type} at byte ${i + 1}`);
    const [size, mult, signed] = t;
    if (i + 2 + size > data.length) throw layoutError('cayenne lpp', `type ${type} at byte ${i + 1} needs ${size} bytes`);
    const at = i + 2;
    let value: number | number[];
    if (type === LPP.GPS) value = [readScaled(data, at, 3, 10000, true), readScaled(data, at + 3, 3, 10000, true), readScaled(data, at + 6, 3, 100, true)];
    else if (type === LPP.ACCELEROMETER || type === LPP.GYROMETER) value = [0, 2, 4].map((o) => readScaled(data, at + o, 2, mult, true));
    else if (type === LPP.COLOUR) value = [data[at], data[at + 1], data[at + 2]];
    else value = readScaled(data, at, size, mult, signed);
    out.push({ channel, type, value });
    i = at + size;
  }
  return out;
}
