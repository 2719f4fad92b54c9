/**
 * The LoRa bearer's Lattice v2 part (lora-bearer.ts calls it): whether a send goes as a v2 frame and which bytes,
 * and what a received v2 frame holds. Sending v2 needs a bundle v2 carries exactly (v2-link.ts v2Kind) and an
 * addressee that advertised v2 (unicast) or a neighbourhood where every neighbour did (broadcast); anything else goes
 * as v1, which every Lattice node still decodes.
 *
 * Keys travel once: a frame carries 2-byte key hints when the addressee is known to hold the origin's and the
 * recipient's keys (its own, ours when its advert listed us, keys it sent us, keys we sent it in full and it
 * ACKed; on broadcast, keys we broadcast in full), else the keys in full (flag I). Retries always carry them in full.
 *
 * Delayed key disclosure (sender-chain.ts, sender-auth.ts): our signed anchor goes out after each advert; a key frame
 * for each interval in which we broadcast, once its disclosure time came (`due()`, from the bearer's sweep). A relay
 * that forwards an origin's broadcasts forwards that origin's anchor (once per epoch, before the first one) and its
 * key frames (once each), so receivers several hops away can check the origin too.
 */
import type { InFrame } from '../../../bearer/bearer.js';
import type { Bundle } from '../../../bundle/bundle.js';
import { encodeBundle } from '../../../bundle/bundle-codec.js';
import { bundleId } from '../../../bundle/bundle-id.js';
import type { Identity } from '../../../identity/identity.js';
import { encodeFrame } from '../../../wire/frame-codec.js';
import type { Neighbour } from '../peer-table.js';
import { linkHint } from './hints.js';
import { KeyBook } from './key-book.js';
import { DEFAULT_CHAIN, SenderChain, type ChainParams } from './sender-chain.js';
import { decodeV2Frame, encodeV2Ack, encodeV2Chain } from './v2-frame.js';
import { SenderAuth, type SenderAuthResult } from './sender-auth.js';
import { encodeAnchor, epochOf, intervalOf, intervalStart } from './sender-chain.js';
import { keyHint } from './hints.js';
import { msToStamp, stampAt } from '../../../bundle/stamp.js';
import { decodeV2Bundle, encodeV2Bundle, v2Kind } from './v2-link.js';
import { DEFAULT_GROUP_PSK, groupKey } from './v2-keys.js';

export interface LoraV2Options {
  /** This relay's identity: X25519 for hop MACs, Ed25519 for its broadcast key chain. */
  identity: Identity;
  /** Group PSK of the v2 group tag (default: the public "lattice"). */
  groupPsk?: Uint8Array;
  chain?: ChainParams;
  /** Largest clock difference to an origin allowed for by sender authentication (default 60 s). */
  maxSkewS?: number;
}

export interface LoraV2Deps {
  now(): number;
  /** A verdict on a broadcast's origin (`id`: the broadcast's bundle id). */
  senderAuth(result: SenderAuthResult, sender: Uint8Array, id: Uint8Array): void;
}

export interface V2Plan {
  /** The frame of the first attempt. */
  first: Uint8Array;
  /** The frame of a retry: keys in full. */
  retry(): Uint8Array;
  /** Key of the ACK that acknowledges `bytes` (unicast). */
  ackKey(bytes: Uint8Array): string;
  /** After an ACK (unicast) or TxDone (broadcast): the addressee holds the keys it carried. */
  delivered(bytes: Uint8Array): void;
  /** Chain frames to send before the first attempt (a relayed origin's anchor). */
  before: Uint8Array[];
}

export type V2Incoming =
  | { type: 'ack'; key: string }
  | { type: 'chain' }
  | { type: 'data'; frame: InFrame; transmitter?: Uint8Array; unicast?: { message: number } };

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

