/**
 * The C string helpers the repeater's CLI answers are made of, reproduced exactly so that replies match the firmware
 * byte for byte: StrHelper::ftoa / ftoa3 (src/helpers/TxtDataHelpers.cpp), the C library's atoi / atof / strtof
 * prefix parsing, CommonCLI.cpp `_atoi`, Utils::toHex / fromHex / parseTextParts (src/Utils.cpp), and RTClib's
 * DateTime fields as the CLI prints them. Prefs that the firmware keeps as `float` are rounded to float32 first
 * (Math.fround), because that is what the firmware prints.
 */

const f32 = Math.fround;

/**
 * StrHelper::ftoa: up to 7 binary-derived decimals with trailing zeros dropped, "0.0" for zero, "0" when the value
 * is out of the helper's range. Works on the float32 bits as the firmware does (869.618 prints as "869.6179809").
 */
export function ftoa(value: number): string {
  const f = f32(value);
  if (f === 0) return '0.0';
  const bits = new DataView(new ArrayBuffer(4));
  bits.setFloat32(0, f, true);
  const raw = bits.getInt32(0, true);
  const exp2 = ((raw >> 23) & 0xff) - 127;
  const mantissa = (raw & 0xffffff) | 0x800000;
  let intPart = 0;
  let fracPart = 0;
  if (exp2 >= 31) return '0'; // _FTOA_TOO_LARGE → fallback
  if (exp2 < -23) return '0'; // _FTOA_TOO_SMALL → fallback
  if (exp2 >= 23) {
    intPart = mantissa * 2 ** (exp2 - 23);
  } else if (exp2 >= 0) {
    intPart = Math.floor(mantissa / 2 ** (23 - exp2));
    fracPart = (mantissa * 2 ** (exp2 + 1)) % 0x1000000;
  } else {
    fracPart = Math.floor(mantissa / 2 ** -(exp2 + 1));
  }
  let out = raw < 0 ? '-' : '';
  out += String(intPart);
  out += '.';
  if (fracPart === 0) return out + '0';
  let digits = '';
  for (let m = 0; m < 7; m++) {
    fracPart *= 10;
    digits += String(Math.floor(fracPart / 0x1000000));
    fracPart %= 0x1000000;
  }
  // "delete ending zeroes", keeping one digit after the point
  let end = digits.length;
  while (end > 1 && digits[end - 1] === '0') end--;
  return out + digits.slice(0, end);
}

/** StrHelper::ftoa3: rounded to 3 decimals, trailing zeros and a bare point dropped ("62.5", "250"). */
export function ftoa3(value: number): string {
  const f = f32(value);
  const v = Math.trunc(f32(f32(f * 1000) + (f >= 0 ? 0.5 : -0.5)));
  const w = Math.trunc(v / 1000);
  const d = Math.abs(v % 1000);
  // snprintf "%d.%03d": a value in (-1, 0) loses its sign there too (w is 0)
  let s = `${w}.${String(d).padStart(3, '0')}`;
  let i = s.length - 1;
  while (i > 0 && s[i] === '0') i--;
  s = s.slice(0, i + 1);
  if (s.endsWith('.')) s = s.slice(0, -1);
  return s;
}

/** C atoi: leading blanks, a sign, digits; 0 when there are none. Callers apply the C cast they need. */
export function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  const n = Number.parseInt(m[1], 10);
  // int overflow is undefined in C; glibc/newlib saturate strtol, keep that
  return Math.max(-2147483648, Math.min(2147483647, n));
}

/** CommonCLI.cpp `_atoi`: digits only, no sign, no blanks, as uint32. */
export function atoiDigits(s: string): number {
  let n = 0;
  for (const ch of s) {
    if (ch < '0' || ch > '9') break;
    n = (n * 10 + (ch.charCodeAt(0) - 48)) >>> 0;
  }
  return n;
}

/** C atof / strtof prefix parse (decimal forms; 0 when nothing parses). */
export function atof(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/.exec(s);
  if (!m) return 0;
  return Number.parseFloat(m[1]);
}

/** uint8_t / int8_t casts of an int. */
export const u8 = (n: number): number => n & 0xff;
export const i8 = (n: number): number => (n << 24) >> 24;

const HEX = '0123456789ABCDEF';

/** Utils::toHex: upper-case hex. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX[b >> 4] + HEX[b & 15];
  return s;
}

function hexVal(c: string): number {
  if (c >= 'A' && c <= 'F') return c.charCodeAt(0) - 55;
  if (c >= 'a' && c <= 'f') return c.charCodeAt(0) - 87;
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  return 0;
}

/** Utils::fromHex: exactly `size` bytes of hex or undefined (a non-hex digit reads as 0, as in the firmware). */
export function fromHex(hex: string, size: number): Uint8Array | undefined {
  if (hex.length !== size * 2) return undefined;
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (hexVal(hex[2 * i]) << 4) | hexVal(hex[2 * i + 1]);
  return out;
}

/**
 * Utils::parseTextParts: splits at each single separator (so two separators give an empty part), at most `max`
 * parts; the last part ends at the next separator.
 */
export function parseTextParts(text: string, max: number, separator = ','): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < text.length && parts.length < max) {
    let j = i;
    while (j < text.length && text[j] !== separator) j++;
    parts.push(text.slice(i, j));
    i = j < text.length ? j + 1 : j;
  }
  return parts;
}

/** StrHelper::strncpy into a char[size]: at most size − 1 bytes, cut at a whole UTF-8 character (see below). */
export function cString(s: string, size: number): string {
  const bytes = new TextEncoder().encode(s);
  if (bytes.length <= size - 1) return s;
  // The firmware cuts at a byte; we cut at the last whole character so the value stays valid UTF-8 (a byte cut
  // would be re-read as U+FFFD and grow).
  let n = size - 1;
  while (n > 0 && (bytes[n] & 0xc0) === 0x80) n--;
  return new TextDecoder().decode(bytes.subarray(0, n));
}

export function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** "%02d:%02d - %d/%d/%d UTC" of RTClib DateTime(now): the CLI's clock format (UTC). */
export function formatClock(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())} - ${d.getUTCDate()}/${d.getUTCMonth() + 1}/${d.getUTCFullYear()} UTC`;
}
