/**
 * Splits text into pieces of at most `maxBytes` UTF-8 bytes, never inside a code point, preferring to break after
 * whitespace in the last quarter of a piece. Meshtastic carries at most ~232 bytes of text per packet on a channel
 * and ~220 in a PKI DM (see messages.ts dataFits).
 */
export function splitUtf8(text: string, maxBytes: number): string[] {
  if (!Number.isInteger(maxBytes) || maxBytes < 4) throw new RangeError(`maxBytes ${maxBytes} must be an integer ≥ 4`);
  const enc = new TextEncoder();
  if (enc.encode(text).length <= maxBytes) return [text];
  const out: string[] = [];
  const cps = Array.from(text);
  let piece = '';
  let bytes = 0;
  let lastSpace = -1; // index in `piece` (string) just after a whitespace
  for (const cp of cps) {
    const n = enc.encode(cp).length;
    if (bytes + n > maxBytes) {
      if (lastSpace > 0 && enc.encode(piece.slice(0, lastSpace)).length >= (maxBytes * 3) / 4) {
        out.push(piece.slice(0, lastSpace));
        piece = piece.slice(lastSpace);
      } else {
        out.push(piece);
        piece = '';
      }
      bytes = enc.encode(piece).length;
      lastSpace = -1;
    }
    piece += cp;
    bytes += n;
    if (/\s/u.test(cp)) lastSpace = piece.length;
  }
  if (piece) out.push(piece);
  return out;
}
