/**
 * The dedupe table, as src/helpers/SimpleMeshTables.h: a ring of the last 160 (128 + 32) packet hashes of 8 bytes
 * (ota/packet.ts packetHash: payload type ‖ payload, path excluded, so the same packet relayed along another path is
 * a duplicate). wasSeen counts duplicates by route (the repeater's direct_dups / flood_dups); markSeen overwrites
 * the oldest slot. A linear scan as the firmware does: 160 × 8 bytes is cheaper to compare than a Map is to keep in
 * step with the ring.
 */
import { MAX_HASH_SIZE, isDirect, packetHash, type McPacket } from '../ota/packet.js';

export const MAX_PACKET_HASHES = 128 + 32;

export class MeshTables {
  private readonly hashes = new Uint8Array(MAX_PACKET_HASHES * MAX_HASH_SIZE);
  private nextIdx = 0;
  directDups = 0;
  floodDups = 0;
  /**
   * The hash of each packet object asked about: wasSeen then markSeen of one packet hash it once (SHA-256 is most
   * of the table's cost). Safe because the mesh never mutates a packet: a changed path is a new object.
   */
  private readonly hashCache = new WeakMap<McPacket, Uint8Array>();

  hashOf(packet: McPacket): Uint8Array {
    let h = this.hashCache.get(packet);
    if (!h) {
      h = packetHash(packet);
      this.hashCache.set(packet, h);
    }
    return h;
  }

  /** SimpleMeshTables::wasSeen: counts a duplicate when seen. */
  wasSeen(packet: McPacket, hash: Uint8Array = this.hashOf(packet)): boolean {
    if (this.indexOf(hash) < 0) return false;
    if (isDirect(packet)) this.directDups++;
    else this.floodDups++;
    return true;
  }

  markSeen(packet: McPacket, hash: Uint8Array = this.hashOf(packet)): void {
    this.hashes.set(hash.subarray(0, MAX_HASH_SIZE), this.nextIdx * MAX_HASH_SIZE);
    this.nextIdx = (this.nextIdx + 1) % MAX_PACKET_HASHES;
  }

  /** SimpleMeshTables::clear: forgets one packet (its slot is zeroed). */
  clear(packet: McPacket): void {
    const i = this.indexOf(this.hashOf(packet));
    if (i >= 0) this.hashes.fill(0, i * MAX_HASH_SIZE, (i + 1) * MAX_HASH_SIZE);
  }

  resetStats(): void {
    this.directDups = this.floodDups = 0;
  }

  private indexOf(hash: Uint8Array): number {
    const h = this.hashes;
    outer: for (let i = 0, o = 0; i < MAX_PACKET_HASHES; i++, o += MAX_HASH_SIZE) {
      for (let k = 0; k < MAX_HASH_SIZE; k++) if (h[o + k] !== hash[k]) continue outer;
      return i;
    }
    return -1;
  }
}
