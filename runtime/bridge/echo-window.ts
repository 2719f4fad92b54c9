/**
 * A window of recently bridged content, so text the bridge sent is not bridged again when it comes back (a
 * repeater echo, another bridge, a bot that repeats). Keys are SHA-256 of the normalised core text; entries expire
 * after `ttlMs` and the window holds at most `max` entries (oldest evicted).
 */
import { createHash } from 'node:crypto';
import { coreText } from './attribution.js';

export class EchoWindow {
  private readonly seen = new Map<string, number>();

  constructor(private readonly ttlMs = 10 * 60_000, private readonly max = 2048, private readonly now: () => number = Date.now) {}

  private key(text: string): string {
    return createHash('sha256').update(coreText(text)).digest('base64');
  }

  /** Remembers content that went out (or came in and was bridged). */
  remember(text: string): void {
    const k = this.key(text);
    this.seen.delete(k);
    this.seen.set(k, this.now() + this.ttlMs);
    while (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value!);
  }

  /** True when the same content was bridged within the window. */
  has(text: string): boolean {
    const k = this.key(text);
    const until = this.seen.get(k);
    if (until === undefined) return false;
    if (until < this.now()) {
      this.seen.delete(k);
      return false;
    }
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}
