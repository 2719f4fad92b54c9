/**
 * Stamps: the one number a Lattice v2 sender puts on the air for both its send time and its AEAD nonce.
 *
 * A stamp is a u32 count of seconds since 2024-01-01T00:00:00Z (lasts until 2160). Each sender hands out strictly
 * increasing stamps (runtime/bearers/lora/v2/stamp-allocator.ts: max(clock, last + 1), persisted ahead), so a stamp names one message of
 * one sender: it derives the DM nonce (never reused under the pairwise key) and the bundle's `sentAt`
 * (= stamp in ms since the Unix epoch), which every relay and the receiver then hash into the same bundle id.
 */
export const STAMP_EPOCH_MS = Date.UTC(2024, 0, 1);
export const MAX_STAMP = 0xffff_ffff;

export function stampToMs(stamp: number): number {
  return STAMP_EPOCH_MS + stamp * 1000;
}

/** The stamp a `sentAt` encodes, or undefined when that sentAt is not a whole second at or after the epoch. */
export function msToStamp(sentAt: number): number | undefined {
  const d = sentAt - STAMP_EPOCH_MS;
  if (d < 0 || d % 1000 !== 0) return undefined;
  const s = d / 1000;
  return s <= MAX_STAMP ? s : undefined;
}

/** The stamp for a wall-clock time (rounded down; clamped to the stamp range). */
export function stampAt(nowMs: number): number {
  return Math.min(MAX_STAMP, Math.max(0, Math.floor((nowMs - STAMP_EPOCH_MS) / 1000)));
}
