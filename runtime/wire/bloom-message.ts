/**
 * Signed delivery-bloom message, the payload of a `bloom` frame (wire v2):
 *   CBOR [2, nodeId (bstr 32), issuedAt (uint ms), salt (bstr 16), prev (bstr 16), bloom (bstr 320), signature (bstr 64)]
 * signature = Ed25519 by nodeId over "lattice/bloom/v2" | nodeId | u64be issuedAt | salt | prev | bloom.
 *
 * Signed so nobody can retire another sender's outbox rows by forging "I have it"; issuedAt lets a receiver keep
 * only the newest bloom per node. `salt` is fresh per broadcast and keys the filter's hash (delivery-bloom.ts);
 * `prev` is the salt of the issuer's previous broadcast (zeros for the first one after a start), so a receiver can
 * tell how many of the issuer's broadcasts it missed between two it saw (bloom-retirement.ts counts a run over the
 * blooms it sees; relays pass on every bloom of a node, so which ones it sees does not depend on their content).
 *
 * Version 1 ([1, nodeId, issuedAt, bloom, signature], unsalted) is refused with BloomVersionError (the router counts
 * it as `bloom-version`): its filters of the same ids match the same non-members every time, so no number of them
 * proves a delivery. A v1 relay in turn refuses v2 messages (its `bad-bloom`); across it, rows stay `accepted`
 * until they expire, which loses nothing.
 */
import { Encoder } from 'cbor-x';
import type { Identity } from '../identity/identity.js';
import { verifySignature } from '../identity/signature.js';
import { BLOOM_BYTES, BLOOM_SALT_BYTES } from '../router/delivery-bloom.js';
import { FrameDecodeError } from './frame-codec.js';

const cbor = new Encoder({ useRecords: false, tagUint8Array: false } as ConstructorParameters<typeof Encoder>[0]);
const DOMAIN = Buffer.from('lattice/bloom/v2');
export const BLOOM_MESSAGE_VERSION = 2;
/** An encoded v2 message is 470 bytes; anything much larger is not one. */
const MAX_MESSAGE_BYTES = 1024;

/** A well-formed bloom message of a version this relay does not take (counted apart from garbage). */
export class BloomVersionError extends FrameDecodeError {
  override name = 'BloomVersionError';
  constructor(readonly version: number) {
    super(`bloom message version ${version}, expected ${BLOOM_MESSAGE_VERSION}`);
  }
}

export interface BloomMessage {
  nodeId: Uint8Array;
  issuedAt: number;
  salt: Uint8Array;
  prev: Uint8Array;
  bloom: Uint8Array;
  signature: Uint8Array;
}

export type BloomContent = Pick<BloomMessage, 'salt' | 'prev' | 'bloom'>;

function signed(nodeId: Uint8Array, issuedAt: number, c: BloomContent): Uint8Array {
  const ts = Buffer.allocUnsafe(8);
  ts.writeBigUInt64BE(BigInt(issuedAt));
  return Buffer.concat([DOMAIN, nodeId, ts, c.salt, c.prev, c.bloom]);
}

export function createBloomMessage(identity: Identity, content: BloomContent, issuedAt = Date.now()): BloomMessage {
  return { nodeId: identity.nodeId, issuedAt, ...content, signature: identity.sign(signed(identity.nodeId, issuedAt, content)) };
}

export function encodeBloomMessage(m: BloomMessage): Uint8Array {
  return cbor.encode([BLOOM_MESSAGE_VERSION, m.nodeId, m.issuedAt, m.salt, m.prev, m.bloom, m.signature]);
}

const bstr = (v: unknown, n: number): v is Uint8Array => v instanceof Uint8Array && v.length === n;

/** Decodes and verifies; throws FrameDecodeError on malformed or forged messages, BloomVersionError on v1. */
export function decodeBloomMessage(bytes: Uint8Array): BloomMessage {
  if (bytes.length > MAX_MESSAGE_BYTES) throw new FrameDecodeError('bloom message too large');
  let v: unknown;
  try {
    v = cbor.decode(bytes);
  } catch {
    throw new FrameDecodeError('bloom message is not CBOR');
  }
  if (!Array.isArray(v) || v.length < 1) throw new FrameDecodeError('bloom message shape');
  if (v[0] === 1 && v.length === 5) throw new BloomVersionError(1);
  if (v[0] !== BLOOM_MESSAGE_VERSION || v.length !== 7) throw new FrameDecodeError('bloom message shape');
  const [, nodeId, issuedAt, salt, prev, bloom, signature] = v as unknown[];
  if (!bstr(nodeId, 32)) throw new FrameDecodeError('bloom node id');
  if (typeof issuedAt !== 'number' || !Number.isSafeInteger(issuedAt) || issuedAt < 0) throw new FrameDecodeError('bloom issuedAt');
  if (!bstr(salt, BLOOM_SALT_BYTES) || !bstr(prev, BLOOM_SALT_BYTES)) throw new FrameDecodeError('bloom salt size');
  // A salt equal to the previous one would make two filters one trial; no honest issuer repeats a random salt.
  if (Buffer.compare(salt, prev) === 0) throw new FrameDecodeError('bloom salt repeats the previous one');
  if (!bstr(bloom, BLOOM_BYTES)) throw new FrameDecodeError('bloom size');
  if (!bstr(signature, 64)) throw new FrameDecodeError('bloom signature size');
  const c = { salt, prev, bloom };
  if (!verifySignature(nodeId, signed(nodeId, issuedAt, c), signature)) throw new FrameDecodeError('bloom signature invalid');
  return {
    nodeId: new Uint8Array(nodeId), issuedAt,
    salt: new Uint8Array(salt), prev: new Uint8Array(prev), bloom: new Uint8Array(bloom), signature: new Uint8Array(signature),
  };
}
