/**
 * IPv4 addresses as adverts carry them (4 bytes) and the LAN addresses a relay advertises and broadcasts to.
 * The IP bearer speaks IPv4 only: its UDP socket is `udp4`, and LAN broadcast discovery has no IPv6 equivalent.
 */
import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';

export function ipv4ToBytes(address: string, out: Uint8Array, offset: number): void {
  if (!isIPv4(address)) throw new RangeError(`"${address}" is not an IPv4 address`);
  const parts = address.split('.');
  for (let i = 0; i < 4; i++) out[offset + i] = Number(parts[i]);
}

export function ipv4FromBytes(bytes: Uint8Array, offset: number): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** Node reports IPv4-mapped IPv6 source addresses on dual-stack sockets; compare plain dotted quads. */
export function normalizeIpv4(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export interface LocalInterface {
  address: string;
  /** Directed broadcast address of the subnet (address | ~netmask). */
  broadcast: string;
  internal: boolean;
}

/** IPv4 addresses of this machine, external ones first. */
export function localIpv4Interfaces(): LocalInterface[] {
  const out: LocalInterface[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const ni of list ?? []) {
      if (ni.family !== 'IPv4') continue;
      const a = ni.address.split('.').map(Number);
      const m = ni.netmask.split('.').map(Number);
      const b = a.map((x, i) => (x | (~m[i]! & 0xff)) & 0xff).join('.');
      out.push({ address: ni.address, broadcast: b, internal: ni.internal });
    }
  }
  out.sort((x, y) => Number(x.internal) - Number(y.internal));
  return out;
}
