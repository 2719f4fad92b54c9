/** Advert app data (AdvertDataBuilder::encodeTo / AdvertDataParser). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ADV_TYPE, decodeAdvertData, encodeAdvertData } from './advert-data.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('flags, i32 LE ×1e6 location, feat1, feat2, name in that order', () => {
  const b = encodeAdvertData({ type: ADV_TYPE.REPEATER, lat: 47.543968, lon: -122.108616, feat1: 0x0102, feat2: 0x0304, name: 'R' });
  assert.is(b[0], 0x02 | 0x10 | 0x20 | 0x40 | 0x80);
  const dv = Buffer.from(b);
  assert.is(dv.readInt32LE(1), 47543968);
  assert.is(dv.readInt32LE(5), -122108616);
  assert.is(dv.readUInt16LE(9), 0x0102);
  assert.is(dv.readUInt16LE(11), 0x0304);
  assert.is(new TextDecoder().decode(b.subarray(13)), 'R');
  assert.equal(decodeAdvertData(b), { type: 2, lat: 47.543968, lon: -122.108616, feat1: 0x0102, feat2: 0x0304, name: 'R' });
});

test('the name budget: 31 bytes without location, 23 with, cut on a whole UTF-8 character', () => {
  const long = 'x'.repeat(40);
  assert.is(encodeAdvertData({ type: 1, name: long }).length, 32);
  assert.is(encodeAdvertData({ type: 1, name: long, lat: 1, lon: 2 }).length, 32);
  const emoji = 'x'.repeat(29) + '🛰'; // 29 + 4 bytes: the satellite does not fit in 31
  const b = encodeAdvertData({ type: 1, name: emoji });
  assert.is(b.length, 30);
  assert.is(decodeAdvertData(b)!.name, 'x'.repeat(29));
  assert.is(hex(encodeAdvertData({ type: 1, name: '' })), '01', 'no name flag for an empty name');
});

test('parser: shorter than the flags say → undefined; name flag with no bytes → no name; NUL ends the name', () => {
  assert.is(decodeAdvertData(new Uint8Array(0)), undefined);
  assert.is(decodeAdvertData(Uint8Array.of(0x11, 1, 2, 3)), undefined);
  assert.is(decodeAdvertData(Uint8Array.of(0x21, 1)), undefined);
  assert.equal(decodeAdvertData(Uint8Array.of(0x81)), { type: 1 });
  assert.equal(decodeAdvertData(Uint8Array.of(0x81, 0x41, 0x00, 0x42)), { type: 1, name: 'A' });
  assert.equal(decodeAdvertData(Uint8Array.of(0x03, 0x41)), { type: 3 }, 'bytes without the name flag are ignored');
});

test.run();
