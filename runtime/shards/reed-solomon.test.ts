import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ReedSolomon } from './reed-solomon.js';
import { gfDiv, gfExp, gfMul } from './galois.js';
import { invert, multiply } from './gf-matrix.js';
import { codeRows, productTable16 } from './reed-solomon-kernel.js';

// Vectors from Backblaze/JavaReedSolomon src/test/java/com/backblaze/erasure/GaloisTest.java (testWithPythonAnswers)
// and MatrixTest.java — an independent implementation of the same field (poly 0x11d) and matrix construction.
test('GF(2^8) matches Backblaze GaloisTest python answers', () => {
  assert.is(gfMul(3, 4), 12);
  assert.is(gfMul(7, 7), 21);
  assert.is(gfMul(23, 45), 41);
  assert.is(gfExp(2, 2), 4);
  assert.is(gfExp(5, 20), 235);
  assert.is(gfExp(13, 7), 43);
  for (let a = 1; a < 256; a++) assert.is(gfMul(a, gfDiv(1, a)), 1);
});

test('matrix multiply and invert match Backblaze MatrixTest', () => {
  const p = multiply([Uint8Array.of(1, 2), Uint8Array.of(3, 4)], [Uint8Array.of(5, 6), Uint8Array.of(7, 8)]);
  assert.equal(p.map((r) => [...r]), [[11, 22], [19, 42]]);
  const inv = invert([Uint8Array.of(56, 23, 98), Uint8Array.of(3, 100, 200), Uint8Array.of(45, 201, 123)]);
  assert.equal(inv.map((r) => [...r]), [[175, 133, 33], [130, 13, 245], [112, 35, 126]]);
  const inv2 = invert([
    Uint8Array.of(1, 0, 0, 0, 0), Uint8Array.of(0, 1, 0, 0, 0), Uint8Array.of(0, 0, 0, 1, 0),
    Uint8Array.of(0, 0, 0, 0, 1), Uint8Array.of(7, 7, 6, 6, 1),
  ]);
  assert.equal(inv2.map((r) => [...r]), [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [123, 123, 1, 122, 122], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0]]);
});

test('singular matrix is reported', () => {
  try {
    invert([Uint8Array.of(1, 2), Uint8Array.of(1, 2)]);
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'SingularMatrixError');
  }
});

// Backblaze ReedSolomonTest.testOneEncode: RS(5,5) parity of two-byte shards.
test('RS(5,5) parity matches Backblaze testOneEncode', () => {
  const rs = new ReedSolomon(5, 5);
  const shards = [[0, 1], [4, 5], [2, 3], [6, 7], [8, 9]].map((s) => Uint8Array.from(s));
  for (let i = 0; i < 5; i++) shards.push(new Uint8Array(2));
  rs.encode(shards);
  assert.equal(shards.slice(5).map((s) => [...s]), [[12, 13], [10, 11], [14, 15], [90, 91], [94, 95]]);
  assert.ok(rs.verify(shards));
  shards[8]![0]! += 1;
  assert.not.ok(rs.verify(shards));
});

test('the same vector through the aligned 32-bit path (shards at 4-byte offsets, 4 KB and 64 KB)', () => {
  // Repeat the two-byte pattern so every lane of the word loop sees it; parity is linear, so it repeats too.
  // 4 KB: the coefficients have no 16-bit table yet in this process (words through MUL); 64 KB = 16 Ki words: each
  // coefficient earns its table within the call (the kernel's rent-or-buy rule), so the table loop codes it.
  const rs = new ReedSolomon(5, 5);
  for (const len of [4096, 65536]) {
    const ab = new ArrayBuffer(10 * len);
    const shards = Array.from({ length: 10 }, (_, i) => new Uint8Array(ab, i * len, len));
    const data = [[0, 1], [4, 5], [2, 3], [6, 7], [8, 9]];
    data.forEach((d, i) => { for (let j = 0; j < len; j++) shards[i]![j] = d[j & 1]!; });
    rs.encode(shards);
    const want = [[12, 13], [10, 11], [14, 15], [90, 91], [94, 95]];
    want.forEach((w, p) => {
      let wrong = -1;
      for (let j = 0; j < len && wrong < 0; j++) if (shards[5 + p]![j] !== w[j & 1]) wrong = j;
      assert.is(wrong, -1, `len=${len} parity ${p} first wrong byte`);
    });
  }
});

