/**
 * Which web pages may talk to the relay's Meshtastic HTTP API from a browser. The firmware answers every origin
 * (`Access-Control-Allow-Origin: *`): then any web site a person on the relay's machine or LAN visits could read the
 * node's messages and send it admin packets (the API has no token on loopback, like meshtasticd's). Here the pages
 * that run the official client are let in — https://client.meshtastic.org and pages served from this machine or the
 * LAN (a self-hosted meshtastic/web) — and a request from any other page is refused before it touches the device.
 * Clients that are not browsers send no Origin and are not concerned.
 */
import { isIP } from 'node:net';
import { isLoopbackHost } from '../config/host-port.js';

/** The official web client's home. */
export const OFFICIAL_WEB_CLIENT = 'https://client.meshtastic.org';

/** Whether a browser page of `origin` (the Origin header) may use the API. */
export function webClientOriginAllowed(origin: string): boolean {
  if (origin === OFFICIAL_WEB_CLIENT) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return isLoopbackHost(host) || isPrivateAddress(host) || /\.(local|lan|home\.arpa)$/.test(host);
}

/** RFC 1918, link-local and IPv6 unique-local / link-local addresses: pages served on the LAN. */
function isPrivateAddress(host: string): boolean {
  if (isIP(host) === 4) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  if (isIP(host) === 6) return /^f[cd][0-9a-f]{2}:/.test(host) || /^fe[89ab][0-9a-f]:/.test(host);
  return false;
}
