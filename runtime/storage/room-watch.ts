/**
 * After a write failed for want of room: fire a retry after `ms`, or as soon as room visibly returned, whichever
 * comes first. Checks once a second, and cheaply (statfs, /proc/self/limits), what a retry would otherwise have to
 * find out by writing: each failed LMDB write also prints its error to stderr, so real retries back off (up to
 * 10 s, vault-budget.ts) while freed space is still noticed within a second.
 */
import { fileSizeLimit, freeBytes, NEARLY_FULL_BYTES, type WriteTarget } from './disk-full.js';

const CHECK_MS = 1_000;

interface Room {
  free: number | undefined;
  limit: number | undefined;
}

const roomOf = (target: WriteTarget): Room => ({ free: freeBytes(target.path), limit: target.file === undefined ? undefined : fileSizeLimit() });

function returned(before: Room, now: Room): boolean {
  if (now.limit !== before.limit) return true; // the file-size limit was lifted or changed
  return before.free !== undefined && now.free !== undefined && now.free >= before.free + NEARLY_FULL_BYTES;
}

/** Calls `fire` once, after `ms` or when room returned on `target`; returns a function that cancels it. */
export function retryWhenRoom(target: WriteTarget, ms: number, fire: () => void): () => void {
  const before = roomOf(target);
  const due = Date.now() + ms;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    timer = undefined;
    if (Date.now() >= due || returned(before, roomOf(target))) {
      fire();
      return;
    }
    timer = setTimeout(tick, Math.min(CHECK_MS, Math.max(0, due - Date.now())));
  };
  timer = setTimeout(tick, Math.min(CHECK_MS, ms));
  return () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
}
