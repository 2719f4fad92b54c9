/**
 * The Reed-Solomon inner loop: out[r] = sum_i coef[r][i] * in[i] over GF(2^8), byte by byte.
 *
 * Fast path (all buffers 4-byte aligned): read 32-bit words and look each 16-bit half up in a 64 Ki-entry table of
 * products for one coefficient (128 KB, built lazily, a bounded number kept). That does two table lookups per input
 * per 4 bytes instead of four, and measured 900 MB/s for RS(3,2) at 4 KB on the reference x86 box vs 430 MB/s for the
 * plain 64 KB MUL table byte loop (docs/measurements.md §4: 288 MB/s with 16-bit words; 32-bit loads win
 * again). The byte loop over MUL handles unaligned buffers and the last length % 4 bytes. No allocation per byte;
 * per call only a few typed-array views.
 *
 * A 16-bit table costs 65,536 stores to build, as much as coding ~16 K words through MUL, so a coefficient gets one
 * only once it has earned it (rent or buy: the words it coded without a table since it last had one reach that
 * cost). A narrow code's few coefficients earn theirs within the first chunks and keep them; a wide code's decode
 * (k = 10: up to 40 coefficients per survivor pattern, past the cache) or a short last chunk no longer builds and
 * evicts 128 KB tables to code a few hundred bytes.
 */
import { MUL } from './galois.js';

/** At most this many 128 KB product tables are kept (3 MB): RS(3,2) encode needs 6, a decode at most 9 more. */
const TABLE_CACHE_LIMIT = 24;
const tables = new Map<number, Uint16Array>();
/** Words coded through MUL per coefficient since it last had a table; at TABLE_COST_WORDS it gets one. */
const TABLE_COST_WORDS = 16384;
const rent = new Uint32Array(256);

/** The coefficient's table if it is kept (now the most recently used), else undefined. */
function cached(c: number): Uint16Array | undefined {
  const t = tables.get(c);
  if (t) {
    tables.delete(c);
    tables.set(c, t);
  }
  return t;
}

/** The coefficient's 16-bit table if it has (or has now earned) one, else undefined: code these n words through MUL. */
function tableFor(c: number, n: number): Uint16Array | undefined {
  const t = cached(c);
  if (t) return t;
  if ((rent[c]! += n) < TABLE_COST_WORDS) return undefined;
  rent[c] = 0;
  return productTable16(c);
}

/** T[v] = (c * (v & 255)) | (c * (v >> 8)) << 8: the product of c with both bytes of a 16-bit word. */
export function productTable16(c: number): Uint16Array {
  let t = cached(c);
  if (t) return t;
  t = new Uint16Array(65536);
  const row = c << 8;
  for (let hi = 0; hi < 256; hi++) {
    const h = MUL[row | hi]! << 8;
    const base = hi << 8;
    for (let lo = 0; lo < 256; lo++) t[base | lo] = h | MUL[row | lo]!;
  }
  if (tables.size >= TABLE_CACHE_LIMIT) tables.delete(tables.keys().next().value!);
  tables.set(c, t);
  return t;
}

function aligned(bufs: readonly Uint8Array[]): boolean {
  for (const b of bufs) if ((b.byteOffset & 3) !== 0) return false;
  return true;
}

function words(b: Uint8Array, n: number): Uint32Array {
  return new Uint32Array(b.buffer, b.byteOffset, n);
}

/**
 * outputs[r][0..length) = sum over i of rows[r][i] * inputs[i][0..length). `rows[r].length` must equal
 * `inputs.length`; every buffer must hold at least `length` bytes. Outputs must not alias inputs.
 */
export function codeRows(rows: readonly Uint8Array[], inputs: readonly Uint8Array[], outputs: readonly Uint8Array[], length: number): void {
  const nIn = inputs.length;
  let done = 0;
  if (length >= 4 && aligned(inputs) && aligned(outputs)) {
    const n = length >>> 2;
    done = n << 2;
    const inW = inputs.map((b) => words(b, n));
    for (let r = 0; r < rows.length; r++) {
      const coef = rows[r]!;
      const out = words(outputs[r]!, n);
      if (nIn !== 3 || !fused3(coef, inW, out, n)) accumulate(coef, inW, out, n);
    }
  }
  if (done < length) bytewise(rows, inputs, outputs, done, length);
}

/** All three inputs in one pass when all three coefficients have tables; false (nothing written) otherwise. */
function fused3(coef: Uint8Array, inW: Uint32Array[], out: Uint32Array, n: number): boolean {
  const t0 = cached(coef[0]!), t1 = cached(coef[1]!), t2 = cached(coef[2]!);
  if (!t0 || !t1 || !t2) return false;
  const a = inW[0]!, b = inW[1]!, c = inW[2]!;
  for (let j = 0; j < n; j++) {
    const x = a[j]!, y = b[j]!, z = c[j]!;
    out[j] = (t0[x & 0xffff]! ^ t1[y & 0xffff]! ^ t2[z & 0xffff]!) | ((t0[x >>> 16]! ^ t1[y >>> 16]! ^ t2[z >>> 16]!) << 16);
  }
  return true;
}

function accumulate(coef: Uint8Array, inW: Uint32Array[], out: Uint32Array, n: number): void {
  out.fill(0);
  for (let i = 0; i < inW.length; i++) {
    const c = coef[i]!;
    if (c === 0) continue;
    const src = inW[i]!;
    if (c === 1) {
      for (let j = 0; j < n; j++) out[j] ^= src[j]!;
      continue;
    }
    const t = tableFor(c, n);
    if (t) {
      for (let j = 0; j < n; j++) {
        const x = src[j]!;
        out[j] ^= t[x & 0xffff]! | (t[x >>> 16]! << 16);
      }
      continue;
    }
    const row = c << 8;
    for (let j = 0; j < n; j++) {
      const x = src[j]!;
      out[j] ^= MUL[row | (x & 255)]! | (MUL[row | ((x >>> 8) & 255)]! << 8) | (MUL[row | ((x >>> 16) & 255)]! << 16) | (MUL[row | (x >>> 24)]! << 24);
    }
  }
}

function bytewise(rows: readonly Uint8Array[], inputs: readonly Uint8Array[], outputs: readonly Uint8Array[], from: number, to: number): void {
  for (let r = 0; r < rows.length; r++) {
    const coef = rows[r]!;
    const out = outputs[r]!;
    out.fill(0, from, to);
    for (let i = 0; i < inputs.length; i++) {
      const row = coef[i]! << 8;
      if (row === 0) continue;
      const src = inputs[i]!;
      for (let j = from; j < to; j++) out[j] ^= MUL[row | src[j]!]!;
    }
  }
}
