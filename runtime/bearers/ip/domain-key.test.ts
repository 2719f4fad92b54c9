/** Domain key vectors (computed independently with Python's hmac module) and hostile envelopes. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inspect } from 'node:util';
import { DOMAIN_TAG_BYTES, DomainKey, pskProblem } from './domain-key.js';
import { encodeDatagram } from './datagram-codec.js';

const PSK = 'lattice-test-domain-key-0123456789abcdef';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const PING = encodeDatagram({ type: 'ping', nodeId: Uint8Array.from({ length: 32 }, (_, i) => i), nonce: new Uint8Array(8).fill(9) });

test('vectors: key id, a sealed PING, a TCP HELLO tag', () => {
  const k = new DomainKey(PSK);
  assert.is(k.id, 'c45fe43f');
  const sealed = k.seal(PING);
  assert.is(hex(sealed), '4c548102000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0909090909090909b72db979ce8aaad31e80579e4068a138');
  assert.equal(k.open(sealed), PING);
  assert.is(hex(k.helloTag(Uint8Array.from({ length: 32 }, (_, i) => i), new Uint8Array(16).fill(7))), 'c11e4aac9aa63847c7e8751976f93c49');
});

test('open refuses: another magic, no flag, too short, any flipped bit, another key', () => {
  const k = new DomainKey(PSK);
  const sealed = k.seal(PING);
  assert.is(k.open(new Uint8Array([1, 2, 3, 4, 5])), 'not-lattice');
  assert.is(k.open(PING), 'psk-missing');
  assert.is(k.open(sealed.subarray(0, 4 + DOMAIN_TAG_BYTES - 1)), 'psk-missing');
  for (let i = 2; i < sealed.length; i++) {
    for (const bit of [0x01, 0x80]) {
      const bad = sealed.slice();
      bad[i]! ^= bit;
      const r = k.open(bad);
      assert.ok(r === 'psk-bad' || r === 'psk-missing', `byte ${i} bit ${bit}: ${String(r)}`);
    }
  }
  assert.is(new DomainKey('another-domain-key-of-enough-length!!').open(sealed), 'psk-bad');
  assert.not.ok(k.checkHelloTag(new Uint8Array(32), new Uint8Array(16), undefined));
  assert.not.ok(k.checkHelloTag(new Uint8Array(32), new Uint8Array(16), new Uint8Array(16)));
});

test('psk rules, and the key never shows in errors, JSON or inspect', () => {
  assert.is(pskProblem('x'.repeat(32)), undefined);
  assert.is(pskProblem('~'.repeat(256)), undefined);
  for (const bad of ['x'.repeat(31), 'x'.repeat(257), `${'x'.repeat(31)} `, `${'x'.repeat(32)}\n`, 'é'.repeat(32)]) {
    assert.type(pskProblem(bad), 'string', JSON.stringify(bad));
    assert.throws(() => new DomainKey(bad), (err: Error) => err.name === 'RangeError' && !err.message.includes(bad));
  }
  const k = new DomainKey(PSK);
  assert.not.ok(JSON.stringify({ k }).includes(PSK));
  assert.not.ok(inspect(k, { showHidden: true, depth: 5 }).includes(PSK));
  assert.is(inspect(k), "DomainKey { id: 'c45fe43f' }");
});

test.run();
