import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  MAX_STREAM_PAYLOAD,
  MeshtasticStreamDecoder,
  encodeStreamFrame,
  type StreamEvent,
} from './meshtastic-stream.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

interface Vector {
  name: string;
  input: string;
  frames: string[];
  log: string;
  exact?: boolean;
  stats?: Partial<MeshtasticStreamDecoder['stats']>;
}

// ToRadio{want_config_id=12345} = 18 b9 60 (checked against @meshtastic/protobufs in session tests); the broadcast
// "hi" ToRadio (id 0x12345678, hop_limit 3, channel 0) is what @meshtastic/protobufs 2.7.18 encodes.
const HI = '0a1415ffffffff220608011202686935785634124803';
const VECTORS: Vector[] = [
  { name: 'want_config_id frame', input: '94c3000318b960', frames: ['18b960'], log: '' },
  { name: 'text packet frame', input: `94c30016${HI}`, frames: [HI], log: '' },
  { name: 'zero-length frame is legal', input: '94c30000', frames: [''], log: '' },
  { name: 'debug log before a frame', input: `${Buffer.from('INFO boot\r\n').toString('hex')}94c3000318b960`, frames: ['18b960'], log: Buffer.from('INFO boot\r\n').toString('hex') },
  { name: 'payload containing 94 c3 is length-driven', input: '94c3000494c30001' + '94c30001aa', frames: ['94c30001', 'aa'], log: '' },
  { name: 'length over 512 is rejected and the hunt restarts', input: '94c30201' + '94c30001bb', frames: ['bb'], log: '', stats: { badLengths: 1, discardedBytes: 4 } },
  { name: 'exactly 512 bytes', input: '94c30200' + 'ab'.repeat(512), frames: ['ab'.repeat(512)], log: '' },
  { name: '94 not followed by c3 resets', input: '94' + '41' + '94c30001cc', frames: ['cc'], log: '', stats: { discardedBytes: 2 } },
  { name: 'host mode: 94 94 c3 starts at the second 94', input: '9494c30001dd', frames: ['dd'], log: '' },
  { name: 'firmware mode: 94 94 c3 loses the frame like StreamAPI.cpp', input: '9494c30001dd', frames: [], log: 'c30001dd', exact: true },
  { name: 'two frames back to back with log between', input: '94c30001aa4f4b94c30001bb', frames: ['aa', 'bb'], log: '4f4b' },
];

function run(v: Vector, chunks: Uint8Array[]) {
  const d = new MeshtasticStreamDecoder({ firmwareExact: v.exact });
  const events: StreamEvent[] = [];
  for (const c of chunks) events.push(...d.push(c));
  const frames = events.filter((e) => e.type === 'frame').map((e) => toHex((e as { payload: Uint8Array }).payload));
  const log = events.filter((e) => e.type === 'log').map((e) => toHex((e as { bytes: Uint8Array }).bytes)).join('');
  assert.equal(frames, v.frames, `${v.name}: frames`);
  assert.is(log, v.log, `${v.name}: log`);
  for (const [k, want] of Object.entries(v.stats ?? {})) assert.is(d.stats[k as keyof typeof d.stats], want, `${v.name}: ${k}`);
  assert.is(d.stats.frames, v.frames.length);
}

for (const v of VECTORS) {
  test(`vector whole: ${v.name}`, () => run(v, [hex(v.input)]));
  test(`vector two chunks: ${v.name}`, () => {
    const b = hex(v.input);
    for (let cut = 0; cut <= b.length; cut++) run(v, [b.subarray(0, cut), b.subarray(cut)]);
  });
  test(`vector byte by byte: ${v.name}`, () => {
    const b = hex(v.input);
    run(v, [...b].map((x) => Uint8Array.of(x)));
  });
}

test('encoder frames payloads and rejects oversize ones', () => {
  assert.is(toHex(encodeStreamFrame(hex('18b960'))), '94c3000318b960');
  assert.is(toHex(encodeStreamFrame(new Uint8Array(0))), '94c30000');
  assert.is(encodeStreamFrame(new Uint8Array(512)).length, 516);
  try {
    encodeStreamFrame(new Uint8Array(513));
    assert.unreachable('should throw');
  } catch (err) {
    assert.is((err as Error).name, 'MeshtasticFrameTooLargeError');
  }
});

test('payload bytes are copies: the decoder reuses its buffer', () => {
  const d = new MeshtasticStreamDecoder();
  const a = d.push(hex('94c30002aa'));
  assert.is(a.length, 0);
  const [f1] = d.push(hex('bb'));
  d.push(hex('94c30002cc'));
  d.push(hex('dd'));
  assert.is(toHex((f1 as { payload: Uint8Array }).payload), 'aabb');
});

test('fuzz: any frames mixed with log text decode exactly, however the stream is cut', () => {
  const text = fc.uint8Array({ maxLength: 40 }).map((b) => b.map((x) => x & 0x7f)); // 7-bit text never holds 0x94
  const payload = fc.uint8Array({ maxLength: MAX_STREAM_PAYLOAD });
  fc.assert(
    fc.property(fc.array(fc.tuple(text, payload), { maxLength: 8 }), fc.array(fc.nat(600), { maxLength: 10 }), (parts, cuts) => {
      const bytes = Buffer.concat(parts.flatMap(([t, p]) => [Buffer.from(t), Buffer.from(encodeStreamFrame(p))]));
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const d = new MeshtasticStreamDecoder();
      const frames: string[] = [];
      let log = '';
      let prev = 0;
      for (const p of [...points, bytes.length]) {
        for (const e of d.push(bytes.subarray(prev, p))) {
          if (e.type === 'frame') frames.push(toHex(e.payload));
          else log += toHex(e.bytes);
        }
        prev = p;
      }
      assert.equal(frames, parts.map(([, p]) => toHex(p)));
      assert.is(log, parts.map(([t]) => toHex(t)).join(''));
      assert.is(d.midFrame, false);
    }),
    { numRuns: 300 },
  );
});

test('fuzz: hostile bytes never throw, frames stay ≤ 512, every byte is accounted for', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 6 }), (chunks) => {
      const d = new MeshtasticStreamDecoder();
      let accounted = 0;
      for (const c of chunks) {
        for (const e of d.push(c)) {
          if (e.type === 'frame') {
            assert.ok(e.payload.length <= MAX_STREAM_PAYLOAD);
            accounted += e.payload.length + 4;
          } else accounted += e.bytes.length;
        }
      }
      const total = chunks.reduce((a, c) => a + c.length, 0);
      d.reset();
      assert.is(accounted + d.stats.discardedBytes, total);
    }),
    { numRuns: 500 },
  );
});

test('fuzz: after garbage, a clean frame behind 32 wake bytes is always recovered', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ maxLength: 64 }), (garbage, payload) => {
      const d = new MeshtasticStreamDecoder();
      d.push(garbage);
      // A bogus header can still be waiting for up to 512 payload bytes; the wake + flush covers that (see below).
      d.push(new Uint8Array(516).fill(0xc3));
      const out = d.push(encodeStreamFrame(payload));
      const frames = out.filter((e) => e.type === 'frame');
      assert.is(frames.length, 1);
      assert.is(toHex((frames[0] as { payload: Uint8Array }).payload), toHex(payload));
    }),
    { numRuns: 300 },
  );
});

test.run();