export class LoraV2 {
  readonly book = new KeyBook();
  readonly chain: SenderChain;
  private readonly groupKey: Uint8Array;
  private readonly me: Uint8Array;
  readonly auth: SenderAuth;
  /** Our own broadcast intervals whose key is still to be disclosed: `epoch:j` → disclosure stamp. */
  private readonly toDisclose = new Map<string, { epoch: number; j: number; at: number }>();
  /** Origins whose broadcasts we relay → the epoch whose anchor we relayed. */
  private readonly relayed = new Map<string, number>();
  /** Key frames of relayed origins waiting to go out, and those already relayed. */
  private readonly keysOut: Uint8Array[] = [];
  private readonly keysSeen = new Set<string>();

  constructor(readonly o: LoraV2Options, private readonly d: LoraV2Deps) {
    this.groupKey = groupKey(o.groupPsk ?? DEFAULT_GROUP_PSK);
    this.chain = new SenderChain(o.identity, o.chain ?? DEFAULT_CHAIN);
    this.me = o.identity.nodeId;
    this.auth = new SenderAuth({ nowStamp: () => stampAt(d.now()), maxSkewS: o.maxSkewS ?? 60, result: (r, s, id) => d.senderAuth(r, s, id) });
  }

  /** Our signed anchor for the current epoch, as a chain frame (sent after each advert). */
  anchorFrame(): Uint8Array {
    return encodeV2Chain({ type: 'chain', from: linkHint(this.me), anchor: encodeAnchor(this.chain.anchor(stampAt(this.d.now()))) });
  }

  /** Key frames due now: ours whose disclosure time came, and relayed origins' keys. */
  due(): Uint8Array[] {
    const now = stampAt(this.d.now());
    const out = this.keysOut.splice(0);
    for (const [k, t] of this.toDisclose) {
      if (now < t.at) continue;
      this.toDisclose.delete(k);
      const key = this.chain.disclose(t.epoch, t.j, now);
      if (key) out.push(encodeV2Chain({ type: 'chain', from: linkHint(this.me), key: { senderHint: keyHint(this.me), epoch: t.epoch, interval: t.j, key } }));
    }
    return out;
  }

  /** A neighbour's advert: learn its key. */
  heard(n: Neighbour): void {
    this.book.learn(n.id);
  }

  /**
   * The v2 frames for this send, or undefined to send v1. `neighbour` is the unicast addressee; for a broadcast,
   * `neighbours` are those up.
   */
  plan(bundle: Bundle | undefined, neighbour: Neighbour | undefined, neighbours: Neighbour[], maxFrame: number): V2Plan | undefined {
    if (!bundle || !v2Kind(bundle)) return undefined;
    if (neighbour ? !neighbour.v2 : neighbours.length === 0 || neighbours.some((n) => !n.v2)) return undefined;
    const holder = neighbour ? neighbour.hex : '*';
    // Our own key: held by a neighbour whose advert listed us (on broadcast: by every neighbour up).
    const knows = (id: Uint8Array) => same(id, this.me) ? (neighbour ? neighbour.knowsUs : neighbours.every((n) => n.knowsUs)) : this.book.knows(holder, id);
    const keys = [bundle.sender, ...(bundle.recipient instanceof Uint8Array ? [bundle.recipient] : [])];
    const hinted = keys.every((k) => knows(k) || (neighbour !== undefined && same(k, neighbour.id)));
    const encode = (inline: boolean) => encodeV2Bundle(bundle, {
      identity: this.o.identity, groupKey: this.groupKey, inline, ...(neighbour ? { addressee: neighbour.id } : {}),
      senderMac: (stamp, body) => this.chain.mac(stamp, body),
    });
    const first = encode(!hinted);
    if (!first || first.length > maxFrame) return undefined;
    // The retry carries the keys in full; it must fit too, or the first attempt is the only v2 one that can go.
    const full = hinted ? encode(true) : first;
    if (!full || full.length > maxFrame) return undefined;
    for (const k of keys) this.book.learn(k);
    const before: Uint8Array[] = [];
    if (!(bundle.recipient instanceof Uint8Array) && !neighbour) {
      const stamp = msToStamp(bundle.sentAt)!;
      if (same(bundle.sender, this.me)) {
        const p = this.chain.params;
        const epoch = epochOf(stamp, p);
        const j = intervalOf(stamp, p);
        this.toDisclose.set(`${epoch}:${j}`, { epoch, j, at: intervalStart(epoch, j + p.delay, p) });
      } else {
        const anchor = this.auth.anchorOf(bundle.sender);
        const senderHex = hex(bundle.sender);
        if (anchor && this.relayed.get(senderHex) !== anchor.epoch) before.push(encodeV2Chain({ type: 'chain', from: linkHint(this.me), anchor: encodeAnchor(anchor) }));
        if (anchor) {
          if (!this.relayed.has(senderHex) && this.relayed.size >= 256) this.relayed.delete(this.relayed.keys().next().value!);
          this.relayed.set(senderHex, anchor.epoch);
        }
      }
    }
    return {
      first,
      before,
      retry: () => full,
      ackKey: (bytes) => `v2:${linkHint(neighbour!.id)}:${hex(bytes.subarray(bytes.length - 4, bytes.length - 2))}`,
      delivered: (bytes) => {
        if (bytes[0]! & 1) for (const k of keys) this.book.holdsKey(holder, k);
      },
    };
  }

