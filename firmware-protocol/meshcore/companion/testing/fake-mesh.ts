/**
 * A small stand-in for the MeshCoreMesh of ../../mesh (written in parallel by the mesh part) so the chat mesh and
 * the device side can be tested before it lands: real packets (the create* factories encrypt as src/Mesh.cpp does,
 * with the ota codecs), and a FakeAir on which every node hears every other one directly (no repeaters, no
 * airtime, no TX queue). Receiving parses, dedupes by packet hash, decrypts with the handler's peers and channels
 * and calls the MeshHandler, as Mesh::onRecvPacket. Every send is recorded for assertions. Tests only.
 */
import type { PacketRadio, PacketRadioFrame } from '../../../../lib/lora/packet-radio.js';
import type { FloodOptions, MeshCoreMesh, MeshCounters, MeshOptions } from '../../mesh/mesh-api.js';
import type { GroupChannelKey, McPath, MeshHandler, ReceivedPacket } from '../../mesh/mesh-handler.js';
import { encryptThenMac, macThenDecrypt } from '../../ota/cipher.js';
import { verifySignature, type LocalIdentity } from '../../ota/identity.js';
import {
  decodePacket, decodePathLen, encodePacket, encodePathLen, packetHash, PAYLOAD_TYPE, ROUTE_TYPE, type McPacket,
} from '../../ota/packet.js';

export interface FakeSend {
  kind: 'flood' | 'direct' | 'zero-hop' | 'raw';
  packet: McPacket;
  path?: McPath;
  options?: FloodOptions | { delayMs?: number; transportCodes?: [number, number] };
}

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
}

function bare(payloadType: number, payload: Uint8Array): McPacket {
  return { routeType: ROUTE_TYPE.FLOOD, payloadType, version: 0, transportCodes: [0, 0], pathHashSize: 1, path: new Uint8Array(0), payload };
}

/**
 * Every FakeMesh on it hears every frame another sends, on a later turn (setImmediate), SNR 6.25 dB, RSSI −70.
 * radio(name) gives a PacketRadio on the same air (the shape of mesh/memory-air.ts MemoryAir.radio, without its
 * topology: link() is accepted and ignored, everyone hears everyone).
 */
export class FakeAir {
  readonly nodes = new Set<FakeMesh>();
  /** Frames put on the air, in order. */
  readonly frames: Uint8Array[] = [];
  private readonly radios = new Map<string, { listeners: Set<(f: PacketRadioFrame) => void>; radio: PacketRadio }>();

  transmit(from: FakeMesh | PacketRadio, raw: Uint8Array): void {
    this.frames.push(raw);
    for (const n of this.nodes) if (n !== from) setImmediate(() => n.hear(raw, 6.25, -70));
    for (const r of this.radios.values()) {
      if (r.radio === from) continue;
      setImmediate(() => {
        for (const l of r.listeners) l({ bytes: raw.slice(), snrDb: 6.25, rssiDbm: -70 });
      });
    }
  }

  radio(name: string): PacketRadio {
    let r = this.radios.get(name);
    if (!r) {
      const listeners = new Set<(f: PacketRadioFrame) => void>();
      const radio: PacketRadio = {
        transmit: async (frame) => (this.transmit(radio, frame.slice()), { airtimeMs: 1 }),
        channelBusy: async () => false,
        onReceive: (l) => (listeners.add(l), () => void listeners.delete(l)),
      };
      r = { listeners, radio };
      this.radios.set(name, r);
    }
    return r.radio;
  }

  link(_a: string, _b: string): this {
    return this;
  }
}

/** A createMesh stand-in for code that takes a mesh factory (the simulator): a FakeMesh on options.radio. */
export function fakeCreateMesh(options: MeshOptions): MeshCoreMesh {
  const m = new FakeMesh(options.identity, undefined, { radio: options.radio, rtcSeconds: options.rtcSeconds });
  if (options.handler) m.setHandler(options.handler);
  return m;
}

export class FakeMesh implements MeshCoreMesh {
  handler: MeshHandler = {};
  readonly sent: FakeSend[] = [];
  readonly counters: MeshCounters = {
    sentFlood: 0, sentDirect: 0, recvFlood: 0, recvDirect: 0, forwarded: 0, floodDups: 0, directDups: 0, recvErrors: 0,
    dropped: {}, txAirMs: 0, rxAirMs: 0,
  };
  private readonly seen = new Set<string>();
  private last: { snrDb: number; rssiDbm: number } | undefined;
  private running = false;
  rtc: () => number;

  private readonly radio: PacketRadio | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(readonly self: LocalIdentity, readonly air?: FakeAir, options: { rtcSeconds?: () => number; radio?: PacketRadio } = {}) {
    this.rtc = options.rtcSeconds ?? (() => Math.floor(Date.now() / 1000));
    this.radio = options.radio;
    air?.nodes.add(this);
  }

