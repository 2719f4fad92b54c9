/**
 * Presence adverts: the retained message on `<prefix>/v1/node/<id>/advert` saying whether a relay is online. The
 * relay publishes "online" (sequence S) after each connect and leaves "offline" (sequence S+1) with the broker as
 * its Last Will, so the broker announces an unclean disconnect; the next session starts above S+1. Receivers keep
 * the highest sequence per node, so a replayed or leftover retained advert cannot flip a relay's state back.
 *
 *   0    u8   presence version (1)
 *   1    32   node id
 *   33   u64  sequence (ms timestamp base, strictly increasing per node)
 *   41   u8   1 online, 0 offline
 *   42   u32  largest Lattice frame the relay accepts
 *   46   u8   n, then n bytes runtime version (UTF-8, ≤ 32)
 *   -64  64   Ed25519 signature over DOMAIN || bytes[0 .. end-64)
 */
import type { Identity } from '../../identity/identity.js';
import { domainSeparated, verifySignature } from '../../identity/signature.js';
import { MqttDecodeError } from './errors.js';

export const PRESENCE_VERSION = 1;
const DOMAIN = new TextEncoder().encode('lattice/mqtt-presence/v1\0');
const HEAD = 47;

export interface Presence {
  nodeIdHex: string;
  nodeId: Uint8Array;
  seq: number;
  online: boolean;
  maxFrameBytes: number;
  version: string;
  bytes: Uint8Array;
}

export function signPresence(identity: Identity, fields: { seq: number; online: boolean; maxFrameBytes: number; version: string }): Uint8Array {
  const version = new TextEncoder().encode(fields.version);
  if (version.length > 32) throw new RangeError('version over 32 bytes');
  if (!Number.isSafeInteger(fields.seq) || fields.seq < 0) throw new RangeError(`sequence ${fields.seq}`);
  const out = new Uint8Array(HEAD + version.length + 64);
  const view = new DataView(out.buffer);
  out[0] = PRESENCE_VERSION;
  out.set(identity.nodeId, 1);
  view.setBigUint64(33, BigInt(fields.seq));
  out[41] = fields.online ? 1 : 0;
  view.setUint32(42, fields.maxFrameBytes);
  out[46] = version.length;
  out.set(version, HEAD);
  const bodyEnd = HEAD + version.length;
  out.set(identity.sign(domainSeparated(DOMAIN, out.subarray(0, bodyEnd))), bodyEnd);
  return out;
}

/** Parses and verifies a presence advert; throws MqttDecodeError('malformed' | 'bad-signature'). */
export function openPresence(bytes: Uint8Array): Presence {
  if (!(bytes instanceof Uint8Array) || bytes.length < HEAD + 64) throw new MqttDecodeError('malformed', 'presence too short');
  if (bytes[0] !== PRESENCE_VERSION) throw new MqttDecodeError('malformed', `presence version ${bytes[0]}`);
  const n = bytes[46]!;
  if (n > 32 || bytes.length !== HEAD + n + 64) throw new MqttDecodeError('malformed', 'presence length');
  if (bytes[41]! > 1) throw new MqttDecodeError('malformed', `presence state ${bytes[41]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const seq = view.getBigUint64(33);
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) throw new MqttDecodeError('malformed', 'presence sequence out of range');
  let version: string;
  try {
    version = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEAD, HEAD + n));
  } catch {
    throw new MqttDecodeError('malformed', 'presence version is not UTF-8');
  }
  const nodeId = bytes.slice(1, 33);
  const bodyEnd = HEAD + n;
  if (!verifySignature(nodeId, domainSeparated(DOMAIN, bytes.subarray(0, bodyEnd)), bytes.subarray(bodyEnd))) {
    throw new MqttDecodeError('bad-signature', 'presence signature does not verify');
  }
  return {
    nodeIdHex: Buffer.from(nodeId).toString('hex'),
    nodeId,
    seq: Number(seq),
    online: bytes[41] === 1,
    maxFrameBytes: view.getUint32(42),
    version,
    bytes: bytes.slice(),
  };
}
