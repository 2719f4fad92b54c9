/** Byte counts for people: powers of 1024 with the config's units (`vault.maxBytes: 256MiB` shows as 256 MiB). */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : Number(v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0))} ${UNITS[u]}`;
}
