/** lattice-serial codec: vectors whole, in two chunks and byte by byte; SLIP interop with @serialport/parser-slip-encoder; hostile input. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SlipDecoder as PkgSlipDecoder, SlipEncoder as PkgSlipEncoder } from '@serialport/parser-slip-encoder';
import { encodeMessage, LatticeSerialDecoder, MAX_FRAME } from './codec.js';
import { MsgType, type BridgeMessage } from './messages.js';
import { SlipDecoder, slipEncode } from './slip.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
const bytes = (h: string) => Uint8Array.from(h.split(' ').filter(Boolean).map((x) => parseInt(x, 16)));

/** Vectors written from RFC 1055 + RFC 8949 by hand (PROTOCOL.md §7 lists the same). */
const VECTORS: Array<[string, BridgeMessage, string]> = [
  ['HELLO v1', [MsgType.Hello, 1, 1], 'c0 83 01 01 01 c0'],
  ['XFER SetStandby(RC), wait before+after', [MsgType.Xfer, 2, Uint8Array.of(0x80, 0x00), 3], 'c0 84 02 02 42 80 00 03 c0'],
  ['XFER_ACK status 0xA2, DIO1 low', [MsgType.XferAck, 2, Uint8Array.of(0xa2, 0xa2), 0], 'c0 84 18 82 02 42 a2 a2 00 c0'],
  ['XFER with END and ESC bytes inside', [MsgType.Xfer, 3, Uint8Array.of(0xc0, 0xdb), 3], 'c0 84 02 03 42 db dc db dd 03 c0'],
  ['IRQ event', [MsgType.Irq, 0, 1, 1000], 'c0 84 18 c1 00 01 19 03 e8 c0'],
  ['SET_PINS rx on, tx unchanged', [MsgType.SetPins, 4, 1, null], 'c0 84 05 04 01 f6 c0'],
  ['ERROR busy timeout', [MsgType.Error, 5, 3, 'x'], 'c0 84 18 ee 05 03 61 78 c0'],
];

test('vectors encode exactly', () => {
  for (const [name, msg, want] of VECTORS) assert.is(hex(encodeMessage(msg)), want, name);
});

test('vectors decode whole, in two chunks and byte by byte', () => {
  for (const [name, msg, h] of VECTORS) {
    const b = bytes(h);
    const splits: Uint8Array[][] = [[b], [b.subarray(0, b.length >> 1), b.subarray(b.length >> 1)], Array.from(b, (x) => Uint8Array.of(x))];
    for (const parts of splits) {
      const d = new LatticeSerialDecoder();
      const evs = parts.flatMap((p) => d.push(p));
      assert.is(evs.length, 1, name);
      assert.is(evs[0]!.kind, 'message', name);
      const got = (evs[0] as { message: BridgeMessage }).message;
      assert.equal(got.map((x) => (x instanceof Uint8Array ? hex(x) : x)), msg.map((x) => (x instanceof Uint8Array ? hex(x) : x)), name);
    }
  }
});

function runStream(stream: PkgSlipEncoder | PkgSlipDecoder, input: Uint8Array): Promise<Uint8Array[]> {
  return new Promise((resolve) => {
    const out: Uint8Array[] = [];
    stream.on('data', (d: Buffer) => out.push(new Uint8Array(d)));
    stream.on('end', () => resolve(out));
    stream.end(Buffer.from(input));
  });
}

test('SLIP interoperates with @serialport/parser-slip-encoder in both directions', async () => {
  const payloads = [Uint8Array.of(1, 0xc0, 0xdb, 2), Uint8Array.of(0xdb, 0xdc, 0xdd), new Uint8Array(300).map((_, i) => i & 0xff)];
  for (const p of payloads) {
    const theirs = (await runStream(new PkgSlipEncoder(), p))[0]!;
    assert.equal(new SlipDecoder().push(theirs).map(hex), [hex(p)]);
    const decoded = (await runStream(new PkgSlipDecoder(), slipEncode(p))).filter((f) => f.length > 0);
    assert.equal(decoded.map(hex), [hex(p)]);
  }
});

test('garbage, bad escapes and oversize frames are dropped and counted; the next frame still decodes', () => {
  const d = new LatticeSerialDecoder();
  const good = encodeMessage([MsgType.Hello, 9, 1]);
  const noise = Uint8Array.of(0x01, 0x02, 0xc0); // a frame that is not CBOR of an array
  const badEsc = Uint8Array.of(0xc0, 0x83, 0xdb, 0x01, 0x01, 0xc0);
  const big = new Uint8Array(MAX_FRAME + 10).fill(0x41);
  const evs = [...d.push(noise), ...d.push(badEsc), ...d.push(big), ...d.push(Uint8Array.of(0xc0)), ...d.push(good)];
  const msgs = evs.filter((e) => e.kind === 'message');
  assert.is(msgs.length, 1);
  assert.is(d.slipDiscards.badEscape, 1);
  assert.is(d.slipDiscards.oversize, 1);
  assert.ok(d.invalidFrames >= 1);
});

test('hostile CBOR shapes are reported as invalid with type and seq when known', () => {
  const cases: Array<[string, Uint8Array, string]> = [
    ['not an array', slipEncode(bytes('a1 01 02')), 'not-array'],
    ['unknown type', slipEncode(bytes('82 18 7f 05')), 'unknown-type'],
    ['XFER without bytes', slipEncode(bytes('84 02 06 01 03')), 'bad-fields'],
    ['XFER empty bytes', slipEncode(bytes('84 02 06 40 03')), 'bad-fields'],
    ['truncated CBOR', slipEncode(bytes('84 02')), 'cbor'],
    ['negative seq', slipEncode(bytes('83 01 20 01')), 'not-array'],
  ];
  for (const [name, frame, reason] of cases) {
    const evs = new LatticeSerialDecoder().push(frame);
    assert.is(evs.length, 1, name);
    assert.is(evs[0]!.kind, 'invalid', name);
    assert.is((evs[0] as { reason: string }).reason, reason, name);
  }
  const unk = new LatticeSerialDecoder().push(slipEncode(bytes('82 18 7f 05')))[0] as { type?: number; seq?: number };
  assert.is(unk.type, 0x7f);
  assert.is(unk.seq, 5);
});

test('encode refuses frames over MAX_FRAME', () => {
  assert.throws(() => encodeMessage([MsgType.Xfer, 1, new Uint8Array(MAX_FRAME), 3]), RangeError);
});

test.run();
