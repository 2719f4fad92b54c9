/** Utils::encryptThenMAC / MACThenDecrypt: AES-128-ECB over zero padding, HMAC-SHA256 truncated to 2 bytes. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createCipheriv, createHmac } from 'node:crypto';
import { encryptThenMac, macThenDecrypt } from './cipher.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const secret = new Uint8Array(32).map((_, i) => 0x40 + i);

test('layout: MAC(2) ‖ AES-128-ECB(key = secret[0..16], zero-padded), MAC keyed with all 32 bytes', () => {
  const plain = new TextEncoder().encode('seventeen bytes!!');
  const out = encryptThenMac(secret, plain);
  assert.is(out.length, 2 + 32);
  const padded = new Uint8Array(32);
  padded.set(plain);
  const c = createCipheriv('aes-128-ecb', secret.subarray(0, 16), null);
  c.setAutoPadding(false);
  const ct = Buffer.concat([c.update(padded), c.final()]);
  assert.is(hex(out.subarray(2)), hex(ct));
  assert.is(hex(out.subarray(0, 2)), createHmac('sha256', secret).update(ct).digest('hex').slice(0, 4));
});

test('sizes: 1..16 bytes → one block, 17 → two; an empty plaintext is no block at all, just the MAC (Utils::encrypt)', () => {
  for (const [n, blocks] of [[0, 0], [1, 1], [16, 1], [17, 2], [160, 10]]) assert.is(encryptThenMac(secret, new Uint8Array(n)).length, 2 + 16 * blocks, `${n}`);
  assert.is(hex(encryptThenMac(secret, new Uint8Array(0))), createHmac('sha256', secret).update(new Uint8Array(0)).digest('hex').slice(0, 4));
  // MACThenDecrypt refuses src_len <= CIPHER_MAC_SIZE, so the device cannot open it either.
  assert.is(macThenDecrypt(secret, encryptThenMac(secret, new Uint8Array(0))), null);
});

test('decrypt returns the padded plaintext; a bad MAC, a cut block or a short input give null', () => {
  const enc = encryptThenMac(secret, Uint8Array.of(1, 2, 3));
  const back = macThenDecrypt(secret, enc)!;
  assert.is(hex(back), '010203' + '00'.repeat(13));
  for (const bad of [Uint8Array.of(enc[0] ^ 1, ...enc.subarray(1)), enc.subarray(0, enc.length - 1), enc.subarray(0, 2), new Uint8Array(0), Uint8Array.of(...enc, 0)]) {
    assert.is(macThenDecrypt(secret, bad), null);
  }
});

test('a 16-byte channel secret and the same secret stored in 32 bytes (upper half zero) are the same cipher', () => {
  const s16 = secret.slice(0, 16);
  const s32 = new Uint8Array(32);
  s32.set(s16);
  const a = encryptThenMac(s16, Uint8Array.of(9, 9));
  assert.is(hex(a), hex(encryptThenMac(s32, Uint8Array.of(9, 9))));
  assert.ok(macThenDecrypt(s32, a));
});

test.run();
