/** Signed adverts: encoding, signature checks over every field, and the advert book's replay/stale verdicts. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { generateIdentity } from '../../identity/identity.js';
import { decodeAdvert, signAdvert, verifyAdvert } from './advert.js';
import { AdvertBook } from './advert-book.js';
import { IpDecodeError } from './errors.js';

const id = generateIdentity();
const fields = { issuedAt: 1_700_000_000_000, udpPort: 9333, tcpPort: 9334, addresses: ['192.168.1.20', '10.0.0.7'] };

test('sign, encode, decode, verify round trip; layout as documented', () => {
  const a = signAdvert(id, fields);
  assert.is(a.bytes.length, 46 + 5 * 2 + 64);
  assert.is(a.bytes[0], 1);
  assert.equal(a.bytes.slice(1, 33), id.nodeId);
  assert.equal([...a.bytes.slice(41, 46)], [0x24, 0x75, 0x24, 0x76, 2]);
  assert.equal([...a.bytes.slice(46, 56)], [4, 192, 168, 1, 20, 4, 10, 0, 0, 7]);
  const { advert, length } = decodeAdvert(a.bytes);
  assert.is(length, a.bytes.length);
  assert.equal({ ...advert, nodeId: [...advert.nodeId] }, { ...a, nodeId: [...a.nodeId] });
  assert.ok(verifyAdvert(advert));
  // Embedded at an offset, as in HELLO and PEERS.
  const framed = new Uint8Array([9, 9, 9, ...a.bytes, 7]);
  assert.is(decodeAdvert(framed, 3).length, a.bytes.length);
});

test('every signed byte matters: flipping any bit breaks the signature (or the parse)', () => {
  const a = signAdvert(id, fields);
  for (let i = 0; i < a.bytes.length; i++) {
    const bad = a.bytes.slice();
    bad[i]! ^= 0x01;
    try {
      assert.not.ok(verifyAdvert(decodeAdvert(bad).advert), `byte ${i}`);
    } catch (err) {
      assert.instance(err, IpDecodeError, `byte ${i}`);
    }
  }
});

test('signAdvert refuses what it cannot encode', () => {
  assert.throws(() => signAdvert(id, { ...fields, addresses: [] }), RangeError);
  assert.throws(() => signAdvert(id, { ...fields, addresses: ['::1'] }), RangeError);
  assert.throws(() => signAdvert(id, { ...fields, udpPort: 0 }), RangeError);
  assert.throws(() => signAdvert(id, { ...fields, addresses: Array(17).fill('10.0.0.1') }), RangeError);
});

test('hostile adverts: truncated, wrong version, bad count, bad family, port 0, huge timestamp', () => {
  const a = signAdvert(id, fields).bytes;
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['truncated', a.slice(0, a.length - 1)],
    ['version', Uint8Array.of(2, ...a.slice(1))],
    ['count 0', (() => { const b = a.slice(); b[45] = 0; return b; })()],
    ['count 17', (() => { const b = a.slice(); b[45] = 17; return b; })()],
    ['family 6', (() => { const b = a.slice(); b[46] = 6; return b; })()],
    ['udp port 0', (() => { const b = a.slice(); b[41] = 0; b[42] = 0; return b; })()],
    ['timestamp', (() => { const b = a.slice(); b.fill(0xff, 33, 41); return b; })()],
  ];
  for (const [name, bytes] of cases) {
    try {
      decodeAdvert(bytes);
      assert.unreachable(name);
    } catch (err) {
      assert.is((err as Error).name, 'IpDecodeError', name);
      assert.is((err as IpDecodeError).reason, 'malformed', name);
    }
  }
});

test('fuzz: decodeAdvert throws only IpDecodeError, never accepts a forgery', () => {
  const good = signAdvert(id, fields).bytes;
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        const { advert } = decodeAdvert(bytes);
        assert.not.ok(verifyAdvert(advert));
      } catch (err) {
        if (!(err instanceof IpDecodeError)) throw err;
      }
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
      const bad = good.slice();
      bad[i]! ^= x;
      try {
        return !verifyAdvert(decodeAdvert(bad).advert);
      } catch (err) {
        return err instanceof IpDecodeError;
      }
    }),
    { numRuns: 1000 },
  );
});

test('advert book: news, repeat, replay, equivocation, stale, forged, eviction', () => {
  const now = 1_700_000_000_000;
  const book = new AdvertBook({ maxAgeMs: 3600_000, maxEntries: 2 });
  const a1 = signAdvert(id, { ...fields, issuedAt: now - 10 });
  const a2 = signAdvert(id, { ...fields, issuedAt: now });
  assert.equal(book.consider(a1, now), { ok: true, news: true, advert: a1 });
  assert.equal(book.consider(a2, now), { ok: true, news: true, advert: a2 });
  assert.equal(book.consider(a2, now), { ok: true, news: false, advert: a2 });
  assert.equal(book.consider(a1, now), { ok: false, reason: 'replayed' });
  const equivocation = signAdvert(id, { ...fields, issuedAt: now, udpPort: 1 });
  assert.equal(book.consider(equivocation, now), { ok: false, reason: 'replayed' });
  assert.equal(book.consider(signAdvert(id, { ...fields, issuedAt: now - 3600_001 }), now), { ok: false, reason: 'stale' });
  assert.equal(book.consider(signAdvert(id, { ...fields, issuedAt: now + 3600_001 }), now), { ok: false, reason: 'stale' });
  const forged = decodeAdvert(signAdvert(generateIdentity(), { ...fields, issuedAt: now + 1 }).bytes).advert;
  forged.nodeId = id.nodeId;
  forged.nodeIdHex = id.nodeIdHex;
  forged.bytes.set(id.nodeId, 1);
  assert.equal(book.consider(forged, now), { ok: false, reason: 'bad-signature' });
  assert.is(book.get(id.nodeIdHex), a2);

  const b = signAdvert(generateIdentity(), { ...fields, issuedAt: now - 5 });
  const c = signAdvert(generateIdentity(), { ...fields, issuedAt: now - 1 });
  book.consider(b, now);
  book.consider(c, now);
  assert.is(book.size, 2);
  assert.is(book.get(b.nodeIdHex), undefined, 'the oldest advert went first');
});

test.run();
