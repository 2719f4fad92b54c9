/**
 * Bundle: the unit the router stores and forwards.
 *
 * Signed fields (sender, recipient, sentAt, lifetime, body, sealed, origin) never change on the way; `hops` and
 * `custody` are appended by each relay and are not signed (a relay cannot sign for the sender), so they are
 * checked for consistency instead (hops === custody.length, ≤ MAX_HOPS).
 */

/** 8 hops is a hard cap: a bundle that already has 8 custody entries is not forwarded further. */
export const MAX_HOPS = 8;
/** Bodies above this are rejected by the decoder (large payloads go to the shard store). */
export const MAX_BODY_BYTES = 64 * 1024;
/** Default lifetime: 7 days. */
export const DEFAULT_LIFETIME_MS = 7 * 24 * 3600 * 1000;

/**
 * Recipient: a Lattice node id (32-byte Ed25519 public key), `null` for broadcast, or a foreign-mesh address string
 * (`mt:!a1b2c3d4`, `mt:ch:0`, `mc:<hex>`, `mc:ch:0`) that a gateway bearer delivers.
 */
export type Recipient = Uint8Array | string | null;

/** The foreign node a gateway received this message from (the relay signs on its behalf). */
export interface Origin {
  /** Foreign address, e.g. `mt:!a1b2c3d4`. */
  id: string;
  name?: string;
}

export interface Bundle {
  /** 32-byte Ed25519 public key of the signer. */
  sender: Uint8Array;
  recipient: Recipient;
  /** Milliseconds since the Unix epoch at the sender. */
  sentAt: number;
  /** Milliseconds after sentAt at which the bundle expires everywhere. */
  lifetime: number;
  /** Plaintext body (broadcast, foreign recipients) or a sealed box (Lattice node recipient). */
  body: Uint8Array;
  /** True when body is end-to-end encrypted to the recipient. */
  sealed: boolean;
  /** The body is a compact seal (compact-seal.ts: no nonce, 8-byte tag; sentAt is a whole-second stamp), as
   * Lattice v2 LoRa frames carry it. Only with `sealed`. */
  compactSeal?: true;
  origin?: Origin;
  /** Number of relays that took custody. */
  hops: number;
  /** Short ids of relays that took custody, in order. */
  custody: string[];
  /** 64-byte Ed25519 signature by sender over the signed fields; or, for a bundle that crossed a Lattice v2 LoRa
   * hop, what that hop carried instead (the signature is elided there, see elided-signature.ts): nothing for a
   * compact-sealed DM (its AEAD tag authenticates the sender to the recipient), the 4-byte delayed-key sender MAC
   * for a broadcast. */
  signature: Uint8Array;
}