  setHandler(handler: MeshHandler): void {
    this.handler = handler;
  }
  rtcSeconds(): number {
    return this.rtc();
  }
  createAdvert(appData: Uint8Array): McPacket {
    const ts = u32(this.rtc());
    const sig = this.self.sign(cat(this.self.publicKey, ts, appData));
    return bare(PAYLOAD_TYPE.ADVERT, cat(this.self.publicKey, ts, sig, appData));
  }
  createDatagram(type: number, dest: Uint8Array, secret: Uint8Array, data: Uint8Array): McPacket {
    return bare(type, cat(Uint8Array.of(dest[0], this.self.publicKey[0]), encryptThenMac(secret, data)));
  }
  createAnonDatagram(type: number, dest: Uint8Array, secret: Uint8Array, data: Uint8Array): McPacket {
    return bare(type, cat(Uint8Array.of(dest[0]), this.self.publicKey, encryptThenMac(secret, data)));
  }
  createGroupDatagram(type: number, channel: GroupChannelKey, data: Uint8Array): McPacket {
    return bare(type, cat(Uint8Array.of(channel.hash), encryptThenMac(channel.secret, data)));
  }
  createAck(ack: number | Uint8Array): McPacket {
    return bare(PAYLOAD_TYPE.ACK, typeof ack === 'number' ? u32(ack) : ack.slice(0, 4));
  }
  createMultiAck(ack: number, remaining: number): McPacket {
    return bare(PAYLOAD_TYPE.MULTIPART, cat(Uint8Array.of((remaining << 4) | PAYLOAD_TYPE.ACK), u32(ack)));
  }
  createPathReturn(dest: Uint8Array, secret: Uint8Array, path: McPath, extraType: number, extra: Uint8Array): McPacket {
    const count = path.bytes.length / path.hashSize;
    const tail = extra.length > 0 ? cat(Uint8Array.of(extraType), extra) : Uint8Array.of(0xff, 1, 2, 3, 4);
    const data = cat(Uint8Array.of(encodePathLen(path.hashSize, count)), path.bytes, tail);
    return bare(PAYLOAD_TYPE.PATH, cat(Uint8Array.of(dest[0], this.self.publicKey[0]), encryptThenMac(secret, data)));
  }
  createRawData(data: Uint8Array): McPacket {
    return bare(PAYLOAD_TYPE.RAW_CUSTOM, data.slice());
  }
  createTrace(tag: number, authCode: number, flags: number): McPacket {
    return bare(PAYLOAD_TYPE.TRACE, cat(u32(tag), u32(authCode), Uint8Array.of(flags)));
  }
  createControlData(data: Uint8Array): McPacket {
    return bare(PAYLOAD_TYPE.CONTROL, data.slice());
  }

