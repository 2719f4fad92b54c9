/**
 * A MeshCoreMesh that records what the application asks of it, for the repeater's unit tests (the real mesh,
 * ../../mesh/create-mesh.ts, is used by ../mesh-integration.test.ts): create* build real packets (encrypted payloads, signed adverts) and remember
 * the plaintext they were given; send* append to `sent`; counters and signal are set by the test. `receive()`
 * turns a packet into the ReceivedPacket a handler callback takes.
 */
import { createHash } from 'node:crypto';
import type { FloodOptions, MeshCoreMesh, MeshCounters } from '../../mesh/mesh-api.js';
import type { GroupChannelKey, McPath, MeshHandler, ReceivedPacket } from '../../mesh/mesh-handler.js';
import { encryptThenMac } from '../../ota/cipher.js';
import type { LocalIdentity } from '../../ota/identity.js';
import { encodePacket, encodePathLen, PAYLOAD_TYPE, ROUTE_TYPE, type McPacket } from '../../ota/packet.js';

export type Sent =
  | { kind: 'flood'; packet: McPacket; options: FloodOptions }
  | { kind: 'direct'; packet: McPacket; path: McPath; delayMs: number }
  | { kind: 'zero-hop'; packet: McPacket; delayMs: number; transportCodes?: [number, number] }
  | { kind: 'raw'; packet: McPacket; delayMs: number };

export interface Created {
  op: 'advert' | 'datagram' | 'anon' | 'group' | 'ack' | 'path-return' | 'control' | 'raw' | 'trace' | 'multi-ack';
  packet: McPacket;
  type?: number;
  dest?: Uint8Array;
  secret?: Uint8Array;
  data?: Uint8Array;
  path?: McPath;
  extraType?: number;
  extra?: Uint8Array;
  ack?: number | Uint8Array;
}

const pkt = (payloadType: number, payload: Uint8Array): McPacket => ({
  routeType: ROUTE_TYPE.FLOOD,
  payloadType,
  version: 0,
  transportCodes: [0, 0],
  pathHashSize: 1,
  path: new Uint8Array(0),
  payload,
});

export class FakeMesh implements MeshCoreMesh {
  readonly created: Created[] = [];
  readonly sent: Sent[] = [];
  handler: MeshHandler | undefined;
  counters: MeshCounters = {
    sentFlood: 0,
    sentDirect: 0,
    recvFlood: 0,
    recvDirect: 0,
    forwarded: 0,
    floodDups: 0,
    directDups: 0,
    recvErrors: 0,
    dropped: {},
    txAirMs: 0,
    rxAirMs: 0,
  };
  signal: { snrDb: number; rssiDbm: number } | undefined;
  queue = 0;
  resets = 0;

  constructor(readonly self: LocalIdentity, private readonly rtc: () => number) {}

