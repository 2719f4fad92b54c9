/**
 * UDP datagrams of the IP bearer: discovery (HELLO, PING, PONG, PEERS) and small Lattice frames (DATA), all on
 * the one port (9333 by default).
 *
 *   0  'L' 'T'  magic (0x4c 0x54): anything else on the port is not ours and is dropped, counted
 *   2  u8       datagram version (1)
 *   3  u8       type: 1 HELLO, 2 PING, 3 PONG, 4 PEERS, 5 DATA
 *   4  ...      body
 *
 *   HELLO  u8 flags (bit 0: want a HELLO back; bit 1: acknowledges BUNDLE frames, ack-codec.ts) | nonce 8 |
 *          capabilities | signed advert (advert.ts)
 *          capabilities = u8 n + n bytes runtime version (UTF-8) | u32 max frame bytes |
 *                         u8 count + count × (u8 n + n bytes bearer name)
 *   PING   sender node id 32 | nonce 8
 *   PONG   responder node id 32 | echoed nonce 8
 *   PEERS  u8 count | count × signed advert
 *   DATA   one Lattice frame (the rest of the datagram, ≥ 1 byte)
 *
 * Pure functions; decodeDatagram throws only IpDecodeError, whose `reason` labels the discard counter.
 */
import { decodeAdvert, type Advert } from './advert.js';
import { IpDecodeError } from './errors.js';

export const DATAGRAM_VERSION = 1;
export const DATAGRAM_HEADER_BYTES = 4;
/** Frames up to this size go by UDP, bigger ones by TCP: 1200 keeps a datagram under the 1280-byte IPv6 minimum
 * MTU and well under Ethernet's 1500, so it is never IP-fragmented. */
export const MAX_UDP_FRAME_BYTES = 1200;
export const MAX_DATAGRAM_BYTES = DATAGRAM_HEADER_BYTES + MAX_UDP_FRAME_BYTES;
export const NONCE_BYTES = 8;
const MAGIC0 = 0x4c;
const MAGIC1 = 0x54;
const MAX_TEXT = 32;
export const MAX_BEARERS = 16;

export const DatagramType = { hello: 1, ping: 2, pong: 3, peers: 4, data: 5 } as const;

export interface Capabilities {
  /** Runtime version (runtime/version.ts). */
  version: string;
  /** Largest Lattice frame this relay accepts. */
  maxFrameBytes: number;
  /** Bearer names this relay runs (`ip`, `mqtt`, `lora0`...). */
  bearers: string[];
  /** It acknowledges BUNDLE stream frames once durable (HELLO flag bit 1; older relays leave it clear). */
  acks?: boolean;
}

const FLAG_WANT_REPLY = 0x01;
const FLAG_ACKS = 0x02;

export type Datagram =
  | { type: 'hello'; wantReply: boolean; nonce: Uint8Array; capabilities: Capabilities; advert: Advert }
  | { type: 'ping'; nodeId: Uint8Array; nonce: Uint8Array }
  | { type: 'pong'; nodeId: Uint8Array; echo: Uint8Array }
  | { type: 'peers'; adverts: Advert[] }
  | { type: 'data'; payload: Uint8Array };

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

function header(type: number, bodyLength: number): Uint8Array {
  const out = new Uint8Array(DATAGRAM_HEADER_BYTES + bodyLength);
  out[0] = MAGIC0;
  out[1] = MAGIC1;
  out[2] = DATAGRAM_VERSION;
  out[3] = type;
  return out;
}

function checkBytes(name: string, b: Uint8Array, n: number): void {
  if (!(b instanceof Uint8Array) || b.length !== n) throw new RangeError(`${name} must be ${n} bytes`);
}

function encodeText(s: string): Uint8Array {
  const b = utf8.encode(s);
  if (b.length > MAX_TEXT) throw new RangeError(`"${s}" is over ${MAX_TEXT} bytes`);
  return b;
}

export function encodeDatagram(d: Datagram): Uint8Array {
  switch (d.type) {
    case 'hello': {
      checkBytes('nonce', d.nonce, NONCE_BYTES);
      const version = encodeText(d.capabilities.version);
      if (d.capabilities.bearers.length > MAX_BEARERS) throw new RangeError(`over ${MAX_BEARERS} bearers`);
      const bearers = d.capabilities.bearers.map(encodeText);
      const capLength = 1 + version.length + 4 + 1 + bearers.reduce((n, b) => n + 1 + b.length, 0);
      const out = header(DatagramType.hello, 1 + NONCE_BYTES + capLength + d.advert.bytes.length);
      let at = DATAGRAM_HEADER_BYTES;
      out[at++] = (d.wantReply ? FLAG_WANT_REPLY : 0) | (d.capabilities.acks ? FLAG_ACKS : 0);
      out.set(d.nonce, at);
      at += NONCE_BYTES;
      out[at++] = version.length;
      out.set(version, at);
      at += version.length;
      new DataView(out.buffer).setUint32(at, d.capabilities.maxFrameBytes);
      at += 4;
      out[at++] = bearers.length;
      for (const b of bearers) {
        out[at++] = b.length;
        out.set(b, at);
        at += b.length;
      }
      out.set(d.advert.bytes, at);
      return out;
    }
    case 'ping':
    case 'pong': {
      const nonce = d.type === 'ping' ? d.nonce : d.echo;
      checkBytes('node id', d.nodeId, 32);
      checkBytes('nonce', nonce, NONCE_BYTES);
      const out = header(DatagramType[d.type], 32 + NONCE_BYTES);
      out.set(d.nodeId, DATAGRAM_HEADER_BYTES);
      out.set(nonce, DATAGRAM_HEADER_BYTES + 32);
      return out;
    }
    case 'peers': {
      if (d.adverts.length > 255) throw new RangeError('over 255 adverts in one PEERS datagram');
      const out = header(DatagramType.peers, 1 + d.adverts.reduce((n, a) => n + a.bytes.length, 0));
      let at = DATAGRAM_HEADER_BYTES;
      out[at++] = d.adverts.length;
      for (const a of d.adverts) {
        out.set(a.bytes, at);
        at += a.bytes.length;
      }
      return out;
    }
    case 'data': {
      if (d.payload.length < 1 || d.payload.length > MAX_UDP_FRAME_BYTES) {
        throw new RangeError(`a DATA datagram carries 1..${MAX_UDP_FRAME_BYTES} bytes, got ${d.payload.length}`);
      }
      const out = header(DatagramType.data, d.payload.length);
      out.set(d.payload, DATAGRAM_HEADER_BYTES);
      return out;
    }
  }
}

