/**
 * Test helper: issues the signed, salted, chained blooms a node would broadcast (bloom-exchange.ts does it for
 * real), over whatever ids a test says the node has — true or false claims alike.
 */
import { randomBytes } from 'node:crypto';
import type { Identity } from '../../identity/identity.js';
import { createBloomMessage, encodeBloomMessage, type BloomMessage } from '../../wire/bloom-message.js';
import { encodeFrame } from '../../wire/frame-codec.js';
import { BLOOM_SALT_BYTES, BloomFilter } from '../delivery-bloom.js';

export class BloomIssuer {
  private prev = new Uint8Array(BLOOM_SALT_BYTES);
  private at = Date.now();

  constructor(readonly identity: Identity) {}

  /** The next broadcast's message over `ids`. `skip` pretends that many broadcasts went out unseen first. */
  message(ids: Uint8Array[], options: { skip?: number } = {}): BloomMessage {
    for (let i = 0; i < (options.skip ?? 0); i++) this.prev = randomBytes(BLOOM_SALT_BYTES);
    const salt = randomBytes(BLOOM_SALT_BYTES);
    const f = new BloomFilter(salt);
    for (const id of ids) f.add(id);
    const m = createBloomMessage(this.identity, { salt, prev: this.prev, bloom: f.bits }, ++this.at);
    this.prev = salt;
    return m;
  }

  /** The same, as a link frame. */
  frame(ids: Uint8Array[], options: { skip?: number } = {}): Uint8Array {
    return encodeFrame({ kind: 'bloom', payload: encodeBloomMessage(this.message(ids, options)) });
  }
}
