/**
 * The dashboard's login: a browser cannot send `Authorization: Bearer`, so after the token is typed once the relay
 * sets an HttpOnly cookie that stands for it. The cookie's value is an HMAC of a fixed label keyed with the token:
 * it needs no session table, survives a relay restart (the login survives a reload and a reboot), changes when the
 * token changes (every old login ends), and does not reveal the token. The token itself is never in the cookie,
 * never in `document.cookie` (HttpOnly) and never in web storage (the page never sees it after the form).
 *
 * SameSite=Strict keeps other sites' pages from riding the cookie; writes also need `application/json`, which a
 * cross-site page cannot send without a preflight this API never approves.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'lattice_session';
/** How long a login lasts in the browser (30 days). */
export const SESSION_MAX_AGE_S = 30 * 24 * 3600;
const LABEL = 'lattice dashboard session v1';

export class SessionCookie {
  private readonly value: Buffer;

  constructor(token: string) {
    this.value = createHmac('sha256', token).update(LABEL).digest();
  }

  /** The Set-Cookie header that logs the browser in. */
  setHeader(): string {
    return `${SESSION_COOKIE}=${this.value.toString('base64url')}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_MAX_AGE_S}`;
  }

  /** Whether the request's Cookie header carries this login. */
  matches(cookieHeader: string | undefined): boolean {
    const got = cookieValue(cookieHeader, SESSION_COOKIE);
    if (got === undefined) return false;
    const bytes = Buffer.from(got, 'base64url');
    return bytes.length === this.value.length && timingSafeEqual(bytes, this.value);
  }
}

/** The Set-Cookie header that logs the browser out. */
export function clearSessionHeader(): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
}

/** One cookie's value from a Cookie header (RFC 6265 §5.4 `name=value; name=value`). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
