/** Unsigned LEB128 varints up to 2^53 − 1 (milliseconds since the epoch need 6 bytes instead of CBOR's 9). */

export function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Writes `value` at `offset`; returns the offset after it. */
export function writeVarint(out: Uint8Array, offset: number, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint must be a safe unsigned integer, got ${value}`);
  while (value >= 0x80) {
    out[offset++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[offset++] = value;
  return offset;
}

/** Reads a varint at `offset`: [value, next offset], or undefined when truncated or over 2^53 − 1 / non-minimal. */
export function readVarint(bytes: Uint8Array, offset: number): [number, number] | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    if (offset >= bytes.length) return undefined;
    const b = bytes[offset++]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      // Reject non-minimal encodings (a trailing 0x00 byte) so every value has exactly one encoding.
      if (i > 0 && b === 0) return undefined;
      return Number.isSafeInteger(value) ? [value, offset] : undefined;
    }
    scale *= 128;
  }
  return undefined;
}
