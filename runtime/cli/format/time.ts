/** Times and durations for humans, and durations from humans (`90s`, `10m`, `2h`, `7d`). */

const UNITS: [number, string][] = [
  [86_400, 'd'],
  [3600, 'h'],
  [60, 'm'],
  [1, 's'],
];

/** `3d 4h`, `12m 5s`, `42s`: the two largest non-zero units. */
export function formatDuration(seconds: number): string {
  let s = Math.max(0, Math.floor(seconds));
  if (s === 0) return '0s';
  const parts: string[] = [];
  for (const [size, unit] of UNITS) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** `5m ago`, `in 2d 3h`. */
export function relative(at: number, now: number): string {
  const d = (at - now) / 1000;
  if (Math.abs(d) < 1) return 'just now';
  return d < 0 ? `${formatDuration(-d)} ago` : `in ${formatDuration(d)}`;
}

/** `2026-11-22 15:04:05` in local time. */
export function formatTime(at: number): string {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds from `500ms`, `90s`, `10m`, `2h`, `7d`, `1w` (or a combination: `1h30m`); undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) total += Number(m[1]) * DURATION_UNITS[m[2]];
  return Math.round(total);
}

/** A point in time from a duration ago (`1h`), an ISO date, or epoch milliseconds; undefined when malformed. */
export function parseSince(text: string, now: number): number | undefined {
  const ago = parseDuration(text);
  if (ago !== undefined) return now - ago;
  if (/^\d{10,15}$/.test(text.trim())) return Number(text.trim());
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const t = Date.parse(text.trim());
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}
