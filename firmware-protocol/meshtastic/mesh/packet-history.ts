/**
 * Duplicate suppression and relay bookkeeping (firmware src/mesh/PacketHistory.{h,cpp}): a fixed table of records
 * keyed on (sender, id). A record keeps the highest hop_limit seen, the hop_limit we transmitted it with, the next_hop
 * first asked for, and up to six relayer bytes. A full table reuses the slot seen longest ago (records are refreshed
 * on every sighting; there is no time expiry).
 */
import { NO_NEXT_HOP_PREFERENCE } from './hops.js';

/** PacketHistory.h NUM_RELAYERS. */
export const NUM_RELAYERS = 6;
/**
 * PacketHistory.cpp PACKETHISTORY_MAX = max(2 × MAX_NUM_NODES, 100); on a Linux native node (portduino) MAX_NUM_NODES
 * is 250 → 500 records.
 */
export const PACKET_HISTORY_MAX = 500;

/** What the history needs to know of a packet (MeshPacket fields, with `from` already resolved by getFrom). */
export interface HistoryPacket {
  from: number;
  id: number;
  hopLimit: number;
  nextHop: number;
  relayNode: number;
}

export interface SeenResult {
  /** A record for (from, id) existed. */
  seen: boolean;
  /** A copy with more hops left than any seen before (PacketHistory wasUpgraded). */
  upgraded: boolean;
  /** A fall-back to flooding from a next-hop DM that its next hop did not relay (PacketHistory wasFallback). */
  fallback: boolean;
  /** The first copy asked us as next hop (PacketHistory weWereNextHop). */
  weWereNextHop: boolean;
}

interface PacketRecord {
  sender: number;
  id: number;
  /** Clock time it was last seen (the firmware's rxTimeMsec, 0 = empty; here a slot is simply absent). */
  seenAt: number;
  nextHop: number;
  highestHopLimit: number;
  ourTxHopLimit: number;
  relayedBy: number[];
}

export class PacketHistory {
  private readonly records = new Map<string, PacketRecord>();

  /** `ourNum`: our node number; `now`: the clock. `capacity` as PacketHistory(size) takes it (4..PACKET_HISTORY_MAX). */
  constructor(private readonly ourNum: number, private readonly ourRelayId: number, private readonly now: () => number, readonly capacity = PACKET_HISTORY_MAX) {
    if (!Number.isInteger(capacity) || capacity < 4 || capacity > PACKET_HISTORY_MAX) {
      throw new RangeError(`packet history capacity must be 4..${PACKET_HISTORY_MAX}, got ${capacity}`);
    }
  }

  get size(): number {
    return this.records.size;
  }

  /** PacketHistory::wasSeenRecently. Packets with id 0 are not floodable: never seen, never recorded. */
  wasSeenRecently(p: HistoryPacket, withUpdate = true): SeenResult {
    const result: SeenResult = { seen: false, upgraded: false, fallback: false, weWereNextHop: false };
    if (p.id === 0) return result;
    const r: PacketRecord = { sender: p.from, id: p.id, seenAt: this.now(), nextHop: p.nextHop, highestHopLimit: p.hopLimit & 7, ourTxHopLimit: 0, relayedBy: [0, 0, 0, 0, 0, 0] };
    let weWillRelay = false;
    if (p.relayNode === this.ourRelayId) {
      weWillRelay = true;
      r.ourTxHopLimit = p.hopLimit & 7;
      r.relayedBy[0] = p.relayNode;
    }
    const found = this.find(r.sender, r.id);
    result.seen = found !== undefined;
    if (found) {
      result.upgraded = found.highestHopLimit < p.hopLimit;
      // "If it was seen with a next-hop not set to us and now it's NO_NEXT_HOP_PREFERENCE, and the relayer relayed
      // already before, it's a fallback to flooding."
      result.fallback =
        found.sender !== this.ourNum &&
        found.nextHop !== NO_NEXT_HOP_PREFERENCE &&
        found.nextHop !== this.ourRelayId &&
        p.nextHop === NO_NEXT_HOP_PREFERENCE &&
        wasRelayerIn(p.relayNode, found) &&
        !wasRelayerIn(this.ourRelayId, found) &&
        !wasRelayerIn(found.nextHop, found);
      result.weWereNextHop = found.nextHop === this.ourRelayId;
    }
    if (withUpdate) {
      if (found) {
        // "Only update the relayer if it heard us directly (meaning hopLimit is decreased by 1)"
        let startIdx = weWillRelay ? 1 : 0;
        if (!weWillRelay) {
          const weWereRelayer = wasRelayerIn(this.ourRelayId, found);
          if (weWereRelayer && (p.hopLimit === found.ourTxHopLimit || p.hopLimit === found.ourTxHopLimit - 1)) {
            r.relayedBy[0] = p.relayNode;
            startIdx = 1;
          }
          r.ourTxHopLimit = found.ourTxHopLimit;
        }
        if (found.highestHopLimit > r.highestHopLimit) r.highestHopLimit = found.highestHopLimit;
        // Copy the known relayers after the new one, skipping duplicates, exactly at index i + startIdx as the firmware does.
        for (let i = 0; i < NUM_RELAYERS - startIdx; i++) {
          const relayer = found.relayedBy[i]!;
          if (relayer === 0) continue;
          if (!r.relayedBy.includes(relayer)) r.relayedBy[i + startIdx] = relayer;
        }
        r.nextHop = found.nextHop; // keep the original next_hop (whether we were originally asked)
      }
      this.insert(r);
    }
    return result;
  }

  /** PacketHistory::wasRelayer; `sole` when it is the only relayer recorded. */
  wasRelayer(relayer: number, id: number, sender: number): { was: boolean; sole: boolean } {
    if (relayer === 0) return { was: false, sole: false };
    const found = this.find(sender, id);
    if (!found) return { was: false, sole: false };
    const was = wasRelayerIn(relayer, found);
    const other = found.relayedBy.some((b) => b !== 0 && b !== relayer);
    return { was, sole: was && !other };
  }

  /** PacketHistory::removeRelayer (Router::cancelSending: we are not a relayer of it any more). */
  removeRelayer(relayer: number, id: number, sender: number): void {
    const found = this.find(sender, id);
    if (!found) return;
    const kept = found.relayedBy.filter((b) => b !== relayer && b !== 0);
    found.relayedBy = [...kept, 0, 0, 0, 0, 0, 0].slice(0, NUM_RELAYERS);
  }

  private find(sender: number, id: number): PacketRecord | undefined {
    if (sender === 0 || id === 0) return undefined;
    return this.records.get(key(sender, id));
  }

  /** PacketHistory::insert: the matching slot, else a free one, else the one seen longest ago. */
  private insert(r: PacketRecord): void {
    const k = key(r.sender, r.id);
    if (!this.records.has(k) && this.records.size >= this.capacity) {
      let oldestKey: string | undefined;
      let oldestAt = Infinity;
      for (const [rk, rec] of this.records) {
        if (rec.seenAt < oldestAt) {
          oldestAt = rec.seenAt;
          oldestKey = rk;
        }
      }
      if (oldestKey !== undefined) this.records.delete(oldestKey);
    }
    this.records.delete(k); // re-insert so iteration order follows recency (ties evict the earlier sighting)
    this.records.set(k, r);
  }
}

function key(sender: number, id: number): string {
  return `${sender >>> 0}:${id >>> 0}`;
}

/** PacketHistory::wasRelayer(relayer, record): as in the firmware, relayer 0 matches an empty slot. */
function wasRelayerIn(relayer: number, r: PacketRecord): boolean {
  return r.relayedBy.includes(relayer);
}
