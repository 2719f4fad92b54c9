import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PACKET_HISTORY_MAX, PacketHistory, type HistoryPacket } from './packet-history.js';

const US = 0x1234_56aa;
const pkt = (from: number, id: number, extra: Partial<HistoryPacket> = {}): HistoryPacket => ({ from, id, hopLimit: 3, nextHop: 0, relayNode: 0x11, ...extra });

test('dedupe on (from, id); id 0 is never recorded', () => {
  let t = 0;
  const h = new PacketHistory(US, 0xaa, () => t);
  assert.is(h.wasSeenRecently(pkt(1, 100)).seen, false);
  assert.is(h.wasSeenRecently(pkt(1, 100)).seen, true);
  assert.is(h.wasSeenRecently(pkt(2, 100)).seen, false, 'same id, other sender');
  assert.is(h.wasSeenRecently(pkt(1, 0)).seen, false);
  assert.is(h.wasSeenRecently(pkt(1, 0)).seen, false);
  t++;
  assert.is(h.size, 2);
  assert.is(new PacketHistory(US, 0xaa, () => 0).capacity, PACKET_HISTORY_MAX);
  assert.is(PACKET_HISTORY_MAX, 500);
});

test('a full history evicts the record seen longest ago; a refreshed record survives', () => {
  let t = 0;
  const h = new PacketHistory(US, 0xaa, () => t, 4);
  for (let id = 1; id <= 4; id++) {
    t += 10;
    h.wasSeenRecently(pkt(7, id));
  }
  t += 10;
  assert.ok(h.wasSeenRecently(pkt(7, 1)).seen, 'refresh id 1: now the newest');
  t += 10;
  h.wasSeenRecently(pkt(7, 5)); // evicts id 2, the oldest sighting
  assert.is(h.size, 4);
  t += 10;
  assert.is(h.wasSeenRecently(pkt(7, 2)).seen, false, 'id 2 was evicted and is new again');
  t += 10;
  assert.is(h.wasSeenRecently(pkt(7, 1)).seen, true, 'id 1 survived');
  assert.is(h.wasSeenRecently(pkt(7, 5)).seen, true);
});

test('hop-limit upgrade: a copy with more hops left than any seen', () => {
  const h = new PacketHistory(US, 0xaa, () => 1);
  h.wasSeenRecently(pkt(9, 1, { hopLimit: 1 }));
  assert.is(h.wasSeenRecently(pkt(9, 1, { hopLimit: 1 })).upgraded, false);
  assert.is(h.wasSeenRecently(pkt(9, 1, { hopLimit: 3 })).upgraded, true);
  assert.is(h.wasSeenRecently(pkt(9, 1, { hopLimit: 2 })).upgraded, false, 'highest seen is kept');
});

test('relayers: our own send, then the node that relayed it on after hearing us', () => {
  const h = new PacketHistory(US, 0xaa, () => 1);
  h.wasSeenRecently(pkt(9, 1, { relayNode: 0xaa, hopLimit: 3 })); // we transmit with hop 3
  h.wasSeenRecently(pkt(9, 1, { relayNode: 0x22, hopLimit: 2 })); // 0x22 heard us and relayed (hop 3 − 1)
  assert.equal(h.wasRelayer(0xaa, 1, 9), { was: true, sole: false });
  assert.equal(h.wasRelayer(0x22, 1, 9), { was: true, sole: false });
  h.wasSeenRecently(pkt(9, 1, { relayNode: 0x33, hopLimit: 0 })); // far away: not from us, not recorded
  assert.is(h.wasRelayer(0x33, 1, 9).was, false);
  h.removeRelayer(0x22, 1, 9);
  assert.equal(h.wasRelayer(0xaa, 1, 9), { was: true, sole: true });
});

test('fallback to flooding: a next-hop DM seen again without next hop from a relayer', () => {
  const h = new PacketHistory(US, 0xaa, () => 1);
  h.wasSeenRecently(pkt(9, 1, { nextHop: 0x44, relayNode: 0x55 }));
  assert.is(h.wasSeenRecently(pkt(9, 1, { nextHop: 0, relayNode: 0x55 })).fallback, false, '0x55 is not a recorded relayer');
  const h2 = new PacketHistory(US, 0xaa, () => 1);
  h2.wasSeenRecently(pkt(9, 2, { nextHop: 0xaa, relayNode: 0x55 }));
  assert.is(h2.wasSeenRecently(pkt(9, 2, { nextHop: 0xaa, relayNode: 0x55 })).weWereNextHop, true);
});

test.run();
