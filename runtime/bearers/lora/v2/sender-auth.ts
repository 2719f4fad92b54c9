/**
 * The receiver's side of delayed key disclosure (sender-chain.ts): signed anchors kept per origin, broadcast MACs
 * kept until their interval key is disclosed, then checked. Every outcome is counted by the caller
 * (`lattice_lora_v2_sender_auth_total{result}`):
 *   verified   the MAC checks under the disclosed key: the origin sent this body at this stamp
 *   forged     the MAC does not check: not from the origin (a group member, or an altered frame)
 *   too-late   heard when the interval key may already have been public (a late copy, a slow relay path, or clocks
 *              more than maxSkewS apart): proves nothing either way
 *   no-anchor  no signed anchor of that origin for that epoch yet
 *   expired    never disclosed before it was evicted (bounded memory: `maxPending`)
 * Bounded: `maxAnchors` origins, `maxPending` MACs.
 */
import { keyHint } from './hints.js';
import { epochOf, intervalOf, keyMatchesAnchor, senderMac, stillSecret, verifyAnchor, type Anchor } from './sender-chain.js';
import { macEquals } from './v2-keys.js';

export type SenderAuthResult = 'verified' | 'forged' | 'too-late' | 'no-anchor' | 'expired';

interface Pending {
  sender: Uint8Array;
  /** The bundle id of the broadcast, so the verdict can be put on the stored message. */
  id: Uint8Array;
  stamp: number;
  body: Uint8Array;
  mac: Uint8Array;
}

export interface SenderAuthOptions {
  /** Our clock in stamps (seconds since 2024). */
  nowStamp(): number;
  /** Largest clock difference to the origin we allow for (TESLA's safety condition). Default 60 s. */
  maxSkewS?: number;
  maxPending?: number;
  maxAnchors?: number;
  result(r: SenderAuthResult, sender: Uint8Array, id: Uint8Array): void;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export class SenderAuth {
  private readonly anchors = new Map<string, Anchor>();
  private readonly pending = new Map<string, Pending[]>();
  private pendingCount = 0;

  constructor(private readonly o: SenderAuthOptions) {}

  /** A signed anchor record: kept when its signature checks (the newest epoch per origin). */
  anchor(record: Uint8Array): Anchor | undefined {
    const a = verifyAnchor(record);
    if (!a) return undefined;
    const k = hex(a.sender);
    const had = this.anchors.get(k);
    if (had && had.epoch > a.epoch) return had;
    this.anchors.delete(k);
    if (this.anchors.size >= (this.o.maxAnchors ?? 1024)) this.anchors.delete(this.anchors.keys().next().value!);
    this.anchors.set(k, a);
    return a;
  }

  anchorOf(sender: Uint8Array): Anchor | undefined {
    return this.anchors.get(hex(sender));
  }

  /** A v2 broadcast from `sender` with its 4-byte sender MAC (`id`: its bundle id). */
  broadcast(sender: Uint8Array, stamp: number, body: Uint8Array, mac: Uint8Array, id: Uint8Array): void {
    const a = this.anchors.get(hex(sender));
    if (!a || epochOf(stamp, a.params) !== a.epoch) return this.o.result('no-anchor', sender, id);
    const j = intervalOf(stamp, a.params);
    if (!stillSecret(a, j, this.o.nowStamp(), this.o.maxSkewS ?? 60)) return this.o.result('too-late', sender, id);
    const key = `${hex(sender)}:${a.epoch}:${j}`;
    let list = this.pending.get(key);
    if (!list) this.pending.set(key, (list = []));
    list.push({ sender, id, stamp, body, mac });
    this.pendingCount++;
    while (this.pendingCount > (this.o.maxPending ?? 512)) {
      const [k, l] = this.pending.entries().next().value!;
      const dropped = l.shift()!;
      this.pendingCount--;
      if (l.length === 0) this.pending.delete(k);
      this.o.result('expired', dropped.sender, dropped.id);
    }
  }

  /** A disclosed key: checked against the anchors of origins with that hint; pending MACs of that interval decided.
   * Returns the origin whose chain it belongs to (to relay it on), or undefined for a key that matches none. */
  key(senderHint: number, epoch: number, j: number, key: Uint8Array): Uint8Array | undefined {
    for (const a of this.anchors.values()) {
      if (keyHint(a.sender) !== senderHint || a.epoch !== epoch || !keyMatchesAnchor(a, j, key)) continue;
      const k = `${hex(a.sender)}:${epoch}:${j}`;
      for (const p of this.pending.get(k) ?? []) {
        this.pendingCount--;
        this.o.result(macEquals(senderMac(key, p.sender, p.stamp, p.body), p.mac) ? 'verified' : 'forged', p.sender, p.id);
      }
      this.pending.delete(k);
      return a.sender;
    }
    return undefined;
  }
}
