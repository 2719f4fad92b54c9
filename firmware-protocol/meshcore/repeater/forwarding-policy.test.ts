/**
 * MyMesh::allowPacketForward cases: flood.max, flood.max.unscoped, flood.max.advert, loop detection at each level
 * and hash size, region scopes (allowf / denyf by transport code, `denyf *` for unscoped floods), repeat off, and
 * the retransmit delay formula.
 */
import { createHmac, createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PAYLOAD_TYPE, ROUTE_TYPE, type McPacket } from '../ota/packet.js';
import { floodRegion, forwardRefusal, isLooped, retransmitDelayMs } from './forwarding-policy.js';
import { defaultRepeaterPrefs, LOOP_DETECT, type RepeaterPrefs } from './prefs.js';
import { REGION_DENY_FLOOD, RegionMap } from './region-map.js';
import { packetOf } from './testing/fake-mesh.js';
import { transportCode } from '../ota/transport-code.js';

const SELF = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 0x42 : i === 1 ? 0x43 : i === 2 ? 0x44 : i));
const path = (n: number, fill = 0x10): Uint8Array => new Uint8Array(n).fill(fill);
const prefs = (p: Partial<RepeaterPrefs> = {}): RepeaterPrefs => ({ ...defaultRepeaterPrefs(), ...p });

function decide(p: McPacket, pr: RepeaterPrefs, regions = new RegionMap()): string | undefined {
  return forwardRefusal(p, pr, floodRegion(regions, p), SELF);
}

test('flood.max: hops >= limit are not forwarded', () => {
  const pr = prefs({ floodMax: 3 });
  assert.is(decide(packetOf({ payloadType: PAYLOAD_TYPE.TXT_MSG, path: path(2) }), pr), undefined);
  assert.is(decide(packetOf({ payloadType: PAYLOAD_TYPE.TXT_MSG, path: path(3) }), pr), 'flood-max');
  // 2-byte hashes: hops, not bytes
  assert.is(decide(packetOf({ payloadType: PAYLOAD_TYPE.TXT_MSG, path: path(4), pathHashSize: 2 }), pr), undefined);
  assert.is(decide(packetOf({ payloadType: PAYLOAD_TYPE.TXT_MSG, path: path(6), pathHashSize: 2 }), pr), 'flood-max');
});

test('flood.max.advert (default 8) limits adverts only', () => {
  const pr = prefs();
  assert.is(pr.floodMaxAdvert, 8);
  assert.is(decide(packetOf({ payloadType: PAYLOAD_TYPE.ADVERT, path: path(7) }), pr), undefined);
  assert.is(decide(packetOf({ payloadType: PAYLOAD_TYPE.ADVERT, path: path(8) }), pr), 'flood-max-advert');
  assert.is(decide(packetOf({ payloadType: PAYLOAD_TYPE.GRP_TXT, path: path(8) }), pr), undefined);
});

test('flood.max.unscoped limits plain floods, not scoped ones', () => {
  const regions = new RegionMap();
  const de = regions.putRegion('de', 0);
  assert.ok(de);
  de.flags = 0;
  const pr = prefs({ floodMaxUnscoped: 2 });
  const plain = packetOf({ payloadType: PAYLOAD_TYPE.GRP_TXT, path: path(2) });
  assert.is(decide(plain, pr, regions), 'flood-max-unscoped');
  const scoped = packetOf({ payloadType: PAYLOAD_TYPE.GRP_TXT, path: path(2), routeType: ROUTE_TYPE.TRANSPORT_FLOOD });
  scoped.transportCodes = [transportCode(regions.transportKeysFor(de)[0], scoped.payloadType, scoped.payload), 0];
  assert.is(decide(scoped, pr, regions), undefined);
});

