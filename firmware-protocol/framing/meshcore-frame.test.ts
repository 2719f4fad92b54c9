import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  MeshCoreFrameDecoder,
  encodeMeshCoreFrame,
  MESHCORE_MARKER_FROM_RADIO,
  MESHCORE_MARKER_TO_RADIO,
  MESHCORE_MAX_FRAME_SIZE,
} from './meshcore-frame.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// Wire examples from the firmware's own framing (ArduinoSerialInterface::writeFrame) and the companion docs.
const VECTORS: Array<{ name: string; wire: string; payloads: string[] }> = [
  { name: 'OK', wire: '3e 01 00 00', payloads: ['00'] },
  { name: 'ERR not found', wire: '3e 02 00 01 02', payloads: ['0102'] },
  { name: 'MSG_WAITING push', wire: '3e 01 00 83', payloads: ['83'] },
  { name: 'CURR_TIME', wire: '3e 05 00 09 00 e1 f5 05', payloads: ['0900e1f505'] },
  { name: 'SEND_CONFIRMED', wire: '3e 09 00 82 78 56 34 12 e8 03 00 00', payloads: ['8278563412e8030000'] },
  { name: 'two frames back to back', wire: '3e 01 00 83 3e 01 00 0a', payloads: ['83', '0a'] },
  { name: 'garbage before', wire: '00 ff 13 37 3e 01 00 00', payloads: ['00'] },
  { name: 'zero length is a false start', wire: '3e 00 00 3e 01 00 0a', payloads: ['0a'] },
  { name: 'oversize length is a false start', wire: '3e ff ff 3e 01 00 0a', payloads: ['0a'] },
  { name: 'host marker ignored by host decoder', wire: '3c 01 00 16 3e 01 00 00', payloads: ['00'] },
];

function decodeAll(wire: Uint8Array, split: 'whole' | 'halves' | 'bytes'): string[] {
  const d = new MeshCoreFrameDecoder();
  const out: Uint8Array[] = [];
  if (split === 'whole') out.push(...d.push(wire));
  else if (split === 'halves') {
    const m = wire.length >> 1;
    out.push(...d.push(wire.subarray(0, m)), ...d.push(wire.subarray(m)));
  } else for (let i = 0; i < wire.length; i++) out.push(...d.push(wire.subarray(i, i + 1)));
  return out.map(toHex);
}

for (const v of VECTORS) {
  for (const split of ['whole', 'halves', 'bytes'] as const) {
    test(`decode ${v.name} (${split})`, () => {
      assert.equal(decodeAll(hex(v.wire), split), v.payloads);
    });
  }
}

test('encode: header is marker + u16 LE length', () => {
  assert.is(toHex(encodeMeshCoreFrame(hex('1603'))), '3c02001603');
  assert.is(toHex(encodeMeshCoreFrame(hex('00'), MESHCORE_MARKER_FROM_RADIO)), '3e010000');
  const big = new Uint8Array(MESHCORE_MAX_FRAME_SIZE).fill(7);
  const f = encodeMeshCoreFrame(big);
  assert.is(f[1], 176);
  assert.is(f[2], 0);
});

test('encode: rejects empty and oversize payloads', () => {
  assert.throws(() => encodeMeshCoreFrame(new Uint8Array(0)), (e: Error) => e.name === 'RangeError');
  assert.throws(() => encodeMeshCoreFrame(new Uint8Array(177)), (e: Error) => e.name === 'RangeError');
});

test('decoder counts discards and resyncs', () => {
  const d = new MeshCoreFrameDecoder();
  d.push(hex('01 02 03 3e 00 00 3e 01 00 00'));
  assert.is(d.stats.frames, 1);
  assert.is(d.stats.resyncs, 1);
  assert.is(d.stats.discardedBytes, 6); // 3 garbage, the false marker, then its two length bytes
});

test('accept() refusal rescans inside the false frame', () => {
  // A stray '>' with length 3 swallows the start of a real frame; the validator refuses 0xEE, the decoder drops one
  // byte and finds the real frame that began inside it.
  const d = new MeshCoreFrameDecoder({ accept: (p) => p[0] !== 0xee });
  const frames = d.push(hex('3e 03 00 ee 3e 01 00 0a'));
  assert.equal(frames.map(toHex), ['0a']);
});

test('radio-side decoder reads host frames', () => {
  const d = new MeshCoreFrameDecoder({ marker: MESHCORE_MARKER_TO_RADIO });
  assert.equal(d.push(hex('3e 01 00 00 3c 02 00 16 03')).map(toHex), ['1603']);
});

test('a huge chunk with many frames grows the buffer once and decodes all', () => {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 1000; i++) parts.push(encodeMeshCoreFrame(new Uint8Array([0x83, i & 0xff]), 0x3e));
  const d = new MeshCoreFrameDecoder();
  assert.is(d.push(Buffer.concat(parts)).length, 1000);
  assert.is(d.pending, 0);
});

test('fuzz: random bytes never throw and never yield an invalid frame', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), (chunks) => {
      const d = new MeshCoreFrameDecoder();
      for (const c of chunks) {
        for (const f of d.push(c)) {
          if (f.length === 0 || f.length > MESHCORE_MAX_FRAME_SIZE) return false;
        }
      }
      return d.pending < 3 + MESHCORE_MAX_FRAME_SIZE;
    }),
    { numRuns: 500 },
  );
});

test('fuzz: valid frames survive garbage without markers and any chunking', () => {
  const garbage = fc.uint8Array({ maxLength: 40 }).map((g) => g.map((b) => (b === 0x3e ? 0x3d : b)));
  fc.assert(
    fc.property(
      fc.array(fc.tuple(garbage, fc.uint8Array({ minLength: 1, maxLength: MESHCORE_MAX_FRAME_SIZE })), {
        minLength: 1,
        maxLength: 8,
      }),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }),
      (items, cuts) => {
        const wire = Buffer.concat(items.flatMap(([g, p]) => [g, encodeMeshCoreFrame(p, 0x3e)]));
        const d = new MeshCoreFrameDecoder();
        const got: string[] = [];
        let pos = 0;
        let k = 0;
        while (pos < wire.length) {
          const n = cuts[k++ % cuts.length];
          for (const f of d.push(wire.subarray(pos, pos + n))) got.push(toHex(f));
          pos += n;
        }
        assert.equal(got, items.map(([, p]) => toHex(p)));
        return true;
      },
    ),
    { numRuns: 300 },
  );
});

test.run();
