/**
 * Frames in debug logs: lowercase hex, bytes separated by spaces so a line can be pasted into a protocol decoder,
 * cut after `max` bytes with the total length kept (a 64 KiB bundle must not become a 190 KB log line).
 */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function hexDump(bytes: Uint8Array, max = 256): string {
  const n = Math.min(bytes.length, max);
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = HEX[bytes[i]];
  const s = parts.join(' ');
  return bytes.length > n ? `${s} …(+${bytes.length - n} bytes)` : s;
}
