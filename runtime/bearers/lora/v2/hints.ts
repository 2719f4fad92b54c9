/**
 * Hints: the few bytes of a name that Lattice v2 puts on the air instead of the name.
 *
 * - link hint (1 B): first byte of a neighbour's node id. Addresses the link; a collision between two neighbours
 *   (1/256 per pair) costs a failed MAC check at the wrong one (receivers try every candidate key).
 * - key hint (2 B): first two bytes of a node id, for the origin and the final recipient. A receiver resolves it
 *   from its key book (keys learned from adverts and from frames that carried a key in full) and tries every key
 *   with that hint: the AEAD tag (DM) or the MACs (broadcast) say which one it was.
 * - custody hint (2 B): the top 16 bits of a relay's short id (the 60-bit value its 12 base32 characters spell),
 *   re-expanded to the short id by the next relay where it knows one with those bits.
 */
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export const linkHint = (nodeId: Uint8Array): number => nodeId[0]!;
export const keyHint = (nodeId: Uint8Array): number => (nodeId[0]! << 8) | nodeId[1]!;

/** Top 16 bits of a short id's 60-bit value: its first three characters (15 bits) and the high bit of the fourth. */
export function custodyHint(shortId: string): number {
  let v = 0;
  for (let i = 0; i < 4; i++) v = v * 32 + BASE32.indexOf(shortId[i]!);
  return v >>> 4;
}

/**
 * The short id an unresolved custody hint stands for in a bundle: its 16 known bits, then zero bits ("aaaaaaaa" and
 * most of a fourth character). It keeps the same hint on the next hop, so the path keeps its shape; `lattice trace`
 * shows it as it is. A real short id with those very bits is a 2^-44 coincidence.
 */
export function unresolvedShortId(hint: number): string {
  const v = hint << 4; // 20 bits: 4 characters
  let s = '';
  for (let i = 3; i >= 0; i--) s += BASE32[(v >>> (5 * i)) & 31];
  return `${s}aaaaaaaa`;
}
