/**
 * The long fuzz run (not part of the test suite): N frames (default 1,000,000) through every decoder.
 *   node --import tsx firmware-protocol/meshcore/ota/testing/fuzz-ota-bench.ts [count] [seed]
 * Prints the statistics and the throughput; exits non-zero on the first untyped error (with the input in hex).
 */
import { runOtaFuzz } from './ota-fuzz.js';

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? Date.now() & 0xffffffff);
const t0 = process.hrtime.bigint();
const s = runOtaFuzz(count, seed);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(JSON.stringify({ seed, ...s, ms: Math.round(ms), perSecond: Math.round((s.inputs / ms) * 1000) }));
