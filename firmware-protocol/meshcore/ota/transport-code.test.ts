/** Region transport codes (TransportKeyStore.cpp, RegionMap.cpp) against a captured #ottawa flood and the decoder. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, createHmac } from 'node:crypto';
import { calcRegionKey, calcTransportCodeForRegion } from '@michaelhart/meshcore-decoder';
import { decodePacket, encodePacket, PAYLOAD_TYPE, ROUTE_TYPE, type McPacket } from './packet.js';
import { matchesRegion, regionKeyFor, regionTransportCodes, transportCode } from './transport-code.js';
import { regionScopeKey } from '../channel-secret.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
// @michaelhart/meshcore-decoder tests/region-transport.test.ts: a TRANSPORT_FLOOD GRP_TXT scoped to #ottawa, code0 0x1AFA.
const OTTAWA =
  '14FA1A0000034E927D596EA23622BCB4D5945E49348165AF7DABA3F5DCEED85F430E0856DB5B591E86AB3363BC00E1BA30776698F72FC57C7168E66A4875CDB710F3C175FC2B3FE75A036EF14FA59A709062D3A9FF7014F2E7A8512C';

test('region key = SHA-256("#name")[0..16], "#" implied (RegionMap::getTransportKeysFor)', () => {
  const k = regionKeyFor('#de');
  assert.is(hex(k), createHash('sha256').update('#de').digest('hex').slice(0, 32));
  assert.is(hex(regionKeyFor('de')), hex(k));
  assert.is(hex(regionScopeKey('#de')), hex(k), 'the same key as the companion side uses');
  assert.is(hex(regionKeyFor('Europe')), hex(calcRegionKey('#Europe')));
});

test('captured #ottawa flood: our code equals code0 on air, and the region matches; others do not', () => {
  const p = decodePacket(Buffer.from(OTTAWA, 'hex'));
  assert.is(p.routeType, ROUTE_TYPE.TRANSPORT_FLOOD);
  assert.equal(p.transportCodes, [0x1afa, 0]);
  assert.is(transportCode(regionKeyFor('ottawa'), p.payloadType, p.payload), 0x1afa);
  assert.ok(matchesRegion(regionKeyFor('#ottawa'), p));
  assert.not.ok(matchesRegion(regionKeyFor('#toronto'), p));
  // A packet without transport codes is not in any region (the wildcard handles it).
  assert.not.ok(matchesRegion(regionKeyFor('#ottawa'), { ...p, routeType: ROUTE_TYPE.FLOOD }));
});

test('code = HMAC-SHA256(key, type ‖ payload)[0..2] LE, equal to the decoder for many payloads', () => {
  const key = regionKeyFor('#de');
  for (let n = 0; n < 200; n++) {
    const payload = new Uint8Array(createHash('sha256').update(`p${n}`).digest()).subarray(0, 1 + (n % 32));
    const type = n % 16;
    const mac = createHmac('sha256', key).update(Uint8Array.of(type)).update(payload).digest();
    const raw = mac.readUInt16LE(0);
    const expect = raw === 0 ? 1 : raw === 0xffff ? 0xfffe : raw;
    assert.is(transportCode(key, type, payload), expect);
    assert.is(transportCode(key, type, payload), calcTransportCodeForRegion('#de', type, payload));
  }
});

test('reserved codes: 0x0000 becomes 0x0001 and 0xFFFF becomes 0xFFFE', () => {
  const key = regionKeyFor('#x');
  const found: Record<string, boolean> = {};
  // Search payloads whose HMAC starts 0000 / ffff (1 in 65536 each): a bounded, deterministic search.
  for (let n = 0; n < 400_000 && !(found.zero && found.ones); n++) {
    const payload = Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff);
    const raw = createHmac('sha256', key).update(Uint8Array.of(PAYLOAD_TYPE.GRP_TXT)).update(payload).digest().readUInt16LE(0);
    if (raw === 0 && !found.zero) {
      found.zero = true;
      assert.is(transportCode(key, PAYLOAD_TYPE.GRP_TXT, payload), 1);
    }
    if (raw === 0xffff && !found.ones) {
      found.ones = true;
      assert.is(transportCode(key, PAYLOAD_TYPE.GRP_TXT, payload), 0xfffe);
    }
  }
  assert.ok(found.zero && found.ones);
});

test('a packet we scope to a region round-trips on air and matches only that region', () => {
  const key = regionKeyFor('#de');
  const base: McPacket = { routeType: ROUTE_TYPE.TRANSPORT_FLOOD, payloadType: PAYLOAD_TYPE.ADVERT, version: 0, transportCodes: [0, 0], pathHashSize: 2, path: new Uint8Array(0), payload: new Uint8Array(100).fill(9) };
  const p = { ...base, transportCodes: regionTransportCodes(key, base) };
  const back = decodePacket(encodePacket(p));
  assert.ok(matchesRegion(key, back));
  assert.not.ok(matchesRegion(regionKeyFor('#nl'), back));
  // The path does not enter the code: repeaters append hashes without breaking the scope.
  const relayed: McPacket = { ...back, path: Uint8Array.of(1, 2, 3, 4) };
  assert.ok(matchesRegion(key, relayed));
});

test("'*', '$private' and empty names have no derived key", () => {
  for (const n of ['*', '$home', '', '#']) assert.throws(() => regionKeyFor(n), RangeError);
});

test.run();
