/**
 * `mqtt://user:secret@broker` -> `mqtt://user:********@broker`, for `lattice config` and for messages about a URL
 * (`lattice config` output and config errors end up in logs and bug reports). Text that is not a valid URL is
 * masked from the first `:` after `scheme://` to the last `@`, which covers every way a password can be written.
 */
export const MASK = '********';

export function maskUrlPassword(text: string): string {
  try {
    const u = new URL(text);
    if (u.password === '') return text;
    u.password = MASK;
    return u.toString();
  } catch {
    const start = text.indexOf('://');
    const at = text.lastIndexOf('@');
    if (start < 0 || at < start) return text;
    const colon = text.indexOf(':', start + 3);
    if (colon < 0 || colon > at) return text;
    return `${text.slice(0, colon + 1)}${MASK}${text.slice(at)}`;
  }
}
