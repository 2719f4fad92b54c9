/**
 * `host:port` addresses as written in config, environment and flags: `127.0.0.1:8080`, `relay.example.org:9333`,
 * `[::1]:8080` (IPv6 in brackets, as in URLs), or a bare port `8080` when the host is implied.
 */
import { isIP } from 'node:net';

export interface ParsedHostPort {
  host?: string;
  port: number;
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*\.?$/i;

/** Parses `host:port`, `[v6]:port` or `port`; returns a message string when malformed. */
export function parseHostPort(text: string): ParsedHostPort | string {
  const s = text.trim();
  if (/^\d+$/.test(s)) return checkPort(s) ?? { port: Number(s) };
  let host: string;
  let portText: string;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0 || s[close + 1] !== ':') return `${quote(text)} is not host:port (IPv6 addresses go in brackets: [::1]:8080)`;
    host = s.slice(1, close);
    portText = s.slice(close + 2);
    if (isIP(host) !== 6) return `${quote(host)} is not an IPv6 address`;
  } else {
    const colon = s.lastIndexOf(':');
    if (colon < 0) return `${quote(text)} is not host:port (e.g. 127.0.0.1:8080)`;
    host = s.slice(0, colon);
    portText = s.slice(colon + 1);
    if (host.includes(':')) return `${quote(text)}: put an IPv6 address in brackets, e.g. [::1]:8080`;
    const hostProblem = checkHost(host);
    if (hostProblem) return hostProblem;
  }
  const portProblem = checkPort(portText);
  if (portProblem) return portProblem;
  return { host, port: Number(portText) };
}

/** A message when `host` is neither an IP address nor a valid hostname. */
export function checkHost(host: string): string | undefined {
  if (host === '') return 'host is empty';
  if (isIP(host)) return undefined;
  // A name whose last label is a number is an IPv4 address to resolvers and URL parsers (inet_aton also takes
  // `1234`, `10.1` and `0x7f.1`): only a valid dotted quad is accepted, so 300.1.1.1 fails here and not at bind().
  const last = host.replace(/\.$/, '').split('.').pop()!;
  if (/^(\d+|0x[0-9a-f]*)$/i.test(last)) return `${quote(host)} is not a valid IPv4 address (four numbers 0..255)`;
  if (!HOSTNAME.test(host)) return `${quote(host)} is not a valid hostname or IP address`;
  return undefined;
}

/** A value in a message: quoted, control characters (a NUL byte) escaped. */
function quote(text: string): string {
  return JSON.stringify(text);
}

function checkPort(text: string): string | undefined {
  if (!/^\d{1,5}$/.test(text)) return `port ${quote(text)} is not a number`;
  const port = Number(text);
  if (port < 1 || port > 65535) return `port ${port} is out of range 1..65535`;
  return undefined;
}

/** Whether only this machine can reach a listener bound to `host`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '[::1]') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return /^::ffff:127\./.test(h);
}

/** `host:port` with IPv6 hosts bracketed, for URLs and messages. */
export function formatHostPort(hp: { host: string; port: number }): string {
  return isIP(hp.host) === 6 ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}
