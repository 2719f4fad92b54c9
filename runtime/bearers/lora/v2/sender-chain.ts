/**
 * Delayed key disclosure (TESLA, Perrig et al., RFC 4082) for Lattice v2 broadcasts: how a receiver authenticates the
 * origin of a broadcast without its 64-byte signature, at 4 bytes per message, some minutes later.
 *
 * Chain. Time (in stamps, seconds since 2024) is cut in epochs of `n` intervals of `intervalS` seconds. For epoch c
 * the origin derives, from its Ed25519 key alone (no state to persist: Ed25519 signatures are deterministic),
 *   seed  = SHA-256(sign("lattice/lora2/chain" ‖ u32be c))
 *   K_n   = SHA-256("lattice/lora2/chain-end" ‖ seed)[0..16]
 *   K_j-1 = SHA-256("lattice/lora2/chain-step" ‖ K_j)[0..16]       down to the anchor K_0
 * and signs the anchor record (sender id, c, n, intervalS, delay, K_0) with Ed25519: the signed advert.
 *
 * Use. A broadcast with stamp s in interval j = floor((s − c·n·intervalS) / intervalS) + 1 carries
 *   sender MAC = HMAC-SHA256(K_j, "lattice/lora2/sender" ‖ sender id ‖ u32be stamp ‖ body)[0..4]
 * and the origin discloses K_j only once interval j + delay has begun (a key frame). A receiver that got the MAC
 * while K_j could not yet be public (its clock, allowing `maxSkewS`, before the start of interval j + delay) keeps
 * it; once K_j arrives it checks K_j against the anchor (j hashes) and then the MAC.
 *
 * Limits: sender authentication comes (delay − 1)·intervalS to delay·intervalS after sending, plus the time the
 * disclosure needs to arrive; a MAC that arrives after its key may already be public proves nothing (store-and-forward
 * delivery older than that is only group-authenticated); it needs clocks within `maxSkewS`; 4 bytes give 2^-32
 * forgery odds per attempt (each attempt costs airtime and must be made before the disclosure). Details:
 * SECURITY.md.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Identity } from '../../../identity/identity.js';
import { verifySignature } from '../../../identity/signature.js';
import { macEquals } from './v2-keys.js';

export interface ChainParams {
  /** Intervals per epoch (chain length). */
  n: number;
  intervalS: number;
  /** Intervals after which a key is disclosed. */
  delay: number;
}

export const DEFAULT_CHAIN: ChainParams = { n: 288, intervalS: 300, delay: 2 };
export const CHAIN_KEY_BYTES = 16;
export const ANCHOR_BYTES = 32 + 4 + 2 + 2 + 1 + CHAIN_KEY_BYTES + 64;

const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
};
const STEP = Buffer.from('lattice/lora2/chain-step');

export const stepKey = (k: Uint8Array): Uint8Array => new Uint8Array(sha(STEP, k).subarray(0, CHAIN_KEY_BYTES));

export function epochOf(stamp: number, p: ChainParams): number {
  return Math.floor(stamp / (p.n * p.intervalS));
}

/** Interval (1..n) of a stamp within its epoch. */
export function intervalOf(stamp: number, p: ChainParams): number {
  return Math.floor((stamp - epochOf(stamp, p) * p.n * p.intervalS) / p.intervalS) + 1;
}

/** Stamp at which interval j of epoch c begins. */
export function intervalStart(c: number, j: number, p: ChainParams): number {
  return c * p.n * p.intervalS + (j - 1) * p.intervalS;
}

export function senderMac(key: Uint8Array, sender: Uint8Array, stamp: number, body: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update('lattice/lora2/sender').update(sender).update(u32(stamp)).update(body).digest().subarray(0, 4));
}

export interface Anchor {
  sender: Uint8Array;
  epoch: number;
  params: ChainParams;
  k0: Uint8Array;
  signature: Uint8Array;
}

