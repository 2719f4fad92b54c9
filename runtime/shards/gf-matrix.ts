/**
 * Small dense matrices over GF(2^8): just what Reed-Solomon needs to build its systematic coding matrix and to
 * invert the k x k sub-matrix of the rows that survived. Matrices are at most 256 x 256, so plain arrays of rows
 * are fine here; the hot loop lives in reed-solomon-kernel.ts.
 */
import { gfExp, gfInv, gfMul } from './galois.js';
import { SingularMatrixError } from './errors.js';

export type GfMatrix = Uint8Array[];

export function gfMatrix(rows: number, cols: number): GfMatrix {
  return Array.from({ length: rows }, () => new Uint8Array(cols));
}

export function identity(n: number): GfMatrix {
  const m = gfMatrix(n, n);
  for (let i = 0; i < n; i++) m[i]![i] = 1;
  return m;
}

/** Rows x cols Vandermonde matrix V[r][c] = r^c (Backblaze ReedSolomon.vandermonde). */
export function vandermonde(rows: number, cols: number): GfMatrix {
  const m = gfMatrix(rows, cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m[r]![c] = gfExp(r, c);
  return m;
}

export function multiply(a: GfMatrix, b: GfMatrix): GfMatrix {
  const rows = a.length;
  const inner = b.length;
  const cols = b[0]?.length ?? 0;
  if ((a[0]?.length ?? 0) !== inner) throw new RangeError(`cannot multiply ${rows}x${a[0]?.length} by ${inner}x${cols}`);
  const out = gfMatrix(rows, cols);
  for (let r = 0; r < rows; r++) {
    const ar = a[r]!;
    const or = out[r]!;
    for (let c = 0; c < cols; c++) {
      let v = 0;
      for (let i = 0; i < inner; i++) v ^= gfMul(ar[i]!, b[i]![c]!);
      or[c] = v;
    }
  }
  return out;
}

/** Gauss-Jordan inversion; throws SingularMatrixError when no inverse exists. */
export function invert(m: GfMatrix): GfMatrix {
  const n = m.length;
  if (m.some((row) => row.length !== n)) throw new RangeError('only square matrices can be inverted');
  const work = m.map((row, i) => {
    const r = new Uint8Array(2 * n);
    r.set(row);
    r[n + i] = 1;
    return r;
  });
  for (let col = 0; col < n; col++) {
    let pivot = col;
    while (pivot < n && work[pivot]![col] === 0) pivot++;
    if (pivot === n) throw new SingularMatrixError(n);
    if (pivot !== col) [work[col], work[pivot]] = [work[pivot]!, work[col]!];
    const pr = work[col]!;
    const scale = gfInv(pr[col]!);
    if (scale !== 1) for (let c = 0; c < 2 * n; c++) pr[c] = gfMul(pr[c]!, scale);
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const row = work[r]!;
      const f = row[col]!;
      if (f === 0) continue;
      for (let c = 0; c < 2 * n; c++) row[c] = row[c]! ^ gfMul(f, pr[c]!);
    }
  }
  return work.map((r) => r.slice(n));
}
