/** Small byte helpers for the emulated SX126x. */
export function u24(p: Uint8Array): number {
  return (p[0]! << 16) | (p[1]! << 8) | p[2]!;
}

export function clampByte(v: number): number {
  return Math.max(0, Math.min(255, v));
}

export function resize(p: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  out.set(p.subarray(0, n));
  return out;
}

/** Deterministic corruption: flip bits in a few bytes (what a collision or a bad CRC leaves in the buffer). */
export function corrupt(p: Uint8Array, seed: number): Uint8Array {
  const out = Uint8Array.from(p);
  if (out.length === 0) return out;
  for (let k = 0; k < Math.max(1, out.length >> 3); k++) {
    const i = (seed * 31 + k * 17) % out.length;
    out[i] = out[i]! ^ (0x5a + k);
  }
  return out;
}
