import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PAYLOAD_TYPE, ROUTE_TYPE, type McPacket } from '../ota/packet.js';
import { MAX_PACKET_HASHES, MeshTables } from './mesh-tables.js';

const pkt = (n: number, routeType: McPacket['routeType'] = ROUTE_TYPE.FLOOD, path = new Uint8Array(0)): McPacket => ({
  routeType, payloadType: PAYLOAD_TYPE.RAW_CUSTOM, version: 0, transportCodes: [0, 0], pathHashSize: 1, path, payload: Uint8Array.of(n & 0xff, n >> 8),
});

test('a packet is seen whatever its path and route; duplicates are counted by route', () => {
  const t = new MeshTables();
  assert.not.ok(t.wasSeen(pkt(1)));
  t.markSeen(pkt(1));
  assert.ok(t.wasSeen(pkt(1, ROUTE_TYPE.FLOOD, Uint8Array.of(1, 2, 3))));
  assert.ok(t.wasSeen(pkt(1, ROUTE_TYPE.DIRECT)));
  assert.is(t.floodDups, 1);
  assert.is(t.directDups, 1);
  t.resetStats();
  assert.is(t.floodDups + t.directDups, 0);
});

test('the ring holds the last 160 hashes: the 161st packet evicts the first', () => {
  const t = new MeshTables();
  for (let i = 0; i < MAX_PACKET_HASHES; i++) t.markSeen(pkt(i));
  assert.ok(t.wasSeen(pkt(0)));
  t.markSeen(pkt(MAX_PACKET_HASHES));
  assert.not.ok(t.wasSeen(pkt(0)));
  assert.ok(t.wasSeen(pkt(1)));
  assert.ok(t.wasSeen(pkt(MAX_PACKET_HASHES)));
});

test('clear forgets one packet', () => {
  const t = new MeshTables();
  t.markSeen(pkt(5));
  t.markSeen(pkt(6));
  t.clear(pkt(5));
  assert.not.ok(t.wasSeen(pkt(5)));
  assert.ok(t.wasSeen(pkt(6)));
});

test.run();
