/**
 * The TCP connection handshake: both ends prove they hold the private key of the node id they claim, bound to
 * fresh nonces from both sides so a recorded handshake cannot be replayed.
 *
 *   connector -> HELLO      connector node id 32 | connector nonce 16 [| domain tag 16, with ip.psk: domain-key.ts]
 *   acceptor  -> CHALLENGE  acceptor node id 32 | acceptor nonce 16 | acceptor signature 64
 *   connector -> AUTH       connector signature 64
 *
 * Each signature covers DOMAIN(role) || connector nonce || acceptor nonce || connector id || acceptor id; the role
 * in the domain keeps the acceptor's signature from being reflected back as the connector's. Frames flow only
 * from connector to acceptor (each relay dials its own connection to each peer), so the acceptor learns who
 * sends, and the connector learns it really talks to the peer it dialled before it reports a frame `accepted`.
 */
import { DOMAIN_TAG_BYTES } from './domain-key.js';
import { IpDecodeError } from './errors.js';

export const HANDSHAKE_NONCE_BYTES = 16;
const encoder = new TextEncoder();
const DOMAINS = {
  connector: encoder.encode('lattice/ip-tcp/v1/connector\0'),
  acceptor: encoder.encode('lattice/ip-tcp/v1/acceptor\0'),
};

export interface Transcript {
  connectorNonce: Uint8Array;
  acceptorNonce: Uint8Array;
  connectorId: Uint8Array;
  acceptorId: Uint8Array;
}

export function transcript(role: 'connector' | 'acceptor', t: Transcript): Uint8Array {
  const d = DOMAINS[role];
  const out = new Uint8Array(d.length + 2 * HANDSHAKE_NONCE_BYTES + 64);
  out.set(d, 0);
  out.set(t.connectorNonce, d.length);
  out.set(t.acceptorNonce, d.length + HANDSHAKE_NONCE_BYTES);
  out.set(t.connectorId, d.length + 2 * HANDSHAKE_NONCE_BYTES);
  out.set(t.acceptorId, d.length + 2 * HANDSHAKE_NONCE_BYTES + 32);
  return out;
}

export const HELLO_BYTES = 32 + HANDSHAKE_NONCE_BYTES;
/** A HELLO with a domain tag (domain-key.ts): the largest the acceptor reads before it knows who connects. */
export const TAGGED_HELLO_BYTES = HELLO_BYTES + DOMAIN_TAG_BYTES;
export const CHALLENGE_BYTES = 32 + HANDSHAKE_NONCE_BYTES + 64;
export const AUTH_BYTES = 64;

export function encodeHello(nodeId: Uint8Array, nonce: Uint8Array, tag?: Uint8Array): Uint8Array {
  const out = new Uint8Array(tag ? TAGGED_HELLO_BYTES : HELLO_BYTES);
  out.set(nodeId, 0);
  out.set(nonce, 32);
  if (tag) out.set(tag, HELLO_BYTES);
  return out;
}

/** `tagged`: this relay has a domain key, so the HELLO must carry a tag (checked by the caller). */
export function decodeHello(p: Uint8Array, tagged = false): { nodeId: Uint8Array; nonce: Uint8Array; tag?: Uint8Array } {
  const want = tagged ? TAGGED_HELLO_BYTES : HELLO_BYTES;
  if (p.length !== want) throw new IpDecodeError(tagged && p.length === HELLO_BYTES ? 'psk-missing' : 'malformed', `TCP HELLO of ${p.length} bytes`);
  return { nodeId: p.slice(0, 32), nonce: p.slice(32, HELLO_BYTES), ...(tagged ? { tag: p.slice(HELLO_BYTES) } : {}) };
}

export function encodeChallenge(nodeId: Uint8Array, nonce: Uint8Array, signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(32 + HANDSHAKE_NONCE_BYTES + 64);
  out.set(nodeId, 0);
  out.set(nonce, 32);
  out.set(signature, 32 + HANDSHAKE_NONCE_BYTES);
  return out;
}

export function decodeChallenge(p: Uint8Array): { nodeId: Uint8Array; nonce: Uint8Array; signature: Uint8Array } {
  if (p.length !== CHALLENGE_BYTES) throw new IpDecodeError('malformed', `TCP CHALLENGE of ${p.length} bytes`);
  return { nodeId: p.slice(0, 32), nonce: p.slice(32, 32 + HANDSHAKE_NONCE_BYTES), signature: p.slice(32 + HANDSHAKE_NONCE_BYTES) };
}

export function decodeAuth(p: Uint8Array): Uint8Array {
  if (p.length !== AUTH_BYTES) throw new IpDecodeError('malformed', `TCP AUTH of ${p.length} bytes`);
  return p;
}