function allSubsets(n: number, size: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, acc: number[]) => {
    if (acc.length === size) { out.push([...acc]); return; }
    for (let i = start; i < n; i++) { acc.push(i); rec(i + 1, acc); acc.pop(); }
  };
  rec(0, []);
  return out;
}

function roundTripAllLosses(k: number, m: number, len: number, offset = 0): void {
  const rs = new ReedSolomon(k, m);
  const n = k + m;
  const ab = new ArrayBuffer(n * (len + offset) + offset);
  const shards = Array.from({ length: n }, (_, i) => new Uint8Array(ab, offset + i * (len + offset), len));
  for (let i = 0; i < k; i++) shards[i]!.set(randomBytes(len));
  rs.encode(shards);
  const original = shards.map((s) => Uint8Array.from(s));
  for (let lost = 0; lost <= m; lost++) {
    for (const subset of allSubsets(n, lost)) {
      const present = Array.from({ length: n }, () => true);
      for (const i of subset) { present[i] = false; shards[i]!.fill(0xa5); }
      rs.reconstruct(shards, present);
      for (let i = 0; i < n; i++) assert.equal(shards[i], original[i], `k=${k} m=${m} len=${len} lost=${subset} shard=${i}`);
    }
  }
}

test('RS(3,2): every loss of up to 2 shards rebuilds, aligned and unaligned, odd lengths', () => {
  for (const len of [0, 1, 2, 3, 4, 5, 7, 8, 4064, 4065]) {
    roundTripAllLosses(3, 2, len, 0);
    roundTripAllLosses(3, 2, len, 1);
  }
});

test('other geometries: 1+1, 2+2, 4+2, 5+5, 10+4', () => {
  for (const [k, m] of [[1, 1], [2, 2], [4, 2], [5, 5], [10, 4]] as const) roundTripAllLosses(k, m, 100);
});

test('k + 1 losses cannot be rebuilt', () => {
  const rs = new ReedSolomon(3, 2);
  const shards = Array.from({ length: 5 }, () => new Uint8Array(8));
  try {
    rs.reconstruct(shards, [true, true, false, false, false]);
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'NotEnoughShardsError');
  }
});

test('bad geometry is rejected', () => {
  assert.throws(() => new ReedSolomon(0, 2), RangeError);
  assert.throws(() => new ReedSolomon(200, 57), RangeError);
  assert.throws(() => new ReedSolomon(3, 2).encode([new Uint8Array(4)]), RangeError);
});

test('property: aligned word paths (through MUL and through 16-bit tables) equal the byte path for random coefficients', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 2 ** 31 }),
    (nIn, nOut, len, seed) => {
      let s = seed;
      const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 255;
      const rows = Array.from({ length: nOut }, () => Uint8Array.from({ length: nIn }, rnd));
      const inputs = Array.from({ length: nIn }, () => Uint8Array.from({ length: len }, rnd));
      const alignedIn = inputs.map((b) => { const x = new Uint8Array(new ArrayBuffer(len + 4), 0, len); x.set(b); return x; });
      const skewedIn = inputs.map((b) => { const x = new Uint8Array(new ArrayBuffer(len + 4), 1, len); x.set(b); return x; });
      const outA = Array.from({ length: nOut }, () => new Uint8Array(new ArrayBuffer(len + 4), 0, len));
      const outB = Array.from({ length: nOut }, () => new Uint8Array(new ArrayBuffer(len + 4), 3, len));
      const outC = Array.from({ length: nOut }, () => new Uint8Array(new ArrayBuffer(len + 4), 0, len));
      // Short inputs have not earned tables: outA mostly goes through MUL words (a coefficient kept from an earlier
      // run through its table). Then every coefficient gets its table (at most 18 < the 24 kept): outC, and for
      // three inputs the fused loop, go through the tables.
      codeRows(rows, alignedIn, outA, len);
      codeRows(rows, skewedIn, outB, len);
      for (const row of rows) for (const c of row) productTable16(c);
      codeRows(rows, alignedIn, outC, len);
      for (let r = 0; r < nOut; r++) {
        for (let j = 0; j < len; j++) {
          let want = 0;
          for (let i = 0; i < nIn; i++) want ^= gfMul(rows[r]![i]!, inputs[i]![j]!);
          if (outA[r]![j] !== want || outB[r]![j] !== want || outC[r]![j] !== want) return false;
        }
      }
      return true;
    },
  ), { numRuns: 200 });
});

test.run();
