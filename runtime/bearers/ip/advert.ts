/**
 * Signed adverts: a relay's statement "node id N is reachable at these IPv4 addresses, UDP port U, TCP port T, as of
 * time S", signed with N's Ed25519 key. Adverts travel in HELLO (first-hand) and PEERS (gossip) datagrams; a
 * receiver keeps the highest S per node and ignores lower ones as replays (see advert-book.ts).
 *
 *   0      u8    advert format version (1)
 *   1      32    node id (Ed25519 public key)
 *   33     u64   issuedAt: ms since the Unix epoch, strictly increasing per node (it doubles as the sequence)
 *   41     u16   UDP port
 *   43     u16   TCP port
 *   45     u8    address count n (1..16)
 *   46     n×5   u8 family (4) + 4 address bytes
 *   46+5n  64    Ed25519 signature over DOMAIN || bytes[0 .. 46+5n)
 *
 * The domain string keeps an advert signature from ever being valid as any other Lattice signature (bundles,
 * blooms, TCP handshakes, MQTT envelopes).
 */
import type { Identity } from '../../identity/identity.js';
import { domainSeparated, verifySignature } from '../../identity/signature.js';
import { IpDecodeError } from './errors.js';
import { ipv4FromBytes, ipv4ToBytes } from './ipv4.js';

export const ADVERT_VERSION = 1;
export const MAX_ADVERT_ADDRESSES = 16;
const DOMAIN = new TextEncoder().encode('lattice/ip-advert/v1\0');
const FAMILY_IPV4 = 4;
const HEAD = 46;
const SIG = 64;

export interface AdvertFields {
  issuedAt: number;
  udpPort: number;
  tcpPort: number;
  addresses: string[];
}

export interface Advert extends AdvertFields {
  nodeId: Uint8Array;
  nodeIdHex: string;
  signature: Uint8Array;
  /** The whole encoded advert, as signed and as forwarded in PEERS. */
  bytes: Uint8Array;
}

function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`${name} ${port} is not a port 1..65535`);
}

/** Builds and signs this relay's advert. */
export function signAdvert(identity: Identity, fields: AdvertFields): Advert {
  checkPort('udpPort', fields.udpPort);
  checkPort('tcpPort', fields.tcpPort);
  if (!Number.isSafeInteger(fields.issuedAt) || fields.issuedAt < 0) throw new RangeError(`issuedAt ${fields.issuedAt} is not a ms timestamp`);
  const n = fields.addresses.length;
  if (n < 1 || n > MAX_ADVERT_ADDRESSES) throw new RangeError(`an advert names 1..${MAX_ADVERT_ADDRESSES} addresses, got ${n}`);
  const bytes = new Uint8Array(HEAD + 5 * n + SIG);
  const view = new DataView(bytes.buffer);
  bytes[0] = ADVERT_VERSION;
  bytes.set(identity.nodeId, 1);
  view.setBigUint64(33, BigInt(fields.issuedAt));
  view.setUint16(41, fields.udpPort);
  view.setUint16(43, fields.tcpPort);
  bytes[45] = n;
  for (let i = 0; i < n; i++) {
    bytes[HEAD + 5 * i] = FAMILY_IPV4;
    ipv4ToBytes(fields.addresses[i]!, bytes, HEAD + 5 * i + 1);
  }
  const bodyEnd = HEAD + 5 * n;
  const signature = identity.sign(domainSeparated(DOMAIN, bytes.subarray(0, bodyEnd)));
  bytes.set(signature, bodyEnd);
  return {
    ...fields,
    addresses: [...fields.addresses],
    nodeId: identity.nodeId,
    nodeIdHex: identity.nodeIdHex,
    signature: bytes.slice(bodyEnd),
    bytes,
  };
}

/**
 * Parses one advert starting at `offset`; returns it and the bytes it took. Throws IpDecodeError('malformed')
 * on anything that is not a well-formed advert. Does NOT check the signature: call verifyAdvert().
 */
export function decodeAdvert(buf: Uint8Array, offset = 0): { advert: Advert; length: number } {
  if (buf.length - offset < HEAD + 5 + SIG) throw new IpDecodeError('malformed', 'advert truncated');
  if (buf[offset] !== ADVERT_VERSION) throw new IpDecodeError('malformed', `advert version ${buf[offset]}, expected ${ADVERT_VERSION}`);
  const view = new DataView(buf.buffer, buf.byteOffset + offset);
  const n = buf[offset + 45]!;
  if (n < 1 || n > MAX_ADVERT_ADDRESSES) throw new IpDecodeError('malformed', `advert address count ${n}`);
  const length = HEAD + 5 * n + SIG;
  if (buf.length - offset < length) throw new IpDecodeError('malformed', 'advert truncated');
  const issued = view.getBigUint64(33);
  if (issued > BigInt(Number.MAX_SAFE_INTEGER)) throw new IpDecodeError('malformed', 'advert timestamp out of range');
  const udpPort = view.getUint16(41);
  const tcpPort = view.getUint16(43);
  if (udpPort === 0 || tcpPort === 0) throw new IpDecodeError('malformed', 'advert port 0');
  const addresses: string[] = [];
  for (let i = 0; i < n; i++) {
    const at = offset + HEAD + 5 * i;
    if (buf[at] !== FAMILY_IPV4) throw new IpDecodeError('malformed', `advert address family ${buf[at]}`);
    addresses.push(ipv4FromBytes(buf, at + 1));
  }
  const bytes = buf.slice(offset, offset + length);
  const nodeId = bytes.slice(1, 33);
  return {
    advert: {
      nodeId,
      nodeIdHex: Buffer.from(nodeId).toString('hex'),
      issuedAt: Number(issued),
      udpPort,
      tcpPort,
      addresses,
      signature: bytes.slice(length - SIG),
      bytes,
    },
    length,
  };
}

/** True when the advert's signature is valid for the node id it names. */
export function verifyAdvert(advert: Advert): boolean {
  const body = advert.bytes.subarray(0, advert.bytes.length - SIG);
  return verifySignature(advert.nodeId, domainSeparated(DOMAIN, body), advert.signature);
}
