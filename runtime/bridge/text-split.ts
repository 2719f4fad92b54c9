/**
 * Splitting long texts to fit a mesh's per-message limit without cutting anything silently.
 *
 * Limits are in UTF-8 bytes (MeshCore: 160-byte text in MAX_TEXT_LEN; Meshtastic: the Data payload, 233 bytes
 * after the 16-byte header and protobuf overhead). Cuts fall on grapheme-cluster boundaries (Intl.Segmenter), so
 * an emoji, a flag or a ZWJ family is never torn in two, and prefer the last space when one is near the end.
 * Each part carries a marker "(i/n) " so readers see that more follows; a single part carries none.
 */

export interface SplitOptions {
  /** Maximum UTF-8 bytes per message, marker and prefix included. */
  maxBytes: number;
  /** Text put before every part (e.g. the attribution `MT@Alice: `). */
  prefix?: string;
  /** Refuse to produce more parts than this (airtime); default 8. */
  maxParts?: number;
}

export class TextTooLongError extends Error {
  override name = 'TextTooLongError';
  constructor(readonly bytes: number, readonly maxParts: number) {
    super(`text of ${bytes} bytes needs more than ${maxParts} parts`);
  }
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const byteLen = (s: string) => Buffer.byteLength(s, 'utf8');

function markerFor(i: number, n: number): string {
  return `(${i}/${n}) `;
}

/** Greedy split of `text` into chunks of at most `budget(i)` bytes on grapheme boundaries. */
function chunk(graphemes: string[], budget: number): string[] {
  const parts: string[] = [];
  let cur = '';
  let curBytes = 0;
  let lastSpace = -1; // index in cur after which a space ends a word
  for (const g of graphemes) {
    const gb = byteLen(g);
    if (gb > budget) throw new RangeError(`a single character needs ${gb} bytes, over the ${budget}-byte budget`);
    if (curBytes + gb > budget) {
      // Prefer to break after the last space if it keeps at least half the budget used.
      if (lastSpace > 0 && byteLen(cur.slice(0, lastSpace)) >= budget / 2) {
        parts.push(cur.slice(0, lastSpace)); // keeps the space: parts concatenate to the exact text
        cur = cur.slice(lastSpace);
      } else {
        parts.push(cur);
        cur = '';
      }
      curBytes = byteLen(cur);
      lastSpace = -1;
    }
    cur += g;
    curBytes += gb;
    if (g === ' ') lastSpace = cur.length;
  }
  if (cur.length > 0 || parts.length === 0) parts.push(cur);
  return parts;
}

export function splitText(text: string, options: SplitOptions): string[] {
  const prefix = options.prefix ?? '';
  const maxParts = options.maxParts ?? 8;
  const room = options.maxBytes - byteLen(prefix);
  if (room <= 0) throw new RangeError(`prefix of ${byteLen(prefix)} bytes leaves no room in ${options.maxBytes} bytes`);
  if (byteLen(text) <= room) return [prefix + text];
  const graphemes = Array.from(segmenter.segment(text), (s) => s.segment);
  // The marker's width depends on the part count; iterate until the count is stable (at most a few rounds).
  let n = 2;
  for (let round = 0; round < 4; round++) {
    const budget = room - byteLen(markerFor(n, n));
    if (budget <= 0) throw new RangeError('no room left for text after prefix and part marker');
    const parts = chunk(graphemes, budget);
    if (parts.length > maxParts) throw new TextTooLongError(byteLen(text), maxParts);
    if (parts.length <= n || String(parts.length).length === String(n).length) {
      const total = parts.length;
      return parts.map((p, i) => `${prefix}${markerFor(i + 1, total)}${p}`);
    }
    n = parts.length;
  }
  throw new TextTooLongError(byteLen(text), maxParts);
}
