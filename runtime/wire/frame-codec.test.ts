import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { decodeFrame, encodeFrame } from './frame-codec.js';

test('frames round trip with one byte of overhead', () => {
  for (const kind of ['bundle', 'bloom', 'control'] as const) {
    const f = encodeFrame({ kind, payload: Uint8Array.of(1, 2, 3) });
    assert.is(f.length, 4);
    const d = decodeFrame(f);
    assert.is(d.kind, kind);
    assert.equal([...d.payload], [1, 2, 3]);
  }
});

test('unknown versions, kinds and runts are FrameDecodeError', () => {
  for (const bad of [[], [0x11], [0x21, 0], [0x14, 0], [0x10, 0]]) {
    assert.throws(() => decodeFrame(Uint8Array.from(bad)), (e: Error) => e.name === 'FrameDecodeError');
  }
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
    try { decodeFrame(b); } catch (e) { assert.is((e as Error).name, 'FrameDecodeError'); }
  }));
});

test.run();
