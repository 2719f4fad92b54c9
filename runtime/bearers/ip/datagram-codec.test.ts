/** UDP datagrams: every type round-trips, hostile datagrams give IpDecodeError with a stable reason, fuzzing
 * (random bytes and mutations of valid datagrams) never throws anything else. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { generateIdentity } from '../../identity/identity.js';
import { signAdvert } from './advert.js';
import { MAX_DATAGRAM_BYTES, MAX_UDP_FRAME_BYTES, decodeDatagram, encodeDatagram, packPeers, type Datagram } from './datagram-codec.js';
import { IpDecodeError } from './errors.js';

const id = generateIdentity();
const advert = signAdvert(id, { issuedAt: 1_700_000_000_000, udpPort: 9333, tcpPort: 9333, addresses: ['192.168.1.20'] });
const nonce = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
const samples: Datagram[] = [
  { type: 'hello', wantReply: true, nonce, capabilities: { version: '0.1.0', maxFrameBytes: 66561, bearers: ['ip', 'mqtt', 'lora0'] }, advert },
  { type: 'hello', wantReply: false, nonce, capabilities: { version: '', maxFrameBytes: 0, bearers: [] }, advert },
  { type: 'hello', wantReply: false, nonce, capabilities: { version: '0.2.0', maxFrameBytes: 66561, bearers: ['ip'], acks: true }, advert },
  { type: 'ping', nodeId: id.nodeId, nonce },
  { type: 'pong', nodeId: id.nodeId, echo: nonce },
  { type: 'peers', adverts: [advert, advert] },
  { type: 'peers', adverts: [] },
  { type: 'data', payload: Uint8Array.from([0x11, 0xaa]) },
  { type: 'data', payload: new Uint8Array(MAX_UDP_FRAME_BYTES).fill(3) },
];

const plain = (d: unknown) => JSON.parse(JSON.stringify(d, (_k, v) => (v instanceof Uint8Array ? [...v] : v)));

test('round trip of every datagram type', () => {
  for (const d of samples) {
    const bytes = encodeDatagram(d);
    assert.ok(bytes.length <= MAX_DATAGRAM_BYTES, d.type);
    assert.equal(plain(decodeDatagram(bytes)), plain(d), d.type);
  }
});

test('HELLO flags byte: bit 0 want a reply, bit 1 acknowledges BUNDLE frames; other bits are ignored', () => {
  const caps = { version: '0.1.0', maxFrameBytes: 1, bearers: [] };
  const flags = (wantReply: boolean, acks: boolean) => encodeDatagram({ type: 'hello', wantReply, nonce, capabilities: { ...caps, acks }, advert })[4];
  assert.equal([flags(false, false), flags(true, false), flags(false, true), flags(true, true)], [0, 1, 2, 3]);
  const hello = encodeDatagram({ type: 'hello', wantReply: false, nonce, capabilities: caps, advert });
  hello[4] = 0xfc; // bits a later version may define
  const d = decodeDatagram(hello) as Extract<Datagram, { type: 'hello' }>;
  assert.is(d.wantReply, false);
  assert.is(d.capabilities.acks, undefined);
});

test('header and PING layout as documented', () => {
  const b = encodeDatagram({ type: 'ping', nodeId: id.nodeId, nonce });
  assert.equal([...b.slice(0, 4)], [0x4c, 0x54, 1, 2]);
  assert.equal(b.slice(4, 36), id.nodeId);
  assert.equal(b.slice(36), nonce);
  assert.is(b.length, 44);
});

test('hostile datagrams: each rejected with its reason', () => {
  const hello = encodeDatagram(samples[0]!);
  const cases: [string, Uint8Array, string][] = [
    ['empty', new Uint8Array(0), 'not-lattice'],
    ['short', Uint8Array.of(0x4c, 0x54, 1), 'not-lattice'],
    ['magic', Uint8Array.of(0x4c, 0x55, 1, 5, 1), 'not-lattice'],
    ['version', Uint8Array.of(0x4c, 0x54, 2, 5, 1), 'version'],
    ['type 0', Uint8Array.of(0x4c, 0x54, 1, 0), 'unknown-type'],
    ['type 6', Uint8Array.of(0x4c, 0x54, 1, 6, 1), 'unknown-type'],
    ['empty DATA', Uint8Array.of(0x4c, 0x54, 1, 5), 'malformed'],
    ['short PING', Uint8Array.of(0x4c, 0x54, 1, 2, ...new Uint8Array(39)), 'malformed'],
    ['long PONG', Uint8Array.of(0x4c, 0x54, 1, 3, ...new Uint8Array(41)), 'malformed'],
    ['HELLO truncated', hello.slice(0, hello.length - 1), 'malformed'],
    ['HELLO trailing', Uint8Array.of(...hello, 0), 'malformed'],
    ['HELLO bad UTF-8 version', (() => { const b = hello.slice(); b[14] = 0xff; return b; })(), 'malformed'],
    ['HELLO 200 bearers', (() => { const b = hello.slice(); b[13 + 1 + 5 + 4] = 200; return b; })(), 'malformed'],
    ['PEERS count too high', Uint8Array.of(0x4c, 0x54, 1, 4, 2, ...advert.bytes), 'malformed'],
    ['PEERS trailing', Uint8Array.of(0x4c, 0x54, 1, 4, 0, 1), 'malformed'],
  ];
  for (const [name, bytes, reason] of cases) {
    try {
      decodeDatagram(bytes);
      assert.unreachable(name);
    } catch (err) {
      assert.is((err as Error).name, 'IpDecodeError', name);
      assert.is((err as IpDecodeError).reason, reason, name);
    }
  }
});

test('encode refuses what the wire cannot carry', () => {
  assert.throws(() => encodeDatagram({ type: 'data', payload: new Uint8Array(0) }), RangeError);
  assert.throws(() => encodeDatagram({ type: 'data', payload: new Uint8Array(MAX_UDP_FRAME_BYTES + 1) }), RangeError);
  assert.throws(() => encodeDatagram({ type: 'ping', nodeId: new Uint8Array(31), nonce }), RangeError);
  assert.throws(() => encodeDatagram({ ...samples[0], capabilities: { version: 'x'.repeat(33), maxFrameBytes: 1, bearers: [] } } as Datagram), RangeError);
});

test('packPeers splits many adverts into datagrams that each fit', () => {
  const adverts = Array.from({ length: 30 }, () => advert);
  const ds = packPeers(adverts);
  assert.ok(ds.length > 1);
  let n = 0;
  for (const d of ds) {
    assert.ok(d.length <= MAX_DATAGRAM_BYTES);
    const p = decodeDatagram(d);
    assert.is(p.type, 'peers');
    n += (p as { adverts: unknown[] }).adverts.length;
  }
  assert.is(n, 30);
  assert.equal(packPeers([]), []);
});

test('fuzz: random and mutated datagrams throw only IpDecodeError', () => {
  const check = (bytes: Uint8Array) => {
    try {
      decodeDatagram(bytes);
    } catch (err) {
      if (!(err instanceof IpDecodeError)) throw err;
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 1500 }), check), { numRuns: 3000 });
  // Valid header, random body: reaches the body parsers.
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 400 }), (type, body) => check(Uint8Array.of(0x4c, 0x54, 1, type, ...body))),
    { numRuns: 3000 },
  );
  const encoded = samples.map(encodeDatagram);
  fc.assert(
    fc.property(fc.nat(encoded.length - 1), fc.array(fc.tuple(fc.nat(2000), fc.nat(255)), { maxLength: 6 }), fc.nat(2000), (k, edits, cut) => {
      const b = encoded[k]!.slice(0, Math.max(0, encoded[k]!.length - (cut % 8 === 0 ? cut % encoded[k]!.length : 0)));
      for (const [i, v] of edits) if (b.length) b[i % b.length] = v;
      check(b);
    }),
    { numRuns: 3000 },
  );
});

test.run();
