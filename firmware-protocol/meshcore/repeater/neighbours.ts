/**
 * The repeater's neighbour table (examples/simple_repeater/MyMesh.cpp putNeighbour, formatNeighborsReply and the
 * REQ_TYPE_GET_NEIGHBOURS answer): other repeaters heard by zero-hop advert (or a node-discover answer), with the
 * advert timestamp, when we heard it (our RTC) and the SNR × 4 as int8. MAX_NEIGHBOURS = 50 as the repeater builds
 * in platformio.ini set it; a full table replaces the least recently heard entry. RAM only, as in the firmware.
 */
import type { NeighbourEntry } from '../ota/request-data.js';
import { toHex } from './c-text.js';

export const MAX_NEIGHBOURS = 50;
/** handleRequest's results_buffer[130] for GET_NEIGHBOURS. */
const RESULTS_BUFFER_SIZE = 130;

export interface NeighbourInfo {
  publicKey: Uint8Array;
  advertTimestamp: number;
  /** Our RTC, seconds; 0 = empty slot. */
  heardTimestamp: number;
  /** SNR × 4, int8. */
  snr: number;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

export class NeighbourTable {
  private readonly slots: NeighbourInfo[] = [];

  /** MyMesh::putNeighbour. */
  put(publicKey: Uint8Array, advertTimestamp: number, snrDb: number, nowSecs: number): void {
    const snr = (Math.trunc(Math.fround(snrDb) * 4) << 24) >> 24; // (int8_t)(snr * 4)
    let slot = this.slots.find((n) => same(n.publicKey, publicKey));
    if (!slot) {
      if (this.slots.length < MAX_NEIGHBOURS) {
        slot = { publicKey, advertTimestamp: 0, heardTimestamp: 0, snr: 0 };
        this.slots.push(slot);
      } else {
        slot = this.slots.reduce((a, b) => (b.heardTimestamp < a.heardTimestamp ? b : a));
      }
    }
    slot.publicKey = publicKey.slice();
    slot.advertTimestamp = advertTimestamp >>> 0;
    slot.heardTimestamp = nowSecs >>> 0;
    slot.snr = snr;
  }

  /** MyMesh::removeNeighbor: every entry whose key starts with the prefix. */
  remove(prefix: Uint8Array): void {
    for (let i = this.slots.length - 1; i >= 0; i--) {
      if (prefix.every((b, k) => this.slots[i].publicKey[k] === b)) this.slots.splice(i, 1);
    }
  }

  /** Entries heard (heard_timestamp > 0), as sorted for order_by 0 newest-first, 1 oldest-first, 2 strongest, 3 weakest. */
  list(orderBy = 0): NeighbourInfo[] {
    const l = this.slots.filter((n) => n.heardTimestamp > 0);
    if (orderBy === 0) l.sort((a, b) => b.heardTimestamp - a.heardTimestamp);
    else if (orderBy === 1) l.sort((a, b) => a.heardTimestamp - b.heardTimestamp);
    else if (orderBy === 2) l.sort((a, b) => b.snr - a.snr);
    else if (orderBy === 3) l.sort((a, b) => a.snr - b.snr);
    return l;
  }

  /** MyMesh::formatNeighborsReply: "AABBCCDD:secs_ago:snr4" lines, newest first, "-none-" when empty. */
  formatReply(nowSecs: number): string {
    let out = '';
    const l = this.list(0);
    for (let i = 0; i < l.length && out.length < 134; i++) {
      if (i > 0) out += '\n';
      const ago = ((nowSecs - l[i].heardTimestamp) >>> 0) | 0; // uint32 printed with %d
      out += `${toHex(l[i].publicKey.subarray(0, 4))}:${ago}:${l[i].snr}`;
    }
    return out === '' ? '-none-' : out;
  }

  /**
   * The entries of the REQ_TYPE_GET_NEIGHBOURS v0 answer (laid out by ../ota/request-data.ts
   * encodeNeighboursResponse): `count` entries from `offset` in the requested order, key prefixes clamped to 32 bytes,
   * as many as fit in the firmware's 130-byte results buffer; `total` is the number of neighbours heard.
   */
  replyEntries(count: number, offset: number, orderBy: number, prefixLen: number, nowSecs: number): { total: number; entries: NeighbourEntry[] } {
    const plen = Math.min(prefixLen, 32);
    const sorted = this.list(orderBy <= 3 ? orderBy : -1);
    const entries: NeighbourEntry[] = [];
    let used = 0;
    for (let index = 0; index < count && index + offset < sorted.length; index++) {
      const size = plen + 4 + 1;
      if (used + size > RESULTS_BUFFER_SIZE) break;
      const nb = sorted[index + offset];
      entries.push({ keyPrefix: nb.publicKey.subarray(0, plen), heardSecsAgo: (nowSecs - nb.heardTimestamp) >>> 0, snrX4: nb.snr });
      used += size;
    }
    return { total: sorted.length, entries };
  }
}
