/**
 * Arithmetic in GF(2^8) with the primitive polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d) and generator 2 — the field
 * Backblaze JavaReedSolomon (Galois.java, GENERATING_POLYNOMIAL = 29) and klauspost/reedsolomon (galois.go) use, so
 * our parity is byte-identical to theirs and their published vectors check us.
 *
 * Tables are built once at module load: EXP/LOG (768 B) and the full 256 x 256 product table MUL (64 KB,
 * MUL[a << 8 | b] = a * b) that the byte-wise coding loop indexes without branches.
 */

const POLYNOMIAL = 0x11d;

/** EXP[i] = 2^i, doubled to 510 entries so EXP[LOG[a] + LOG[b]] needs no modulo. */
export const EXP = new Uint8Array(510);
/** LOG[a] = log2(a) for a != 0; LOG[0] is unused (0 has no logarithm). */
export const LOG = new Uint8Array(256);
/** MUL[a << 8 | b] = a * b in GF(2^8). */
export const MUL = new Uint8Array(65536);

{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= POLYNOMIAL;
  }
  for (let i = 255; i < 510; i++) EXP[i] = EXP[i - 255]!;
  for (let a = 1; a < 256; a++) {
    const la = LOG[a]!;
    const row = a << 8;
    for (let b = 1; b < 256; b++) MUL[row | b] = EXP[la + LOG[b]!]!;
  }
}

export function gfMul(a: number, b: number): number {
  return MUL[((a & 255) << 8) | (b & 255)]!;
}

export function gfDiv(a: number, b: number): number {
  if (b === 0) throw new RangeError('division by zero in GF(2^8)');
  if (a === 0) return 0;
  return EXP[LOG[a]! + 255 - LOG[b]!]!;
}

export function gfInv(a: number): number {
  return gfDiv(1, a);
}

/** a^n; 0^0 = 1 as in Backblaze Galois.exp (the Vandermonde matrix's first column relies on it). */
export function gfExp(a: number, n: number): number {
  if (n === 0) return 1;
  if (a === 0) return 0;
  return EXP[(LOG[a]! * n) % 255]!;
}
