/**
 * Systematic Reed-Solomon erasure code over GF(2^8): k data shards, m parity shards, any k of the k + m rebuild all.
 *
 * Matrix: the Vandermonde-derived systematic matrix of Backblaze JavaReedSolomon (ReedSolomon.buildMatrix) and
 * klauspost/reedsolomon's default: V = vandermonde(k + m, k), E = V * inverse(top k x k of V). The top of E is the
 * identity (data shards are stored as they are) and every k x k sub-matrix of E stays invertible because V's rows are
 * distinct evaluation points. Chosen over a Cauchy matrix because it makes our parity byte-identical to those two
 * widely deployed implementations, so their published vectors (Backblaze ReedSolomonTest.testOneEncode) check ours.
 * The coding cost is the same: m x k table multiplies per byte either way.
 */
import { codeRows } from './reed-solomon-kernel.js';
import { identity, invert, multiply, vandermonde, type GfMatrix } from './gf-matrix.js';
import { NotEnoughShardsError } from './errors.js';

/** Decode matrices are cached per survivor pattern; C(5,3) = 10 for RS(3,2), bounded for wide codes. */
const DECODE_CACHE_LIMIT = 64;

export class ReedSolomon {
  readonly total: number;
  /** (k + m) x k coding matrix; rows 0..k-1 are the identity. */
  readonly matrix: GfMatrix;
  private readonly parityRows: Uint8Array[];
  private readonly decodeCache = new Map<string, GfMatrix>();

  constructor(readonly dataShards: number, readonly parityShards: number) {
    if (!Number.isInteger(dataShards) || dataShards < 1) throw new RangeError(`data shards must be an integer >= 1, got ${dataShards}`);
    if (!Number.isInteger(parityShards) || parityShards < 0) throw new RangeError(`parity shards must be an integer >= 0, got ${parityShards}`);
    if (dataShards + parityShards > 256) throw new RangeError(`at most 256 shards in GF(2^8), got ${dataShards + parityShards}`);
    this.total = dataShards + parityShards;
    const v = vandermonde(this.total, dataShards);
    this.matrix = dataShards === this.total ? identity(dataShards) : multiply(v, invert(v.slice(0, dataShards)));
    this.parityRows = this.matrix.slice(dataShards);
  }

  /** Computes the m parity shards from the k data shards in place; all shards hold at least `length` bytes. */
  encode(shards: readonly Uint8Array[], length = shards[0]?.length ?? 0): void {
    this.check(shards, length);
    if (this.parityShards === 0) return;
    codeRows(this.parityRows, shards.slice(0, this.dataShards), shards.slice(this.dataShards), length);
  }

  /** True when the parity shards match the data shards. `scratch` (>= length bytes each, m of them) avoids allocating. */
  verify(shards: readonly Uint8Array[], length = shards[0]?.length ?? 0, scratch?: Uint8Array[]): boolean {
    this.check(shards, length);
    const out = scratch ?? this.parityRows.map(() => new Uint8Array(length));
    codeRows(this.parityRows, shards.slice(0, this.dataShards), out, length);
    for (let p = 0; p < this.parityShards; p++) {
      const a = out[p]!, b = shards[this.dataShards + p]!;
      for (let j = 0; j < length; j++) if (a[j] !== b[j]) return false;
    }
    return true;
  }

  /**
   * Rebuilds the shards whose `present` flag is false, in place, from any k present ones. With `dataOnly` the missing
   * parity shards are left alone (enough to read the data back).
   */
  reconstruct(shards: readonly Uint8Array[], present: readonly boolean[], length = shards[0]?.length ?? 0, opts: { dataOnly?: boolean } = {}): void {
    this.check(shards, length);
    if (present.length !== this.total) throw new RangeError(`present has ${present.length} flags, expected ${this.total}`);
    const have: number[] = [];
    for (let i = 0; i < this.total && have.length < this.dataShards; i++) if (present[i]) have.push(i);
    if (have.length < this.dataShards) throw new NotEnoughShardsError(this.dataShards, present.filter(Boolean).length);

    const missingData: number[] = [];
    for (let i = 0; i < this.dataShards; i++) if (!present[i]) missingData.push(i);
    if (missingData.length > 0) {
      const inv = this.decodeMatrix(have);
      codeRows(
        missingData.map((i) => inv[i]!),
        have.map((i) => shards[i]!),
        missingData.map((i) => shards[i]!),
        length,
      );
    }
    if (opts.dataOnly) return;
    const missingParity: number[] = [];
    for (let i = this.dataShards; i < this.total; i++) if (!present[i]) missingParity.push(i);
    if (missingParity.length > 0) {
      codeRows(
        missingParity.map((i) => this.matrix[i]!),
        shards.slice(0, this.dataShards),
        missingParity.map((i) => shards[i]!),
        length,
      );
    }
  }

  /** Inverse of the k x k sub-matrix of the surviving rows: maps surviving shards back to the data shards. */
  private decodeMatrix(rows: number[]): GfMatrix {
    const key = rows.join(',');
    let inv = this.decodeCache.get(key);
    if (!inv) {
      inv = invert(rows.map((r) => this.matrix[r]!));
      if (this.decodeCache.size >= DECODE_CACHE_LIMIT) this.decodeCache.delete(this.decodeCache.keys().next().value!);
      this.decodeCache.set(key, inv);
    }
    return inv;
  }

  private check(shards: readonly Uint8Array[], length: number): void {
    if (shards.length !== this.total) throw new RangeError(`expected ${this.total} shards, got ${shards.length}`);
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`bad shard length ${length}`);
    for (let i = 0; i < shards.length; i++) {
      if (shards[i]!.length < length) throw new RangeError(`shard ${i} holds ${shards[i]!.length} B, need ${length}`);
    }
  }
}
