/**
 * Hostile-input fuzzing of everything a neighbour can send us: link frames, bundles, blooms, and the router's
 * ingest pipeline as a whole. Never a crash, never an undeclared error, never a hang.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { generateIdentity } from '../identity/identity.js';
import { createBundle } from '../bundle/create-bundle.js';
import { decodeBundle, encodeBundle } from '../bundle/bundle-codec.js';
import { verifyBundle } from '../bundle/verify-bundle.js';
import { decodeFrame, encodeFrame, FrameDecodeError } from '../wire/frame-codec.js';
import { createBloomMessage, decodeBloomMessage, encodeBloomMessage } from '../wire/bloom-message.js';
import { DeliveryBloom } from './delivery-bloom.js';
import { Network } from './testing/relay-fixture.js';

const x = generateIdentity();
const samples = [
  encodeBundle(createBundle(x, { recipient: null, text: 'broadcast' })),
  encodeBundle(createBundle(x, { recipient: generateIdentity().nodeId, text: 'sealed' })),
  encodeBundle(createBundle(x, { recipient: 'mt:ch:0', text: 'foreign', origin: { id: 'mt:!a1b2c3d4', name: 'n' } })),
];
const bloomSalt = new Uint8Array(16).fill(7);
const bloom = encodeBloomMessage(createBloomMessage(x, { salt: bloomSalt, prev: new Uint8Array(16), bloom: new DeliveryBloom().filter(bloomSalt).bits }));

/** Valid bytes with random byte flips, truncations and extensions: reaches deeper than pure noise. */
const mutated = (base: Uint8Array) =>
  fc.tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), fc.uint8Array({ maxLength: 8 })).map(([flips, cut, tail]) => {
    const b = new Uint8Array(base);
    for (const [i, v] of flips) b[i % b.length] = v;
    const end = cut % 4 === 0 ? cut % (b.length + 1) : b.length;
    const out = new Uint8Array(end + tail.length);
    out.set(b.subarray(0, end));
    out.set(tail, end);
    return out;
  });

const anyBundleBytes = fc.oneof(fc.uint8Array({ maxLength: 600 }), ...samples.map(mutated));

test('decodeFrame: only FrameDecodeError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
    try {
      const f = decodeFrame(bytes);
      assert.ok(['bundle', 'bloom', 'control'].includes(f.kind));
    } catch (err) {
      assert.is((err as Error).name, 'FrameDecodeError');
    }
  }), { numRuns: 3000 });
});

test('decodeBundle + verifyBundle: only BundleDecodeError / BundleRejectedError', () => {
  fc.assert(fc.property(anyBundleBytes, (bytes) => {
    try {
      verifyBundle(decodeBundle(bytes));
    } catch (err) {
      assert.ok(['BundleDecodeError', 'BundleRejectedError'].includes((err as Error).name), (err as Error).stack);
    }
  }), { numRuns: 3000 });
});

test('decodeBloomMessage: only FrameDecodeError (BloomVersionError is one), mutated blooms never verify', () => {
  fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 500 }), mutated(bloom)), (bytes) => {
    try {
      decodeBloomMessage(bytes);
      assert.is(Buffer.compare(bytes, bloom), 0, 'only the untouched message verifies');
    } catch (err) {
      assert.ok(err instanceof FrameDecodeError);
      assert.ok(['FrameDecodeError', 'BloomVersionError'].includes((err as Error).name));
    }
  }), { numRuns: 1000 });
});

test('router ingest: every hostile frame is judged (stored, duplicate or dropped), nothing throws or hangs', async () => {
  const net = new Network();
  try {
    const r = await net.relay('fuzz');
    const frames = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      ...samples.map((s) => mutated(encodeFrame({ kind: 'bundle', payload: s }))),
      mutated(encodeFrame({ kind: 'bloom', payload: bloom })),
    );
    await fc.assert(fc.asyncProperty(frames, async (bytes) => {
      let frame;
      try {
        frame = decodeFrame(bytes);
      } catch {
        return;
      }
      if (frame.kind !== 'bundle') return;
      const out = await Promise.race([
        r.router.ingestBytes(frame.payload, { bearer: 'fuzz' }),
        new Promise<string>((res) => setTimeout(() => res('hang'), 5_000).unref()),
      ]);
      assert.ok(['stored', 'duplicate', 'dropped'].includes(out), out);
    }), { numRuns: 400 });
    // Frames through the bearer path too (blooms, garbage), then the relay still works.
    const before = r.events.length;
    for (let i = 0; i < 200; i++) r.bearers[0]!.deliver('f'.repeat(64), fc.sample(frames, 1)[0]!);
    await new Promise((res) => setTimeout(res, 100));
    assert.ok(r.events.length >= before);
    const { bundleId } = await r.router.send({ to: '*', text: 'still alive' });
    assert.ok(r.router.bundleView(bundleId));
  } finally {
    await net.close();
  }
});

test.run();
