/**
 * Signed delivery-bloom message, the payload of a `bloom` frame:
 *   CBOR [1, nodeId (bstr 32), issuedAt (uint ms), bloom (bstr 320), signature (bstr 64)]
 * signature = Ed25519 by nodeId over "lattice/bloom/v1" | nodeId | u64be issuedAt | bloom.
 * Signed so nobody can retire another sender's outbox rows by forging "I have it"; issuedAt lets a receiver keep
 * only the newest bloom per node.
 */
import { Encoder } from 'cbor-x';
import type { Identity } from '../identity/identity.js';
import { verifySignature } from '../identity/signature.js';
import { BLOOM_BYTES } from '../router/delivery-bloom.js';
import { FrameDecodeError } from './frame-codec.js';

const cbor = new Encoder({ useRecords: false, tagUint8Array: false } as ConstructorParameters<typeof Encoder>[0]);
const DOMAIN = Buffer.from('lattice/bloom/v1');

export interface BloomMessage {
  nodeId: Uint8Array;
  issuedAt: number;
  bloom: Uint8Array;
  signature: Uint8Array;
}

function signed(nodeId: Uint8Array, issuedAt: number, bloom: Uint8Array): Uint8Array {
  const ts = Buffer.allocUnsafe(8);
  ts.writeBigUInt64BE(BigInt(issuedAt));
  return Buffer.concat([DOMAIN, nodeId, ts, bloom]);
}

export function createBloomMessage(identity: Identity, bloom: Uint8Array, issuedAt = Date.now()): BloomMessage {
  return { nodeId: identity.nodeId, issuedAt, bloom, signature: identity.sign(signed(identity.nodeId, issuedAt, bloom)) };
}

export function encodeBloomMessage(m: BloomMessage): Uint8Array {
  return cbor.encode([1, m.nodeId, m.issuedAt, m.bloom, m.signature]);
}

/** Decodes and verifies; throws FrameDecodeError on malformed or forged messages. */
export function decodeBloomMessage(bytes: Uint8Array): BloomMessage {
  if (bytes.length > 1024) throw new FrameDecodeError('bloom message too large');
  let v: unknown;
  try {
    v = cbor.decode(bytes);
  } catch {
    throw new FrameDecodeError('bloom message is not CBOR');
  }
  if (!Array.isArray(v) || v.length !== 5 || v[0] !== 1) throw new FrameDecodeError('bloom message shape');
  const [, nodeId, issuedAt, bloom, signature] = v as [number, unknown, unknown, unknown, unknown];
  if (!(nodeId instanceof Uint8Array) || nodeId.length !== 32) throw new FrameDecodeError('bloom node id');
  if (typeof issuedAt !== 'number' || !Number.isSafeInteger(issuedAt) || issuedAt < 0) throw new FrameDecodeError('bloom issuedAt');
  if (!(bloom instanceof Uint8Array) || bloom.length !== BLOOM_BYTES) throw new FrameDecodeError('bloom size');
  if (!(signature instanceof Uint8Array) || signature.length !== 64) throw new FrameDecodeError('bloom signature size');
  if (!verifySignature(nodeId, signed(nodeId, issuedAt, bloom), signature)) throw new FrameDecodeError('bloom signature invalid');
  return { nodeId: new Uint8Array(nodeId), issuedAt, bloom: new Uint8Array(bloom), signature: new Uint8Array(signature) };
}
