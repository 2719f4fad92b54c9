/**
 * Channel encryption: AES-CTR over the encoded Data, no MAC, no padding (firmware src/mesh/CryptoEngine.cpp
 * encryptPacket / initNonce / encryptAESCtr). Encrypt and decrypt are the same operation.
 *
 * The 16-byte IV: packetId as a u64 LE (upper half 0), fromNode u32 LE, then a 4-byte big-endian block counter
 * from 0 (`ctr->setCounterSize(4)`). OpenSSL's CTR increments all 16 bytes, which differs only once the low 32
 * bits wrap; a frame holds at most 239 bytes = 15 blocks, so it never does.
 */
import { createCipheriv } from 'node:crypto';

/** CryptoEngine::initNonce(fromNode, packetId) without extraNonce. */
export function channelNonce(fromNode: number, packetId: number): Uint8Array {
  const iv = new Uint8Array(16);
  const view = new DataView(iv.buffer);
  view.setUint32(0, packetId >>> 0, true);
  view.setUint32(8, fromNode >>> 0, true);
  return iv;
}

/**
 * CryptoEngine::encryptPacket: AES-128-CTR for a 16-byte key, AES-256-CTR for 32, and no-op for an empty key
 * (a channel with encryption off sends Data in clear). Returns new bytes; the input is left alone.
 */
export function channelCrypt(key: Uint8Array, fromNode: number, packetId: number, bytes: Uint8Array): Uint8Array {
  if (key.length === 0) return bytes.slice();
  const cipher = createCipheriv(key.length === 16 ? 'aes-128-ctr' : 'aes-256-ctr', key, channelNonce(fromNode, packetId));
  const out = cipher.update(bytes);
  cipher.final();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** One AES-CTR pass with an explicit IV (CryptoEngine::encryptAESCtr), for the firmware's RFC 3686 vectors and
 * as the bench baseline ("one AES-128-CTR of the same bytes"). */
export function aesCtr(key: Uint8Array, iv: Uint8Array, bytes: Uint8Array): Uint8Array {
  const cipher = createCipheriv(key.length === 16 ? 'aes-128-ctr' : 'aes-256-ctr', key, iv);
  const out = cipher.update(bytes);
  cipher.final();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