  setHandler(handler: MeshHandler): void {
    this.handler = handler;
  }
  rtcSeconds(): number {
    return this.rtc();
  }
  createAdvert(appData: Uint8Array): McPacket {
    const ts = new Uint8Array(4);
    new DataView(ts.buffer).setUint32(0, this.rtc() >>> 0, true);
    const msg = new Uint8Array([...this.self.publicKey, ...ts, ...appData]);
    const p = pkt(PAYLOAD_TYPE.ADVERT, new Uint8Array([...this.self.publicKey, ...ts, ...this.self.sign(msg), ...appData]));
    this.created.push({ op: 'advert', packet: p, data: appData });
    return p;
  }
  createDatagram(type: number, dest: Uint8Array, secret: Uint8Array, data: Uint8Array): McPacket {
    const p = pkt(type, new Uint8Array([dest[0], this.self.publicKey[0], ...encryptThenMac(secret, data)]));
    this.created.push({ op: 'datagram', packet: p, type, dest, secret, data });
    return p;
  }
  createAnonDatagram(type: number, dest: Uint8Array, secret: Uint8Array, data: Uint8Array): McPacket {
    const p = pkt(type, new Uint8Array([dest[0], ...this.self.publicKey, ...encryptThenMac(secret, data)]));
    this.created.push({ op: 'anon', packet: p, type, dest, secret, data });
    return p;
  }
  createGroupDatagram(type: number, channel: GroupChannelKey, data: Uint8Array): McPacket {
    const p = pkt(type, new Uint8Array([channel.hash, ...encryptThenMac(channel.secret, data)]));
    this.created.push({ op: 'group', packet: p, type, data });
    return p;
  }
  createAck(ack: number | Uint8Array): McPacket {
    const b = typeof ack === 'number' ? new Uint8Array(4) : ack;
    if (typeof ack === 'number') new DataView(b.buffer).setUint32(0, ack >>> 0, true);
    const p = pkt(PAYLOAD_TYPE.ACK, b);
    this.created.push({ op: 'ack', packet: p, ack });
    return p;
  }
  createMultiAck(ack: number, remaining: number): McPacket {
    const p = pkt(PAYLOAD_TYPE.MULTIPART, Uint8Array.of((remaining << 4) | PAYLOAD_TYPE.ACK, ack & 0xff, (ack >> 8) & 0xff, (ack >> 16) & 0xff, (ack >>> 24) & 0xff));
    this.created.push({ op: 'multi-ack', packet: p, ack });
    return p;
  }
  createPathReturn(dest: Uint8Array, secret: Uint8Array, path: McPath, extraType: number, extra: Uint8Array): McPacket {
    const plain = new Uint8Array([encodePathLen(path.hashSize, path.bytes.length / path.hashSize), ...path.bytes, extraType & 0x0f, ...extra]);
    const p = pkt(PAYLOAD_TYPE.PATH, new Uint8Array([dest[0], this.self.publicKey[0], ...encryptThenMac(secret, plain)]));
    this.created.push({ op: 'path-return', packet: p, dest, secret, path, extraType, extra });
    return p;
  }
  createRawData(data: Uint8Array): McPacket {
    const p = pkt(PAYLOAD_TYPE.RAW_CUSTOM, data);
    this.created.push({ op: 'raw', packet: p, data });
    return p;
  }
  createTrace(tag: number, authCode: number, flags: number): McPacket {
    const b = new Uint8Array(9);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, tag, true);
    dv.setUint32(4, authCode, true);
    b[8] = flags;
    const p = pkt(PAYLOAD_TYPE.TRACE, b);
    this.created.push({ op: 'trace', packet: p });
    return p;
  }
  createControlData(data: Uint8Array): McPacket {
    const p = pkt(PAYLOAD_TYPE.CONTROL, data.slice());
    this.created.push({ op: 'control', packet: p, data });
    return p;
  }
  sendFlood(packet: McPacket, options: FloodOptions = {}): void {
    if (options.transportCodes) {
      packet.routeType = ROUTE_TYPE.TRANSPORT_FLOOD;
      packet.transportCodes = options.transportCodes;
    } else packet.routeType = ROUTE_TYPE.FLOOD;
    this.sent.push({ kind: 'flood', packet, options });
  }
  sendDirect(packet: McPacket, path: McPath, delayMs = 0): void {
    packet.routeType = ROUTE_TYPE.DIRECT;
    this.sent.push({ kind: 'direct', packet, path, delayMs });
  }
  sendZeroHop(packet: McPacket, options: { delayMs?: number; transportCodes?: [number, number] } = {}): void {
    packet.routeType = ROUTE_TYPE.DIRECT;
    this.sent.push({ kind: 'zero-hop', packet, delayMs: options.delayMs ?? 0, transportCodes: options.transportCodes });
  }
  sendRaw(packet: McPacket, _priority: number, delayMs = 0): void {
    this.sent.push({ kind: 'raw', packet, delayMs });
  }
  /** A simple stand-in (1 ms per byte) so delay tests can compute what the repeater should ask for. */
  airtimeMs(length: number): number {
    return length;
  }
  queueLength(): number {
    return this.queue;
  }
  remainingTxBudgetMs(): number {
    return 3_600_000;
  }
  resetStats(): void {
    this.resets++;
  }
  lastSignal(): { snrDb: number; rssiDbm: number } | undefined {
    return this.signal;
  }
  start(): void {}
  async stop(): Promise<void> {}
}

/** A received packet as the mesh would hand it to a callback. */
export function received(packet: McPacket, opts: { snrDb?: number; rssiDbm?: number; at?: number } = {}): ReceivedPacket {
  return { packet, raw: encodePacket(packet), snrDb: opts.snrDb ?? 5, rssiDbm: opts.rssiDbm ?? -90, receivedAt: opts.at ?? 0 };
}

/** A bare packet for policy tests. */
export function packetOf(p: Partial<McPacket> & { payloadType: number }): McPacket {
  return {
    routeType: ROUTE_TYPE.FLOOD,
    version: 0,
    transportCodes: [0, 0],
    pathHashSize: 1,
    path: new Uint8Array(0),
    payload: createHash('sha256').update('payload').digest().subarray(0, 20),
    ...p,
  };
}
