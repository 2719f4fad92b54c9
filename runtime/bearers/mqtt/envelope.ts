/**
 * The signed envelope around every Lattice frame published over MQTT, so the broker (or anyone who can publish
 * to it) cannot inject frames in a relay's name, nor redirect a relay's frame to another inbox:
 *
 *   0    u8   envelope version (1)
 *   1    u8   flags: bit 0 = broadcast
 *   2    32   sender node id
 *   34   32   recipient node id (zeros for broadcast)
 *   66   ...  the Lattice frame, as the router encoded it
 *   -64  64   Ed25519 signature by the sender over DOMAIN || bytes[0 .. end-64)
 *
 * A broker can still drop, delay or replay envelopes: bundles are signed end to end and the router drops
 * duplicates by bundle id, so a replay costs bandwidth, not correctness.
 */
import type { Identity } from '../../identity/identity.js';
import { domainSeparated, verifySignature } from '../../identity/signature.js';
import { MqttDecodeError } from './errors.js';

export const ENVELOPE_VERSION = 1;
export const ENVELOPE_OVERHEAD = 66 + 64;
const DOMAIN = new TextEncoder().encode('lattice/mqtt-frame/v1\0');
const ZERO_ID = new Uint8Array(32);

export interface Envelope {
  sender: Uint8Array;
  senderHex: string;
  /** Undefined for broadcast. */
  recipientHex?: string;
  frame: Uint8Array;
}

/** Wraps and signs a frame; `recipient` undefined means broadcast. */
export function sealEnvelope(identity: Identity, recipient: Uint8Array | undefined, frame: Uint8Array): Uint8Array {
  if (recipient !== undefined && recipient.length !== 32) throw new RangeError('recipient must be a 32-byte node id');
  const out = new Uint8Array(ENVELOPE_OVERHEAD + frame.length);
  out[0] = ENVELOPE_VERSION;
  out[1] = recipient === undefined ? 1 : 0;
  out.set(identity.nodeId, 2);
  out.set(recipient ?? ZERO_ID, 34);
  out.set(frame, 66);
  const bodyEnd = out.length - 64;
  out.set(identity.sign(domainSeparated(DOMAIN, out.subarray(0, bodyEnd))), bodyEnd);
  return out;
}

/** Parses and verifies an envelope; throws MqttDecodeError('malformed' | 'bad-signature'). */
export function openEnvelope(bytes: Uint8Array): Envelope {
  if (!(bytes instanceof Uint8Array) || bytes.length < ENVELOPE_OVERHEAD + 1) throw new MqttDecodeError('malformed', 'envelope too short');
  if (bytes[0] !== ENVELOPE_VERSION) throw new MqttDecodeError('malformed', `envelope version ${bytes[0]}`);
  const flags = bytes[1]!;
  if ((flags & ~1) !== 0) throw new MqttDecodeError('malformed', `envelope flags ${flags}`);
  const broadcast = (flags & 1) === 1;
  const recipient = bytes.subarray(34, 66);
  const zero = recipient.every((b) => b === 0);
  if (broadcast !== zero) throw new MqttDecodeError('malformed', 'broadcast flag and recipient disagree');
  const bodyEnd = bytes.length - 64;
  const sender = bytes.slice(2, 34);
  if (!verifySignature(sender, domainSeparated(DOMAIN, bytes.subarray(0, bodyEnd)), bytes.subarray(bodyEnd))) {
    throw new MqttDecodeError('bad-signature', 'envelope signature does not verify');
  }
  return {
    sender,
    senderHex: Buffer.from(sender).toString('hex'),
    recipientHex: broadcast ? undefined : Buffer.from(recipient).toString('hex'),
    frame: bytes.slice(66, bodyEnd),
  };
}