test('region scopes: a code matches only a region that allows floods; unknown codes are not forwarded', () => {
  const regions = new RegionMap();
  const de = regions.putRegion('#de', 0);
  assert.ok(de);
  const p = packetOf({ payloadType: PAYLOAD_TYPE.GRP_TXT, routeType: ROUTE_TYPE.TRANSPORT_FLOOD });
  // code0 = HMAC-SHA256(SHA-256("#de")[0..16], type ‖ payload)[0..2] LE, computed here independently
  const key = createHash('sha256').update('#de').digest().subarray(0, 16);
  const mac = createHmac('sha256', key).update(Uint8Array.of(PAYLOAD_TYPE.GRP_TXT)).update(p.payload).digest();
  p.transportCodes = [mac.readUInt16LE(0), 0];
  assert.is(transportCode(key, p.payloadType, p.payload), mac.readUInt16LE(0));
  assert.is(decide(p, prefs(), regions), 'region', 'new regions deny floods until allowf');
  de.flags &= ~REGION_DENY_FLOOD;
  assert.is(decide(p, prefs(), regions), undefined);
  assert.is(floodRegion(regions, p), de);
  p.transportCodes = [(p.transportCodes[0] + 1) & 0xffff, 0];
  assert.is(decide(p, prefs(), regions), 'region');
});

test('unscoped floods: forwarded by default, dropped with denyf *', () => {
  const regions = new RegionMap();
  const p = packetOf({ payloadType: PAYLOAD_TYPE.TXT_MSG });
  assert.is(decide(p, prefs(), regions), undefined);
  regions.wildcard.flags |= REGION_DENY_FLOOD;
  assert.is(decide(p, prefs(), regions), 'region');
});

test('loop detection: own hash count against minimal / moderate / strict for 1-, 2- and 3-byte hashes', () => {
  const withSelf = (size: 1 | 2 | 3, times: number): McPacket => {
    const bytes: number[] = [];
    for (let i = 0; i < times; i++) bytes.push(...SELF.subarray(0, size), ...new Uint8Array(size).fill(0x77));
    return packetOf({ payloadType: PAYLOAD_TYPE.TXT_MSG, pathHashSize: size, path: Uint8Array.from(bytes) });
  };
  const cases: [1 | 2 | 3, number, number, boolean][] = [
    [1, LOOP_DETECT.MINIMAL, 3, false],
    [1, LOOP_DETECT.MINIMAL, 4, true],
    [1, LOOP_DETECT.MODERATE, 1, false],
    [1, LOOP_DETECT.MODERATE, 2, true],
    [1, LOOP_DETECT.STRICT, 1, true],
    [2, LOOP_DETECT.MINIMAL, 1, false],
    [2, LOOP_DETECT.MINIMAL, 2, true],
    [2, LOOP_DETECT.MODERATE, 1, true],
    [3, LOOP_DETECT.MINIMAL, 1, true],
  ];
  for (const [size, level, times, looped] of cases) {
    const p = withSelf(size, times);
    assert.is(isLooped(p, SELF, level), looped, `size ${size} level ${level} × ${times}`);
    assert.is(decide(p, prefs({ loopDetect: level })), looped ? 'loop' : undefined);
  }
  assert.is(decide(withSelf(1, 10), prefs({ loopDetect: LOOP_DETECT.OFF })), undefined, 'off by default');
});

test('repeat off refuses everything, direct packets included; direct packets skip the flood rules', () => {
  const direct = packetOf({ payloadType: PAYLOAD_TYPE.TXT_MSG, routeType: ROUTE_TYPE.DIRECT, path: path(10) });
  assert.is(decide(direct, prefs({ floodMax: 0 })), undefined);
  assert.is(decide(direct, prefs({ disableFwd: 1 })), 'disabled');
});

test('retransmit delay: uniform in [0, 5 × trunc(airtime × factor)]', () => {
  assert.is(retransmitDelayMs(100, 0.5, () => 0), 0);
  assert.is(retransmitDelayMs(100, 0.5, () => 0.999999), 250);
  assert.is(retransmitDelayMs(101, 0.3, () => 0.999999), 150); // t = trunc(30.3) = 30
  assert.is(retransmitDelayMs(100, 0, () => 0.999999), 0);
});

test.run();
