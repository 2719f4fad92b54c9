/**
 * Neighbours heard on this LoRa channel: 4-byte link prefix → full node id (learned from adverts), last time heard.
 * A neighbour is reachable while heard within `windowMs`; peer up/down transitions are reported to `onChange`.
 */
import { prefixKey } from './link-frame.js';

export interface Neighbour {
  id: Uint8Array;
  hex: string;
  lastHeard: number;
  up: boolean;
  /** Its last advert listed our prefix: it holds our full key (we may leave our key out of unicast to it). */
  knowsUs: boolean;
  /** When we last answered one of its adverts with ours (adverts.ts), at most once per advertMinSpacingMs. */
  answeredAt?: number;
  /** Its last advert said it speaks link version 2 (v2/v2-frame.ts): we may send it v2 frames. */
  v2?: boolean;
  rssi?: number;
  snr?: number;
}

export class PeerTable {
  private readonly byPrefix = new Map<string, Neighbour>();

  constructor(
    readonly windowMs: number,
    private readonly now: () => number,
    private readonly onChange: (n: Neighbour) => void,
  ) {}

  /** An advert: binds the prefix to the full id (a later advert with another id for the same prefix replaces it). */
  learn(id: Uint8Array, rssi?: number, snr?: number): Neighbour {
    const key = prefixKey(id);
    const hex = Buffer.from(id).toString('hex');
    let n = this.byPrefix.get(key);
    if (n && n.hex !== hex) {
      if (n.up) {
        n.up = false;
        this.onChange(n);
      }
      n = undefined;
    }
    if (!n) {
      n = { id: new Uint8Array(id), hex, lastHeard: 0, up: false, knowsUs: false };
      this.byPrefix.set(key, n);
    }
    this.heard(n, rssi, snr);
    return n;
  }

  /** Any frame from a prefix: refreshes a known neighbour; undefined when the prefix has not advertised yet. */
  touch(prefix: Uint8Array, rssi?: number, snr?: number): Neighbour | undefined {
    const n = this.byPrefix.get(prefixKey(prefix));
    if (n) this.heard(n, rssi, snr);
    return n;
  }

  /** The neighbour for a full node id (hex) if it is up. */
  reachable(hex: string): Neighbour | undefined {
    if (hex.length !== 64) return undefined;
    const n = this.byPrefix.get(hex.slice(0, 8));
    return n && n.hex === hex && n.up && this.now() - n.lastHeard <= this.windowMs ? n : undefined;
  }

  up(): Neighbour[] {
    return [...this.byPrefix.values()].filter((n) => n.up);
  }

  /** Neighbours that are up, most recently heard first. */
  recent(): Neighbour[] {
    return this.up().sort((a, b) => b.lastHeard - a.lastHeard);
  }

  /** Marks neighbours not heard within the window down. */
  sweep(): void {
    const horizon = this.now() - this.windowMs;
    for (const n of this.byPrefix.values()) {
      if (n.up && n.lastHeard < horizon) {
        n.up = false;
        this.onChange(n);
      }
    }
  }

  clear(): void {
    for (const n of this.byPrefix.values()) {
      if (n.up) {
        n.up = false;
        this.onChange(n);
      }
    }
    this.byPrefix.clear();
  }

  private heard(n: Neighbour, rssi?: number, snr?: number): void {
    n.lastHeard = this.now();
    n.rssi = rssi;
    n.snr = snr;
    if (!n.up) {
      n.up = true;
      this.onChange(n);
    }
  }
}
