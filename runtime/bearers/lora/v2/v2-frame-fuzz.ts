/**
 * Hostile-input fuzzing of the Lattice v2 frame decoder (v2-frame.ts) and of the whole receive path (v2-link.ts:
 * MACs, hint resolution, AEAD): random bytes, valid frames with random bit flips, truncations and extensions, and
 * every header byte value. Every input must decode or throw one of the two named errors; anything else is a crash.
 * Deterministic (xorshift seed), so a failure names an input that can be replayed.
 *
 * Used by v2-frame.test.ts (100 000 inputs) and bench/v2-fuzz.bench.ts (1 000 000 or more).
 */
import { decodeV2Frame } from './v2-frame.js';
import { decodeV2Bundle, type V2Decode } from './v2-link.js';

export interface FuzzResult {
  inputs: number;
  decoded: number;
  rejected: Record<string, number>;
}

export function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const EXPECTED = new Set(['V2FrameDecodeError', 'V2FrameRejectedError']);

/** Runs `n` hostile inputs derived from `seeds` (valid frames) through the codec and, every `linkEvery`-th input, the
 * receive path `link`. Throws (with the input in hex) on anything but a decode or a named error. */
export function fuzzV2(n: number, seeds: Uint8Array[], link?: V2Decode, options: { seed?: number; linkEvery?: number } = {}): FuzzResult {
  const rnd = xorshift(options.seed ?? 0x1a77ce);
  const linkEvery = options.linkEvery ?? 16;
  const result: FuzzResult = { inputs: 0, decoded: 0, rejected: {} };
  const buf = new Uint8Array(300);
  for (let i = 0; i < n; i++) {
    let input: Uint8Array;
    const mode = rnd() % 5;
    if (mode === 0 || seeds.length === 0) {
      const len = rnd() % 80;
      for (let k = 0; k < len; k++) buf[k] = rnd() & 0xff;
      buf[0] = (buf[0]! & 0x3f) | 0x80; // mostly version 2, so the decoder goes past the first check
      input = buf.slice(0, len);
    } else {
      const s = seeds[rnd() % seeds.length]!;
      if (mode === 1) {
        input = s.slice();
        const flips = 1 + (rnd() % 4);
        for (let k = 0; k < flips; k++) input[rnd() % input.length]! ^= 1 << (rnd() % 8);
      } else if (mode === 2) input = s.slice(0, rnd() % (s.length + 1));
      else if (mode === 3) {
        input = new Uint8Array(s.length + 1 + (rnd() % 40));
        input.set(s);
        for (let k = s.length; k < input.length; k++) input[k] = rnd() & 0xff;
      } else {
        input = s.slice();
        input[0] = rnd() & 0xff;
        if (input.length > 3) input[3] = rnd() & 0xff;
      }
    }
    result.inputs++;
    try {
      if (link && i % linkEvery === 0) decodeV2Bundle(input, link);
      else decodeV2Frame(input);
      result.decoded++;
    } catch (err) {
      const name = (err as Error)?.name;
      if (!EXPECTED.has(name)) throw new Error(`decoder crashed (${String(err)}) on input ${Buffer.from(input).toString('hex')}`, { cause: err });
      result.rejected[name] = (result.rejected[name] ?? 0) + 1;
    }
  }
  return result;
}
