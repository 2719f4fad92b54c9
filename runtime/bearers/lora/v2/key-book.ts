/**
 * Key book: the full node ids this relay has learned on LoRa (adverts, v2 frames that carried a key in full, bundles
 * it sent), found by their 2-byte key hint, 1-byte link hint and 16-bit custody hint; and, per neighbour, which keys
 * it is known to hold (so a v2 frame to it may carry hints instead of keys).
 *
 * Bounded (`max` keys, least recently learned dropped first), so a flood of invented keys costs memory once.
 */
import { shortId } from '../../../identity/short-id.js';
import { custodyHint, keyHint, linkHint } from './hints.js';

interface Entry {
  id: Uint8Array;
  hex: string;
  shortId: string;
}

export class KeyBook {
  private readonly byHex = new Map<string, Entry>();
  /** Neighbour hex (or '*' for everyone in range) → key hexes it holds. */
  private readonly holds = new Map<string, Set<string>>();

  constructor(private readonly max = 4096, private readonly maxHeldPerNeighbour = 1024) {}

  learn(id: Uint8Array): void {
    if (id.length !== 32) return;
    const hex = Buffer.from(id).toString('hex');
    const had = this.byHex.get(hex);
    if (had) {
      this.byHex.delete(hex);
      this.byHex.set(hex, had);
      return;
    }
    if (this.byHex.size >= this.max) this.byHex.delete(this.byHex.keys().next().value!);
    this.byHex.set(hex, { id: new Uint8Array(id), hex, shortId: shortId(id) });
  }

  get size(): number {
    return this.byHex.size;
  }

  byKeyHint(hint: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const e of this.byHex.values()) if (keyHint(e.id) === hint) out.push(e.id);
    return out;
  }

  byLinkHint(hint: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const e of this.byHex.values()) if (linkHint(e.id) === hint) out.push(e.id);
    return out;
  }

  shortIdsByHint(hint: number): string[] {
    const out: string[] = [];
    for (const e of this.byHex.values()) if (custodyHint(e.shortId) === hint) out.push(e.shortId);
    return out;
  }

  /** Records that `neighbour` ('*': every neighbour in range) holds key `id`. */
  holdsKey(neighbour: string, id: Uint8Array): void {
    let s = this.holds.get(neighbour);
    if (!s) this.holds.set(neighbour, (s = new Set()));
    if (s.size >= this.maxHeldPerNeighbour) s.delete(s.values().next().value!);
    s.add(Buffer.from(id).toString('hex'));
  }

  knows(neighbour: string, id: Uint8Array): boolean {
    const hex = Buffer.from(id).toString('hex');
    return neighbour === hex || this.holds.get(neighbour)?.has(hex) === true || this.holds.get('*')?.has(hex) === true;
  }

  clear(): void {
    this.byHex.clear();
    this.holds.clear();
  }
}
