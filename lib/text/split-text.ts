/**
 * Splitting a long text into numbered messages for a mesh, without cutting anything silently: every part starts with
 * `prefix` (the attribution, `MT@Alice: `), then a marker `(i/n) ` so readers see that more follows (a single part
 * carries none), then a piece cut by splitUtf8 (grapheme-safe, prefers whitespace). More than `maxParts` parts is a
 * TextTooLongError, never a truncation.
 */
import { TextTooLongError } from '../errors.js';
import { splitUtf8, utf8Length } from './split-utf8.js';

export interface SplitOptions {
  /** Maximum UTF-8 bytes per message, marker and prefix included. */
  maxBytes: number;
  /** Text put before every part (e.g. the attribution `MT@Alice: `). */
  prefix?: string;
  /** Refuse to produce more parts than this (airtime); default 8. */
  maxParts?: number;
}

function markerFor(i: number, n: number): string {
  return `(${i}/${n}) `;
}

export function splitText(text: string, options: SplitOptions): string[] {
  const prefix = options.prefix ?? '';
  const maxParts = options.maxParts ?? 8;
  const room = options.maxBytes - utf8Length(prefix);
  if (room <= 0) throw new RangeError(`prefix of ${utf8Length(prefix)} bytes leaves no room in ${options.maxBytes} bytes`);
  if (utf8Length(text) <= room) return [prefix + text];
  // The marker's width depends on the part count; iterate until the count is stable (at most a few rounds).
  let n = 2;
  for (let round = 0; round < 4; round++) {
    const budget = room - utf8Length(markerFor(n, n));
    // splitUtf8 needs room for the longest code point (4 bytes).
    if (budget < 4) throw new RangeError('no room left for text after prefix and part marker');
    const parts = splitUtf8(text, budget);
    if (parts.length > maxParts) throw new TextTooLongError(utf8Length(text), maxParts);
    if (parts.length <= n || String(parts.length).length === String(n).length) {
      const total = parts.length;
      return parts.map((p, i) => `${prefix}${markerFor(i + 1, total)}${p}`);
    }
    n = parts.length;
  }
  throw new TextTooLongError(utf8Length(text), maxParts);
}
