/**
 * The Cayenne LPP fields the repeater's GET_TELEMETRY_DATA answer holds (electroniccats/CayenneLPP 1.6.1, which the
 * firmware links): channel u8 · type u8 · value big-endian, value = (uint32)(|x| × multiplier) from a float, signed
 * types two's-complemented in their size. The repeater sends voltage (type 116, ×100, 2 bytes) on
 * TELEM_CHANNEL_SELF = 1, and the MCU temperature (type 103, ×10, 2 bytes signed) where the board has one. Pure.
 */

export const TELEM_CHANNEL_SELF = 1;
export const LPP_VOLTAGE = 116;
export const LPP_TEMPERATURE = 103;

function field(channel: number, type: number, value: number, multiplier: number, size: number, signed: boolean): Uint8Array {
  const f = Math.fround(value);
  const neg = f < 0;
  let v = Math.trunc(Math.fround(Math.abs(f) * multiplier)) >>> 0;
  if (signed && neg) {
    const mask = 2 ** (size * 8) - 1;
    v = v & mask;
    v = mask - v + 1;
  }
  const out = new Uint8Array(2 + size);
  out[0] = channel;
  out[1] = type;
  for (let i = 1; i <= size; i++) {
    out[2 + size - i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return out;
}

/** CayenneLPP::addVoltage(channel, volts). */
export function lppVoltage(channel: number, volts: number): Uint8Array {
  return field(channel, LPP_VOLTAGE, volts, 100, 2, false);
}

/** CayenneLPP::addTemperature(channel, celsius). */
export function lppTemperature(channel: number, celsius: number): Uint8Array {
  return field(channel, LPP_TEMPERATURE, celsius, 10, 2, true);
}