  /** A received v2 frame: an ACK, a bundle for the router, or a discard reason. */
  receive(bytes: Uint8Array): V2Incoming | 'v2-malformed' | 'v2-bad-mac' | 'v2-unknown-key' | 'not-for-us' {
    try {
      const f = decodeV2Frame(bytes);
      if (f.type === 'ack') return f.to === linkHint(this.me) ? { type: 'ack', key: `v2:${f.from}:${hex(f.echo)}` } : 'not-for-us';
      if (f.type === 'chain') {
        if (f.anchor) return this.auth.anchor(f.anchor) ? { type: 'chain' } : 'v2-bad-mac';
        const k = f.key!;
        const origin = this.auth.key(k.senderHint, k.epoch, k.interval, k.key);
        if (!origin) return 'v2-unknown-key';
        const seen = `${hex(origin)}:${k.epoch}:${k.interval}`;
        if (!same(origin, this.me) && this.relayed.has(hex(origin)) && !this.keysSeen.has(seen)) {
          if (this.keysSeen.size >= 4096) this.keysSeen.clear();
          this.keysSeen.add(seen);
          this.keysOut.push(encodeV2Chain({ type: 'chain', from: linkHint(this.me), key: k }));
        }
        return { type: 'chain' };
      }
    } catch {
      return 'v2-malformed';
    }
    try {
      const r = decodeV2Bundle(bytes, { identity: this.o.identity, groupKey: this.groupKey, book: this.book });
      const b = r.bundle;
      if (!b.sealed && !same(b.sender, this.me)) this.auth.broadcast(b.sender, msToStamp(b.sentAt)!, b.body, b.signature, bundleId(b));
      this.book.learn(b.sender);
      if (b.recipient instanceof Uint8Array) this.book.learn(b.recipient);
      if (r.transmitter) {
        const t = hex(r.transmitter);
        this.book.holdsKey(t, b.sender);
        if (b.recipient instanceof Uint8Array) this.book.holdsKey(t, b.recipient);
      }
      const frame: InFrame = { bearer: '', bytes: encodeFrame({ kind: 'bundle', payload: encodeBundle(b) }), bundle: b, ...(r.transmitter ? { from: hex(r.transmitter) } : {}) };
      return { type: 'data', frame, ...(r.transmitter ? { transmitter: r.transmitter } : {}), ...(r.echo ? { unicast: { message: (r.echo[0]! << 8) | r.echo[1]! } } : {}) };
    } catch (err) {
      const reason = (err as { name?: string; reason?: string });
      if (reason.name === 'V2FrameDecodeError') return 'v2-malformed';
      if (reason.reason === 'bad-mac') return 'v2-bad-mac';
      if (reason.reason === 'unknown-key') return 'v2-unknown-key';
      if (reason.reason === 'unsupported') return 'not-for-us';
      throw err;
    }
  }

  /** The 5-byte ACK for a unicast frame from `to` whose hop MAC began with `message` (16 bits). */
  ack(to: Uint8Array, message: number): Uint8Array {
    return encodeV2Ack({ type: 'ack', from: linkHint(this.me), to: linkHint(to), echo: Uint8Array.of(message >> 8, message & 0xff) });
  }
}
