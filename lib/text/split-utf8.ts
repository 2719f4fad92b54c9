/**
 * The one UTF-8 text splitter: cuts a text into pieces of at most `maxBytes` UTF-8 bytes for a mesh's per-message
 * limit (MeshCore: 160-byte MAX_TEXT_LEN; Meshtastic: the Data payload, ~233 bytes on a channel, ~220 in a PKI DM).
 *
 * - Cuts fall on grapheme-cluster boundaries (Intl.Segmenter), so an emoji, a flag or a ZWJ family is never torn in
 *   two and no reader sees U+FFFD. Only a single grapheme larger than `maxBytes` (a pathological stack of combining
 *   marks) is cut, between its code points: there is no other way to carry it, and nothing is lost.
 * - A cut prefers to fall just after the last whitespace when that keeps at least half the budget used, so words stay
 *   whole without wasting airtime on half-empty packets.
 * - The pieces concatenate to exactly `text`: the whitespace stays at the end of the piece before the cut.
 */

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const WHITESPACE = /^\s+$/u;

export const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

export function splitUtf8(text: string, maxBytes: number): string[] {
  // 4 bytes is the longest code point: below that some texts could not be split at all.
  if (!Number.isInteger(maxBytes) || maxBytes < 4) throw new RangeError(`maxBytes ${maxBytes} must be an integer ≥ 4`);
  if (utf8Length(text) <= maxBytes) return [text];
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  let afterSpace = -1; // index in `piece` just after its last whitespace
  const add = (unit: string, unitBytes: number, breakable: boolean) => {
    if (bytes + unitBytes > maxBytes) {
      if (afterSpace > 0 && utf8Length(piece.slice(0, afterSpace)) >= maxBytes / 2) {
        pieces.push(piece.slice(0, afterSpace));
        piece = piece.slice(afterSpace);
      } else {
        pieces.push(piece);
        piece = '';
      }
      bytes = utf8Length(piece);
      afterSpace = -1;
    }
    piece += unit;
    bytes += unitBytes;
    if (breakable) afterSpace = piece.length;
  };
  for (const { segment } of segmenter.segment(text)) {
    const n = utf8Length(segment);
    if (n <= maxBytes) add(segment, n, WHITESPACE.test(segment));
    else for (const cp of segment) add(cp, utf8Length(cp), false);
  }
  if (piece) pieces.push(piece);
  return pieces;
}