function anchorSigned(a: Omit<Anchor, 'signature'>): Uint8Array {
  return Buffer.concat([Buffer.from('lattice/lora2/anchor'), a.sender, u32(a.epoch), Uint8Array.of(a.params.n >> 8, a.params.n & 0xff, a.params.intervalS >> 8, a.params.intervalS & 0xff, a.params.delay), a.k0]);
}

export function encodeAnchor(a: Anchor): Uint8Array {
  return Buffer.concat([a.sender, u32(a.epoch), Uint8Array.of(a.params.n >> 8, a.params.n & 0xff, a.params.intervalS >> 8, a.params.intervalS & 0xff, a.params.delay), a.k0, a.signature]);
}

/** Decodes and verifies a signed anchor; undefined when malformed or the signature fails. */
export function verifyAnchor(bytes: Uint8Array): Anchor | undefined {
  if (bytes.length !== ANCHOR_BYTES) return undefined;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const params = { n: b.readUInt16BE(36), intervalS: b.readUInt16BE(38), delay: b[40]! };
  if (params.n < 1 || params.intervalS < 1 || params.delay < 1) return undefined;
  const a: Anchor = { sender: new Uint8Array(b.subarray(0, 32)), epoch: b.readUInt32BE(32), params, k0: new Uint8Array(b.subarray(41, 57)), signature: new Uint8Array(b.subarray(57)) };
  return verifySignature(a.sender, anchorSigned(a), a.signature) ? a : undefined;
}

/** The origin's side: its chains, derived on demand (one epoch cached). */
export class SenderChain {
  private cached?: { epoch: number; keys: Uint8Array[]; anchor: Anchor };

  constructor(private readonly identity: Identity, readonly params: ChainParams = DEFAULT_CHAIN) {}

  private chain(epoch: number): { keys: Uint8Array[]; anchor: Anchor } {
    if (this.cached?.epoch === epoch) return this.cached;
    const seed = sha(this.identity.sign(Buffer.concat([Buffer.from('lattice/lora2/chain'), u32(epoch)])));
    const keys: Uint8Array[] = new Array(this.params.n + 1);
    keys[this.params.n] = new Uint8Array(sha(Buffer.from('lattice/lora2/chain-end'), seed).subarray(0, CHAIN_KEY_BYTES));
    for (let j = this.params.n; j > 0; j--) keys[j - 1] = stepKey(keys[j]!);
    const unsigned = { sender: this.identity.nodeId, epoch, params: this.params, k0: keys[0]! };
    const anchor = { ...unsigned, signature: this.identity.sign(anchorSigned(unsigned)) };
    this.cached = { epoch, keys, anchor };
    return this.cached;
  }

  anchor(stamp: number): Anchor {
    return this.chain(epochOf(stamp, this.params)).anchor;
  }

  mac(stamp: number, body: Uint8Array): Uint8Array {
    const key = this.chain(epochOf(stamp, this.params)).keys[intervalOf(stamp, this.params)]!;
    return senderMac(key, this.identity.nodeId, stamp, body);
  }

  /** K_j of epoch c, or undefined while it may not be disclosed yet at stamp `now`. */
  disclose(epoch: number, j: number, now: number): Uint8Array | undefined {
    if (j < 1 || j > this.params.n || now < intervalStart(epoch, j + this.params.delay, this.params)) return undefined;
    return this.chain(epoch).keys[j];
  }
}

/** The receiver's check of a disclosed key against a verified anchor: K_j hashed j times must give K_0. */
export function keyMatchesAnchor(anchor: Anchor, j: number, key: Uint8Array): boolean {
  if (j < 1 || j > anchor.params.n || key.length !== CHAIN_KEY_BYTES) return false;
  let k = key;
  for (let i = 0; i < j; i++) k = stepKey(k);
  return macEquals(k, anchor.k0);
}

/** TESLA's safety condition: K_j cannot have been disclosed before `nowStamp` (with `maxSkewS` of clock error). */
export function stillSecret(anchor: Anchor, j: number, nowStamp: number, maxSkewS: number): boolean {
  return nowStamp + maxSkewS < intervalStart(anchor.epoch, j + anchor.params.delay, anchor.params);
}
