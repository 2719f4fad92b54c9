/**
 * The packet codec against Packet::writeTo / Dispatcher::tryParsePacket / Packet::calculatePacketHash (v1.17.1):
 * every route type with and without transport codes, path_len with 1/2/3-byte hashes, the limits, and the dedupe
 * hash (TRACE includes path_len as a u16 LE, nothing else sees the path).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import {
  MAX_PACKET_PAYLOAD,
  MAX_PATH_SIZE,
  PAYLOAD_TYPE,
  ROUTE_TYPE,
  decodePacket,
  decodePathLen,
  encodePacket,
  encodePathLen,
  packetHash,
  pathHashCount,
  rawLength,
  type McPacket,
  type PathHashSize,
  type RouteType,
} from './packet.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));
const seq = (n: number, from = 1) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

function malformed(raw: Uint8Array, reason: string): void {
  try {
    decodePacket(raw);
  } catch (e) {
    assert.is((e as Error).name, 'MeshCoreMalformedPacketError', `${hex(raw)}`);
    assert.is((e as { reason: string }).reason, reason, `${hex(raw)}: ${(e as Error).message}`);
    return;
  }
  assert.unreachable(`${hex(raw)} decoded, expected ${reason}`);
}

function pkt(over: Partial<McPacket>): McPacket {
  return {
    routeType: ROUTE_TYPE.FLOOD,
    payloadType: PAYLOAD_TYPE.TXT_MSG,
    version: 0,
    transportCodes: [0, 0],
    pathHashSize: 1,
    path: new Uint8Array(0),
    payload: seq(10),
    ...over,
  };
}

test('every route type: header bits, transport codes only on routes 0 and 3, LE u16 codes', () => {
  for (const routeType of [0, 1, 2, 3] as RouteType[]) {
    const tc = routeType === 0 || routeType === 3;
    const p = pkt({ routeType, payloadType: PAYLOAD_TYPE.GRP_TXT, transportCodes: tc ? [0x1afa, 0xbeef] : [0, 0], path: seq(2, 0xa0) });
    const raw = encodePacket(p);
    const header = (PAYLOAD_TYPE.GRP_TXT << 2) | routeType;
    const expect = tc ? `${header.toString(16).padStart(2, '0')}fa1aefbe02a0a1${hex(p.payload)}` : `${header.toString(16).padStart(2, '0')}02a0a1${hex(p.payload)}`;
    assert.is(hex(raw), expect, `route ${routeType}`);
    assert.is(raw.length, rawLength(p));
    assert.equal(decodePacket(raw), p);
  }
});

test('codes on a route without transport codes are not written (Packet::writeTo) and decode as [0, 0]', () => {
  const raw = encodePacket(pkt({ routeType: ROUTE_TYPE.DIRECT, transportCodes: [5, 6] }));
  assert.is(raw.length, 2 + 10);
  assert.equal(decodePacket(raw).transportCodes, [0, 0]);
});

test('path_len with 1/2/3-byte hashes: (size-1)<<6 | count, the path is count*size bytes', () => {
  for (const size of [1, 2, 3] as PathHashSize[]) {
    for (const count of [0, 1, 5, Math.floor(MAX_PATH_SIZE / size) - (size === 1 ? 1 : 0)]) {
      const p = pkt({ pathHashSize: size, path: seq(count * size, 0x10) });
      const raw = encodePacket(p);
      assert.is(raw[1], ((size - 1) << 6) | count, `size ${size} count ${count}`);
      const back = decodePacket(raw);
      assert.is(back.pathHashSize, size);
      assert.is(pathHashCount(back), count);
      assert.equal(back.path, p.path);
    }
  }
  assert.equal(decodePathLen(0x83), { size: 3, count: 3 });
  assert.equal(decodePathLen(0x40), { size: 2, count: 0 });
  assert.is(decodePathLen(0xc1), undefined);
  assert.is(encodePathLen(2, 5), 0x45);
});

test('a 2-byte-hash zero-hop flood keeps its hash size (0x40) through decode and encode', () => {
  const raw = bytes('1540cab3b15626481a5ba64247ab25766e410b026e0678a32da9f0c3946fae5b714cab170f');
  const p = decodePacket(raw);
  assert.is(p.pathHashSize, 2);
  assert.is(p.path.length, 0);
  assert.is(hex(encodePacket(p)), hex(raw));
});

test('limits: payload 184 ok and 185 refused, both ways', () => {
  const ok = pkt({ payload: seq(MAX_PACKET_PAYLOAD) });
  assert.is(decodePacket(encodePacket(ok)).payload.length, MAX_PACKET_PAYLOAD);
  const tooLong = new Uint8Array(2 + MAX_PACKET_PAYLOAD + 1);
  tooLong[0] = 0x09;
  malformed(tooLong, 'payload-too-long');
  assert.throws(() => encodePacket(pkt({ payload: seq(185) })), (e: Error) => e.name === 'MeshCorePacketTooLargeError');
});

test('limits: path bytes > 64 refused (2-byte × 33, 3-byte × 22), 64 accepted (2-byte × 32)', () => {
  const body = seq(4);
  const mk = (pathLen: number, pathBytes: number) => Uint8Array.from([0x09, pathLen, ...seq(pathBytes), ...body]);
  assert.is(decodePacket(mk(0x40 | 32, 64)).path.length, 64);
  malformed(mk(0x40 | 33, 66), 'path-length');
  assert.is(decodePacket(mk(0x80 | 21, 63)).path.length, 63);
  malformed(mk(0x80 | 22, 66), 'path-length');
  assert.is(decodePacket(mk(63, 63)).path.length, 63);
  assert.throws(() => encodePacket(pkt({ pathHashSize: 2, path: seq(66) })), (e: Error) => e.name === 'MeshCorePacketTooLargeError');
});

test('a 1-byte path of 64 hashes cannot be written: path_len holds at most 63 hops (Packet::isValidPathLen)', () => {
  // 64 & 63 would write path_len 0 and then 64 path bytes: a different, corrupt packet on air.
  assert.throws(() => encodePacket(pkt({ pathHashSize: 1, path: seq(64) })), (e: Error) => e.name === 'MeshCorePacketTooLargeError');
});

test('reserved hash size code 3 and payload version > 0 are refused', () => {
  malformed(bytes('09c0aabb'), 'path-mode');
  malformed(bytes('09ffaabb'), 'path-mode');
  for (const v of [1, 2, 3]) malformed(Uint8Array.from([(v << 6) | 0x09, 0, 1, 2]), 'version');
  assert.is(decodePacket(bytes('0900aa')).version, 0);
});

test('truncation: empty, no path_len, short transport codes, path past the frame, no payload', () => {
  malformed(new Uint8Array(0), 'empty');
  malformed(bytes('09'), 'truncated');
  for (let n = 1; n <= 5; n++) malformed(Uint8Array.from([0x08, ...seq(n - 1)]), 'truncated'); // route 0
  malformed(bytes('0b0102030400'), 'no-payload'); // route 3: codes, path_len 0, nothing after
  malformed(bytes('0903aabb'), 'truncated');
  malformed(bytes('0902aabb'), 'no-payload');
  malformed(bytes('0900'), 'no-payload');
});

test('packetHash = SHA-256(type ‖ payload)[0..8]: header, route, codes and path excluded', () => {
  const a = pkt({ routeType: ROUTE_TYPE.FLOOD, path: seq(3) });
  const b = pkt({ routeType: ROUTE_TYPE.TRANSPORT_FLOOD, transportCodes: [9, 9], pathHashSize: 2, path: seq(8) });
  const expect = createHash('sha256').update(Uint8Array.of(a.payloadType)).update(a.payload).digest().subarray(0, 8);
  assert.is(hex(packetHash(a)), hex(expect));
  assert.is(hex(packetHash(b)), hex(expect));
  assert.is.not(hex(packetHash(pkt({ payloadType: PAYLOAD_TYPE.REQ }))), hex(expect));
});

test('packetHash of TRACE hashes path_len as a u16 LE (the SNR count), so each hop is a new packet', () => {
  const t0 = pkt({ routeType: ROUTE_TYPE.DIRECT, payloadType: PAYLOAD_TYPE.TRACE, path: new Uint8Array(0) });
  const t2 = { ...t0, path: Uint8Array.of(0x28, 0xf0) };
  const h = (pathLen: number) =>
    hex(createHash('sha256').update(Uint8Array.of(PAYLOAD_TYPE.TRACE, pathLen, 0)).update(t0.payload).digest().subarray(0, 8));
  assert.is(hex(packetHash(t0)), h(0));
  assert.is(hex(packetHash(t2)), h(2));
  assert.is.not(hex(packetHash(t0)), hex(packetHash(t2)));
  // The size bits are part of path_len too.
  assert.is(hex(packetHash({ ...t0, pathHashSize: 2, path: seq(2) })), h(0x41));
});

test('decode copies: mutating the input after decode does not change the packet', () => {
  const raw = bytes('0902aabb0102');
  const p = decodePacket(raw);
  raw.fill(0);
  assert.is(hex(p.path), 'aabb');
  assert.is(hex(p.payload), '0102');
});

test.run();
