import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { aesCtr, channelCrypt, channelNonce } from './channel-crypto.js';
import { DEFAULT_PSK } from './channel-keys.js';

const h = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// firmware test/test_crypto/test_main.cpp test_AES_CTR (vectors of RFC 3686 §6)
test('firmware test_AES_CTR: AES-256-CTR, RFC 3686 test vector #7', () => {
  const out = aesCtr(h('776BEFF2851DB06F4C8A0542C8696F6C6A81AF1EEC96B4D37FC1D689E6C1C104'), h('00000060DB5672C97AA8F0B200000001'), new TextEncoder().encode('Single block msg'));
  assert.is(hex(out), '145ad01dbf824ec7560863dc71e3e0c0');
});

test('firmware test_AES_CTR: AES-128-CTR, RFC 3686 test vector #1', () => {
  const out = aesCtr(h('AE6852F8121067CC4BF7A5765577F39E'), h('00000030000000000000000000000001'), new TextEncoder().encode('Single block msg'));
  assert.is(hex(out), 'e4095d4fb7a7b3792d6175a3261311b8');
});

test('nonce = packetId u64 LE | fromNode u32 LE | counter 0 (CryptoEngine::initNonce)', () => {
  assert.is(hex(channelNonce(0x1309e2a8, 0x3a206775)), '7567203a00000000a8e2091300000000');
});

test('decrypt = encrypt, the input is untouched, and a multi-block payload round-trips', () => {
  const plain = new Uint8Array(239).map((_, i) => i);
  const copy = plain.slice();
  const enc = channelCrypt(DEFAULT_PSK, 0x1309e2a8, 0x3a206775, plain);
  assert.is(hex(plain), hex(copy));
  assert.is.not(hex(enc), hex(plain));
  assert.is(hex(channelCrypt(DEFAULT_PSK, 0x1309e2a8, 0x3a206775, enc)), hex(plain));
});

test('channelCrypt equals one AES-CTR pass with the firmware nonce, for AES-128 and AES-256 keys', () => {
  const plain = new TextEncoder().encode('olikos cos linjoilla? and more than one block');
  for (const key of [DEFAULT_PSK, new Uint8Array(32).fill(9)]) {
    assert.is(hex(channelCrypt(key, 7, 8, plain)), hex(aesCtr(key, channelNonce(7, 8), plain)));
  }
});

test('an empty key (encryption off) leaves the bytes in clear', () => {
  assert.is(hex(channelCrypt(new Uint8Array(0), 1, 2, h('0801'))), '0801');
});

test.run();
