/**
 * src/Utils.cpp encryptThenMAC / MACThenDecrypt, the one cipher of every encrypted MeshCore payload:
 * ciphertext = AES-128-ECB(key = secret[0..16]) over the plaintext zero-padded to 16 bytes (no IV, no nonce);
 * MAC = HMAC-SHA256(key = secret[0..32], ciphertext)[0..2]; on air MAC ‖ ciphertext. Channel secrets are 16 bytes
 * stored in 32 (upper half zero), which gives the same HMAC as the 16-byte key. node:crypto: this is the hot path.
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { CIPHER_BLOCK_SIZE, CIPHER_MAC_SIZE } from './packet.js';

function hmacKey(secret: Uint8Array): Uint8Array {
  const key = new Uint8Array(32);
  key.set(secret.subarray(0, 32));
  return key;
}

export function encryptThenMac(secret: Uint8Array, plaintext: Uint8Array): Uint8Array {
  // Utils::encrypt writes whole blocks and zero-pads the last partial one; an empty input gives no block at all.
  const padded = new Uint8Array(Math.ceil(plaintext.length / CIPHER_BLOCK_SIZE) * CIPHER_BLOCK_SIZE);
  padded.set(plaintext);
  const c = createCipheriv('aes-128-ecb', secret.subarray(0, 16), null);
  c.setAutoPadding(false);
  const ct = Buffer.concat([c.update(padded), c.final()]);
  const mac = createHmac('sha256', hmacKey(secret)).update(ct).digest().subarray(0, CIPHER_MAC_SIZE);
  const out = new Uint8Array(CIPHER_MAC_SIZE + ct.length);
  out.set(mac);
  out.set(ct, CIPHER_MAC_SIZE);
  return out;
}

/**
 * The plaintext (with its zero padding) when the MAC matches, else null. A ciphertext that is not a whole number
 * of blocks is refused (Utils::MACThenDecrypt decrypts whole blocks only).
 */
export function macThenDecrypt(secret: Uint8Array, macAndCiphertext: Uint8Array): Uint8Array | null {
  if (macAndCiphertext.length <= CIPHER_MAC_SIZE) return null;
  const ct = macAndCiphertext.subarray(CIPHER_MAC_SIZE);
  if (ct.length % CIPHER_BLOCK_SIZE !== 0) return null;
  const mac = createHmac('sha256', hmacKey(secret)).update(ct).digest().subarray(0, CIPHER_MAC_SIZE);
  if (!timingSafeEqual(mac, macAndCiphertext.subarray(0, CIPHER_MAC_SIZE))) return null;
  const d = createDecipheriv('aes-128-ecb', secret.subarray(0, 16), null);
  d.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
}
