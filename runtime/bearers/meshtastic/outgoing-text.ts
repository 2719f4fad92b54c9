/**
 * What a bundle becomes on the Meshtastic mesh: its UTF-8 body as text, prefixed with the foreign sender's name
 * when it came from another mesh (`origin`), split into packet-sized pieces. Each piece gets a packet id derived
 * from the bundle signature, so a resend after a reconnect carries the same (from, id) and every Meshtastic node
 * drops it as a duplicate (PacketHistory) instead of showing it twice.
 */
import { bundleTextKey } from '../../bundle/elided-signature.js';
import { createHash } from 'node:crypto';
import { maxPayloadBytes } from '../../../firmware-protocol/meshtastic/payload-limits.js';
import { splitUtf8 } from '../../../lib/text/split-utf8.js';
import type { Bundle } from '../../bundle/bundle.js';

/** More pieces than this and the text is cut (a LoRa mesh is no place for long documents). */
export const MAX_PIECES = 4;

export function bundleText(bundle: Bundle, options: { prefixOrigin?: boolean } = {}): string {
  const body = new TextDecoder('utf-8', { fatal: false }).decode(bundle.body);
  const who = bundle.origin ? bundle.origin.name || bundle.origin.id : undefined;
  return who && (options.prefixOrigin ?? true) ? `${who}: ${body}` : body;
}

export function textPieces(text: string, direct: boolean): string[] {
  const max = maxPayloadBytes(direct);
  const pieces = splitUtf8(text, max);
  if (pieces.length <= MAX_PIECES) return pieces;
  const kept = pieces.slice(0, MAX_PIECES);
  const last = splitUtf8(kept[MAX_PIECES - 1]!, max - 3)[0]!;
  kept[MAX_PIECES - 1] = `${last}…`;
  return kept;
}

/** Stable non-zero packet id for piece `index` of a bundle. */
export function packetIdFor(bundle: Bundle, index: number): number {
  return packetIdForKey(bundleTextKey(bundle), index);
}

/** Stable non-zero packet id for piece `index` of a text whose identity is `key` (RadioText.key). */
export function packetIdForKey(key: Uint8Array, index: number): number {
  const h = createHash('sha256').update(key).update(Uint8Array.of(index)).digest();
  const id = h.readUInt32LE(0);
  return id === 0 ? 1 : id;
}