/** PEERS datagrams for these adverts, each within MAX_DATAGRAM_BYTES. */
export function packPeers(adverts: Advert[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let batch: Advert[] = [];
  let size = DATAGRAM_HEADER_BYTES + 1;
  for (const a of adverts) {
    if (batch.length > 0 && (size + a.bytes.length > MAX_DATAGRAM_BYTES || batch.length === 255)) {
      out.push(encodeDatagram({ type: 'peers', adverts: batch }));
      batch = [];
      size = DATAGRAM_HEADER_BYTES + 1;
    }
    batch.push(a);
    size += a.bytes.length;
  }
  if (batch.length > 0) out.push(encodeDatagram({ type: 'peers', adverts: batch }));
  return out;
}

function malformed(message: string): IpDecodeError {
  return new IpDecodeError('malformed', message);
}

class Reader {
  at: number;
  constructor(readonly buf: Uint8Array, start: number) {
    this.at = start;
  }
  need(n: number, what: string): void {
    if (this.buf.length - this.at < n) throw malformed(`${what} truncated`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.at++]!;
  }
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const b = this.buf.slice(this.at, this.at + n);
    this.at += n;
    return b;
  }
  text(what: string): string {
    const n = this.u8(what);
    if (n > MAX_TEXT) throw malformed(`${what} longer than ${MAX_TEXT} bytes`);
    try {
      return fromUtf8.decode(this.bytes(n, what));
    } catch (err) {
      if (err instanceof IpDecodeError) throw err;
      throw malformed(`${what} is not UTF-8`);
    }
  }
  u32(what: string): number {
    this.need(4, what);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.at, 4).getUint32(0);
    this.at += 4;
    return v;
  }
  end(what: string): void {
    if (this.at !== this.buf.length) throw malformed(`${this.buf.length - this.at} trailing bytes after ${what}`);
  }
}

export function decodeDatagram(buf: Uint8Array): Datagram {
  if (!(buf instanceof Uint8Array) || buf.length < DATAGRAM_HEADER_BYTES || buf[0] !== MAGIC0 || buf[1] !== MAGIC1) {
    throw new IpDecodeError('not-lattice', 'not a Lattice IP datagram');
  }
  if (buf[2] !== DATAGRAM_VERSION) throw new IpDecodeError('version', `datagram version ${buf[2]}, expected ${DATAGRAM_VERSION}`);
  const r = new Reader(buf, DATAGRAM_HEADER_BYTES);
  switch (buf[3]) {
    case DatagramType.hello: {
      const flags = r.u8('HELLO flags');
      const nonce = r.bytes(NONCE_BYTES, 'HELLO nonce');
      const version = r.text('HELLO version');
      const maxFrameBytes = r.u32('HELLO max frame bytes');
      const count = r.u8('HELLO bearer count');
      if (count > MAX_BEARERS) throw malformed(`HELLO names ${count} bearers`);
      const bearers: string[] = [];
      for (let i = 0; i < count; i++) bearers.push(r.text('HELLO bearer name'));
      const { advert, length } = decodeAdvert(buf, r.at);
      r.at += length;
      r.end('HELLO');
      const capabilities: Capabilities = { version, maxFrameBytes, bearers, ...((flags & FLAG_ACKS) !== 0 ? { acks: true } : {}) };
      return { type: 'hello', wantReply: (flags & FLAG_WANT_REPLY) !== 0, nonce, capabilities, advert };
    }
    case DatagramType.ping:
    case DatagramType.pong: {
      const nodeId = r.bytes(32, 'node id');
      const nonce = r.bytes(NONCE_BYTES, 'nonce');
      r.end('PING/PONG');
      return buf[3] === DatagramType.ping ? { type: 'ping', nodeId, nonce } : { type: 'pong', nodeId, echo: nonce };
    }
    case DatagramType.peers: {
      const count = r.u8('PEERS count');
      const adverts: Advert[] = [];
      for (let i = 0; i < count; i++) {
        const { advert, length } = decodeAdvert(buf, r.at);
        adverts.push(advert);
        r.at += length;
      }
      r.end('PEERS');
      return { type: 'peers', adverts };
    }
    case DatagramType.data: {
      if (buf.length === DATAGRAM_HEADER_BYTES) throw malformed('empty DATA datagram');
      return { type: 'data', payload: buf.slice(DATAGRAM_HEADER_BYTES) };
    }
    default:
      throw new IpDecodeError('unknown-type', `datagram type ${buf[3]}`);
  }
}
