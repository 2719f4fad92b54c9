/**
 * The advert schedule in virtual time (ManualClock): a zero-hop advert handed to the mesh at start with the boot
 * delay of 16 s, then zero-hop every advert.interval (2 minutes by default) and a flood advert every
 * flood.advert.interval (47 h), the flood one restarting the zero-hop period; CLI changes re-arm the timers.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifySignature } from '../ota/identity.js';
import { decodeAdvertData } from '../ota/advert-data.js';
import { makeRepeater } from './testing/repeater-fixture.js';
import type { Sent } from './testing/fake-mesh.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const kinds = (sent: Sent[]): string[] => sent.map((s) => (s.kind === 'zero-hop' ? `z${s.delayMs}` : s.kind === 'flood' ? 'flood' : s.kind));

test('boot advert within 60 s, zero-hop every 2 minutes, flood every 47 hours', async () => {
  const f = makeRepeater();
  f.repeater.start();
  assert.equal(kinds(f.mesh.sent), ['z16000']);
  const ad = f.mesh.created[0];
  assert.equal(decodeAdvertData(ad.data ?? new Uint8Array(0)), { type: 2, name: 'repeater', lat: 0, lon: 0 });
  // the packet's signature covers pk ‖ ts ‖ app data
  const pl = ad.packet.payload;
  assert.ok(verifySignature(pl.subarray(0, 32), new Uint8Array([...pl.subarray(0, 36), ...pl.subarray(100)]), pl.subarray(36, 100)));
  await f.clock.advance(2 * MIN - 1);
  assert.is(f.mesh.sent.length, 1);
  await f.clock.advance(1);
  assert.equal(kinds(f.mesh.sent), ['z16000', 'z0']);
  await f.clock.advance(47 * HOUR - 2 * MIN);
  const sent = kinds(f.mesh.sent);
  assert.is(sent.at(-1), 'flood');
  // 47 h at 2-minute steps: 1410 zero-hop slots, the last of which is the flood one
  assert.is(sent.filter((k) => k === 'z0').length, 1409);
  assert.is(f.repeater.counters.advertsSent.flood, 1);
  // the flood advert restarted the zero-hop period
  await f.clock.advance(2 * MIN);
  assert.is(kinds(f.mesh.sent).at(-1), 'z0');
  f.repeater.stop();
  assert.is(f.clock.pending('meshcore-repeater-advert'), 0);
});

test('advert.interval and flood.advert.interval from the CLI re-arm the schedule; 0 stops it', async () => {
  const f = makeRepeater({ advertOnBoot: false });
  f.repeater.start();
  assert.is(f.repeater.command('set advert.interval 60'), 'OK');
  await f.clock.advance(59 * MIN);
  assert.is(f.mesh.sent.length, 0);
  await f.clock.advance(MIN);
  assert.equal(kinds(f.mesh.sent), ['z0']);
  assert.is(f.repeater.command('set flood.advert.interval 3'), 'OK');
  await f.clock.advance(3 * HOUR);
  assert.is(kinds(f.mesh.sent).at(-1), 'flood');
  assert.is(f.repeater.command('set advert.interval 0'), 'OK');
  assert.is(f.repeater.command('set flood.advert.interval 0'), 'OK');
  assert.is(f.clock.pending('meshcore-repeater-advert'), 0);
});

test('flood adverts use the path hash size of path.hash.mode', () => {
  const f = makeRepeater();
  f.repeater.command('set path.hash.mode 1');
  f.repeater.advertNow(true);
  const s = f.mesh.sent.at(-1);
  assert.ok(s?.kind === 'flood' && s.options.pathHashSize === 2 && s.options.delayMs === 0);
});

test.run();
