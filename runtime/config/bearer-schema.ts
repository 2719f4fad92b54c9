/**
 * Schema pieces the bearer sections share (runtime/bearers/<kind>/<kind>-config.ts): bearer names and companion
 * radio devices.
 */
import { checkHost, parseHostPort } from './host-port.js';
import { fail, INVALID, str, type Check } from './schema-kit.js';

export const bearerName = str({ max: 32, pattern: /^[a-z][a-z0-9_-]*$/, hint: 'must be lowercase letters, digits, - or _, starting with a letter' });

const DEVICE_SCHEMES = ['tcp', 'ble'];

/**
 * A companion radio, in the forms the bearers' device openers take (runtime/bearers/meshtastic/device-opener.ts,
 * runtime/bearers/meshcore/device-opener.ts): a serial path (`/dev/ttyUSB0`, `./pty`, `COM3`), `host[:port]` or
 * `tcp://host[:port]` for the firmware's TCP API, or `ble://<address or name>`.
 */
export const companionDevice: Check = (value, path, issues) => {
  const s = str({ max: 512 })(value, path, issues);
  if (s === INVALID) return INVALID;
  const d = (s as string).trim();
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(d);
  if (m && !DEVICE_SCHEMES.includes(m[1].toLowerCase())) {
    return fail(issues, path, `unknown device scheme "${m[1]}://" (a serial path such as /dev/ttyUSB0, host:port, ${DEVICE_SCHEMES.map((x) => `${x}://`).join(' or ')})`);
  }
  if (m && m[2] === '') return fail(issues, path, `"${d}" names no device after ${m[1]}://`);
  if (m?.[1].toLowerCase() === 'ble') return d;
  if (!m && (d.startsWith('/') || d.startsWith('.') || /^COM\d+$/i.test(d))) return d;
  if (!m && /^(tty|cu\.)/.test(d)) return fail(issues, path, `"${d}" looks like a serial device name; give its path, e.g. /dev/${d}`);
  const hp = parseHostPort(m ? m[2] : d);
  if (typeof hp === 'string') {
    // No port is fine: the bearer uses the firmware's default TCP port.
    const hostOnly = checkHost(m ? m[2] : d);
    if (hostOnly === undefined) return d;
    // With a port, what is wrong with host:port says more than what is wrong with it as a bare host.
    return fail(issues, path, `"${d}" is neither a serial path (/dev/ttyUSB0) nor host[:port] (${/:\d+$/.test(m ? m[2] : d) ? hp : hostOnly})`);
  }
  if (hp.host === undefined) return fail(issues, path, `"${d}" needs a host before the port, e.g. 192.168.1.30:${hp.port}`);
  return d;
};

/** `meshtastic: [/dev/ttyUSB0]`: a companion radio given by its device alone. */
export const companionShorthand = (v: unknown) => (typeof v === 'string' ? { device: v } : undefined);

/** The merged entries of a list section, each with its name (`<section><index>` unless given). */
export function namedEntries<T extends { name?: string }>(section: string, entries: T[]): Array<T & { name: string }> {
  return entries.map((e, i) => ({ ...e, name: e.name ?? `${section}${i}` }));
}

/** Whether one layer's value of a list section names at least one radio. */
export function listGiven(layer: unknown): boolean {
  return Array.isArray(layer) && layer.length > 0;
}
