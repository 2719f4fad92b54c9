/** simple_repeater's anonymous sub-request answers and owner info (MyMesh::handleAnon*Req, handleRequest). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOCK_FEATURE, decodeAnonReply, encodeAnonClockReply, encodeAnonOwnerReply, encodeAnonRegionsReply, encodeAnonSubRequest, encodeOwnerInfo, regionNamesText } from './anon-replies.js';
import { decodeRepeaterAnonRequest } from './login.js';
import { ANON_REQ_TYPE } from './request-codes.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const text = (b: Uint8Array) => new TextDecoder().decode(b);

test('sub-request round trip through the repeater decoder', () => {
  const r = encodeAnonSubRequest(0x10203040, ANON_REQ_TYPE.OWNER, 0x41, Uint8Array.of(0xaa, 0xbb));
  assert.is(hex(r), '40302010' + '02' + '41' + 'aabb');
  const d = decodeRepeaterAnonRequest(r);
  assert.is(d.kind, 'owner');
  assert.is(hex((d as { replyPath: Uint8Array }).replyPath), 'aabb');
});

test('regions: "*" first when the wildcard floods, names without "#", comma-separated, no trailing comma', () => {
  assert.is(text(regionNamesText(true, ['#de', 'nl'])), '*,de,nl');
  assert.is(text(regionNamesText(false, ['#de'])), 'de');
  assert.is(regionNamesText(false, []).length, 0);
  assert.is(text(regionNamesText(true, [])), '*');
  // exportNamesTo's max_len (the CLI passes its own): a name goes in only if used + len + 2 < max_len
  assert.is(text(regionNamesText(false, ['#aa', 'bb', 'c'], 7)), 'aa,c');
  const r = encodeAnonRegionsReply(7, 0x11223344, true, ['#de']);
  assert.is(hex(r.subarray(0, 8)), '07000000' + '44332211');
  const padded = new Uint8Array(32);
  padded.set(r);
  assert.equal(decodeAnonReply(padded).text, '*,de');
});

test('regions: a name is added only while used + len + 2 < 172 (RegionMap::exportNamesTo)', () => {
  const names = Array.from({ length: 40 }, (_, i) => `region${String(i).padStart(2, '0')}`); // 8 bytes each
  const t = text(regionNamesText(false, names));
  // 18 names use 18 × 9 = 162; the 19th needs 162 + 8 + 2 = 172, not < 172.
  assert.is(t.split(',').length, 18);
  assert.ok(t.length < 172);
});

test('owner and clock replies; owner info text', () => {
  const o = encodeAnonOwnerReply(1, 2, 'Rooftop', 'call me');
  assert.is(text(o.subarray(8)), 'Rooftop\ncall me');
  const c = encodeAnonClockReply(1, 2, CLOCK_FEATURE.FORWARDING_DISABLED);
  assert.is(hex(c), '01000000' + '02000000' + '80');
  assert.is(decodeAnonReply(c).features, 0x80);
  assert.is(text(encodeOwnerInfo('v1.17.1', 'Rooftop', '')), 'v1.17.1\nRooftop\n');
  assert.throws(() => decodeAnonReply(new Uint8Array(7)), (e: Error) => e.name === 'MeshCoreMalformedPacketError');
});

test.run();