  private put(p: McPacket, s: FakeSend): void {
    this.sent.push(s);
    this.seen.add(Buffer.from(packetHash(p)).toString('hex'));
    if (this.radio) void this.radio.transmit(encodePacket(p));
    else this.air?.transmit(this, encodePacket(p));
  }
  sendFlood(packet: McPacket, options: FloodOptions = {}): void {
    this.counters.sentFlood++;
    const tc = options.transportCodes;
    const p: McPacket = { ...packet, routeType: tc ? ROUTE_TYPE.TRANSPORT_FLOOD : ROUTE_TYPE.FLOOD, transportCodes: tc ?? [0, 0], pathHashSize: options.pathHashSize ?? 1, path: new Uint8Array(0) };
    this.put(p, { kind: 'flood', packet: p, options });
  }
  sendDirect(packet: McPacket, path: McPath, delayMs?: number): void {
    this.counters.sentDirect++;
    // On a one-hop fake air the path's hops are not simulated: the packet arrives as if they had all relayed it.
    const p: McPacket = { ...packet, routeType: ROUTE_TYPE.DIRECT, pathHashSize: path.hashSize, path: new Uint8Array(0) };
    this.put(p, { kind: 'direct', packet: { ...p, path: path.bytes }, path, options: { delayMs } });
  }
  sendZeroHop(packet: McPacket, options: { delayMs?: number; transportCodes?: [number, number] } = {}): void {
    this.counters.sentDirect++;
    const tc = options.transportCodes;
    const p: McPacket = { ...packet, routeType: tc ? ROUTE_TYPE.TRANSPORT_DIRECT : ROUTE_TYPE.DIRECT, transportCodes: tc ?? [0, 0], path: new Uint8Array(0) };
    this.put(p, { kind: 'zero-hop', packet: p, options });
  }
  sendRaw(packet: McPacket, _priority: number, delayMs?: number): void {
    this.put(packet, { kind: 'raw', packet, options: { delayMs } });
  }
  airtimeMs(length: number): number {
    // SF8 / 62.5 kHz is about 8 ms a byte; good enough for timeout arithmetic in tests.
    return 60 + length * 8;
  }
  queueLength(): number {
    return 0;
  }
  remainingTxBudgetMs(): number {
    return 1e9;
  }
  resetStats(): void {
    for (const k of ['sentFlood', 'sentDirect', 'recvFlood', 'recvDirect', 'forwarded', 'floodDups', 'directDups', 'recvErrors'] as const) this.counters[k] = 0;
  }
  lastSignal(): { snrDb: number; rssiDbm: number } | undefined {
    return this.last;
  }
  start(): void {
    this.running = true;
    if (this.radio && !this.unsubscribe) this.unsubscribe = this.radio.onReceive((f) => this.hear(f.bytes, f.snrDb, f.rssiDbm));
  }
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.air?.nodes.delete(this);
  }

  /** A frame from the air (or a test): Mesh::onRecvPacket, reduced to what a node that hears everyone does. */
  hear(raw: Uint8Array, snrDb = 6.25, rssiDbm = -70): void {
    if (!this.running) return;
    this.handler.logRxRaw?.(raw, snrDb, rssiDbm);
    let p: McPacket;
    try {
      p = decodePacket(raw);
    } catch (e) {
      this.counters.recvErrors++;
      this.handler.onMalformed?.(raw, (e as Error).message);
      return;
    }
    this.last = { snrDb, rssiDbm };
    const key = Buffer.from(packetHash(p)).toString('hex');
    if (this.seen.has(key)) {
      if (p.routeType === ROUTE_TYPE.DIRECT) this.counters.directDups++;
      else this.counters.floodDups++;
      return;
    }
    this.seen.add(key);
    const flood = p.routeType === ROUTE_TYPE.FLOOD || p.routeType === ROUTE_TYPE.TRANSPORT_FLOOD;
    if (flood) this.counters.recvFlood++;
    else this.counters.recvDirect++;
    const rx: ReceivedPacket = { packet: p, raw, snrDb, rssiDbm, receivedAt: Date.now() };
    const h = this.handler;
    const me = this.self.publicKey;
    const pl = p.payload;
    switch (p.payloadType) {
      case PAYLOAD_TYPE.ADVERT: {
        if (pl.length < 100 || pl.subarray(0, 32).every((b, i) => b === me[i])) return;
        const appData = pl.slice(100);
        if (!verifySignature(pl.subarray(0, 32), cat(pl.subarray(0, 36), appData), pl.subarray(36, 100))) return;
        h.onAdvertRecv?.(rx, { publicKey: pl.slice(0, 32), timestamp: new DataView(pl.buffer, pl.byteOffset).getUint32(32, true), appData });
        return;
      }
      case PAYLOAD_TYPE.ACK:
        if (pl.length >= 4) h.onAckRecv?.(rx, new DataView(pl.buffer, pl.byteOffset).getUint32(0, true));
        return;
      case PAYLOAD_TYPE.MULTIPART:
        if (pl.length >= 5 && (pl[0] & 0x0f) === PAYLOAD_TYPE.ACK) h.onAckRecv?.(rx, new DataView(pl.buffer, pl.byteOffset).getUint32(1, true));
        return;
      case PAYLOAD_TYPE.TXT_MSG:
      case PAYLOAD_TYPE.REQ:
      case PAYLOAD_TYPE.RESPONSE:
      case PAYLOAD_TYPE.PATH: {
        if (pl.length < 4 || pl[0] !== me[0]) return;
        for (const peer of h.searchPeersByHash?.(pl[1]) ?? []) {
          const data = macThenDecrypt(peer.secret, pl.subarray(2));
          if (!data) continue;
          if (p.payloadType !== PAYLOAD_TYPE.PATH) {
            h.onPeerDataRecv?.(rx, p.payloadType, peer, data);
            return;
          }
          const pathLen = decodePathLen(data[0]);
          if (!pathLen) return;
          const n = pathLen.size * pathLen.count;
          const path: McPath = { hashSize: pathLen.size, bytes: data.slice(1, 1 + n) };
          const extraType = data[1 + n] & 0x0f;
          const extra = data.slice(2 + n);
          if (h.onPeerPathRecv?.(rx, peer, path, extraType, extra) && flood) {
            this.sendDirect(this.createPathReturn(peer.publicKey, peer.secret, { hashSize: p.pathHashSize, bytes: p.path }, 0, new Uint8Array(0)), path, 500);
          }
          return;
        }
        return;
      }
      case PAYLOAD_TYPE.ANON_REQ: {
        if (pl.length < 36 || pl[0] !== me[0]) return;
        const sender = pl.slice(1, 33);
        const secret = this.self.sharedSecret(sender);
        const data = macThenDecrypt(secret, pl.subarray(33));
        if (data) h.onAnonDataRecv?.(rx, secret, sender, data);
        return;
      }
      case PAYLOAD_TYPE.GRP_TXT:
      case PAYLOAD_TYPE.GRP_DATA: {
        for (const ch of h.searchChannelsByHash?.(pl[0]) ?? []) {
          const data = macThenDecrypt(ch.secret, pl.subarray(1));
          if (data) {
            h.onGroupDataRecv?.(rx, p.payloadType, ch, data);
            return;
          }
        }
        return;
      }
      case PAYLOAD_TYPE.CONTROL:
        if (!flood && p.path.length === 0) h.onControlDataRecv?.(rx);
        return;
      case PAYLOAD_TYPE.RAW_CUSTOM:
        if (!flood) h.onRawDataRecv?.(rx);
        return;
      default:
        return;
    }
  }
}
