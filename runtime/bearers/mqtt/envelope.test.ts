/** MQTT payload codecs: frame envelopes, presence adverts and the topic layout; hostile and fuzzed inputs give
 * MqttDecodeError only, and no mutation of a signed payload verifies. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { generateIdentity } from '../../identity/identity.js';
import { ENVELOPE_OVERHEAD, openEnvelope, sealEnvelope } from './envelope.js';
import { MqttDecodeError } from './errors.js';
import { openPresence, signPresence } from './presence.js';
import { topics } from './topics.js';

const a = generateIdentity();
const b = generateIdentity();

test('envelope round trip, direct and broadcast; layout as documented', () => {
  const frame = Uint8Array.of(0x11, 1, 2, 3);
  const direct = sealEnvelope(a, b.nodeId, frame);
  assert.is(direct.length, ENVELOPE_OVERHEAD + frame.length);
  assert.equal([...direct.slice(0, 2)], [1, 0]);
  assert.equal(direct.slice(2, 34), a.nodeId);
  assert.equal(direct.slice(34, 66), b.nodeId);
  assert.equal(openEnvelope(direct), { sender: a.nodeId, senderHex: a.nodeIdHex, recipientHex: b.nodeIdHex, frame });
  const bc = sealEnvelope(a, undefined, frame);
  assert.is(bc[1], 1);
  assert.equal(openEnvelope(bc), { sender: a.nodeId, senderHex: a.nodeIdHex, recipientHex: undefined, frame });
});

test('envelope: hostile inputs rejected with a stable reason', () => {
  const good = sealEnvelope(a, b.nodeId, Uint8Array.of(7));
  const cases: [string, Uint8Array, string][] = [
    ['empty', new Uint8Array(0), 'malformed'],
    ['no frame', good.slice(0, ENVELOPE_OVERHEAD), 'malformed'],
    ['version', Uint8Array.of(2, ...good.slice(1)), 'malformed'],
    ['flags', Uint8Array.of(1, 2, ...good.slice(2)), 'malformed'],
    ['broadcast flag with a recipient', Uint8Array.of(1, 1, ...good.slice(2)), 'malformed'],
    ['sender swapped', (() => { const x = good.slice(); x.set(b.nodeId, 2); return x; })(), 'bad-signature'],
    ['recipient swapped', (() => { const x = good.slice(); x.set(a.nodeId, 34); return x; })(), 'bad-signature'],
    ['frame changed', (() => { const x = good.slice(); x[66] ^= 1; return x; })(), 'bad-signature'],
    ['zero signature', (() => { const x = good.slice(); x.fill(0, x.length - 64); return x; })(), 'bad-signature'],
  ];
  for (const [name, bytes, reason] of cases) {
    try {
      openEnvelope(bytes);
      assert.unreachable(name);
    } catch (err) {
      assert.is((err as Error).name, 'MqttDecodeError', name);
      assert.is((err as MqttDecodeError).reason, reason, name);
    }
  }
});

test('presence round trip and hostile inputs', () => {
  const p = signPresence(a, { seq: 1_700_000_000_123, online: true, maxFrameBytes: 66561, version: '0.1.0' });
  const o = openPresence(p);
  assert.equal({ ...o, nodeId: undefined, bytes: undefined }, {
    nodeIdHex: a.nodeIdHex, nodeId: undefined, seq: 1_700_000_000_123, online: true, maxFrameBytes: 66561, version: '0.1.0', bytes: undefined,
  });
  assert.is(openPresence(signPresence(a, { seq: 0, online: false, maxFrameBytes: 0, version: '' })).online, false);
  for (let i = 0; i < p.length; i++) {
    const bad = p.slice();
    bad[i] ^= 0x02;
    assert.throws(() => openPresence(bad), (err: Error) => err instanceof MqttDecodeError, `byte ${i}`);
  }
  assert.throws(() => openPresence(p.slice(0, p.length - 1)), (err: Error) => err instanceof MqttDecodeError);
  assert.throws(() => signPresence(a, { seq: -1, online: true, maxFrameBytes: 1, version: '' }), RangeError);
});

test('fuzz: envelopes and presence adverts throw only MqttDecodeError and never verify when mutated', () => {
  const env = sealEnvelope(a, b.nodeId, new Uint8Array(40).fill(9));
  const pres = signPresence(a, { seq: 5, online: true, maxFrameBytes: 1000, version: 'v' });
  const only = (fn: () => unknown) => {
    try {
      fn();
      return false;
    } catch (err) {
      if (!(err instanceof MqttDecodeError)) throw err;
      return true;
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => only(() => openEnvelope(bytes)) && only(() => openPresence(bytes))), { numRuns: 2000 });
  fc.assert(
    fc.property(fc.nat(10_000), fc.integer({ min: 1, max: 255 }), (i, x) => {
      const e = env.slice();
      e[i % e.length] ^= x;
      const p = pres.slice();
      p[i % p.length] ^= x;
      return only(() => openEnvelope(e)) && only(() => openPresence(p));
    }),
    { numRuns: 2000 },
  );
});

test('topic layout', () => {
  const t = topics('lattice');
  const id = a.nodeIdHex;
  assert.is(t.inbox(id), `lattice/v1/node/${id}/in`);
  assert.is(t.advert(id), `lattice/v1/node/${id}/advert`);
  assert.is(t.broadcast, 'lattice/v1/broadcast');
  assert.is(t.allAdverts, 'lattice/v1/node/+/advert');
  assert.equal(t.parse(t.inbox(id)), { kind: 'inbox', nodeIdHex: id });
  assert.equal(t.parse(t.advert(id)), { kind: 'advert', nodeIdHex: id });
  assert.equal(t.parse(t.broadcast), { kind: 'broadcast' });
  for (const bad of ['lattice/v1/node/xyz/in', `lattice/v1/node/${id}/out`, `lattice/v2/node/${id}/in`, 'other/v1/broadcast', `lattice/v1/node/${id}/in/x`]) {
    assert.is(t.parse(bad), undefined, bad);
  }
  assert.is(topics('site/a').broadcast, 'site/a/v1/broadcast');
  for (const bad of ['', '#', 'a/+', '/a', 'a/']) assert.throws(() => topics(bad), RangeError, bad);
});

test.run();
