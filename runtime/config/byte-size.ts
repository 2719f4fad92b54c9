/**
 * Byte sizes in config: a number of bytes, or a string with a unit — `512KiB`, `64MiB`, `1GiB` (powers of 1024),
 * `500kB`, `2MB`, `1GB` (powers of 1000), `4096B`. Units are case-insensitive except that `b` alone means bytes.
 */
const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

/** Bytes from a number or a sized string; a message string when malformed. */
export function parseByteSize(value: unknown): number | string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) return `must be a whole number of bytes ≥ 0, got ${value}`;
    return value;
  }
  if (typeof value !== 'string') return `must be a byte size such as 67108864 or "64MiB", got ${describe(value)}`;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!m) return `"${value}" is not a byte size (e.g. "64MiB", "1GB", 4096)`;
  const unit = m[2].toLowerCase() || 'b';
  const factor = UNITS[unit];
  if (factor === undefined) return `unknown unit "${m[2]}" in "${value}" (B, kB, MB, GB, KiB, MiB, GiB)`;
  const bytes = Math.round(Number(m[1]) * factor);
  if (!Number.isSafeInteger(bytes)) return `"${value}" is too large`;
  return bytes;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return `${typeof value} ${String(value)}`;
}
