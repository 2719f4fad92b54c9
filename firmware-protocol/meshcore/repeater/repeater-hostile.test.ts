/**
 * Hostile input through every entry point: random request bodies, random CLI lines built on every command prefix,
 * random control payloads and adverts. Nothing may throw inside the repeater (counters.errors stays 0: the guard
 * around the callbacks is a last resort, not the way bad input is handled).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PAYLOAD_TYPE, ROUTE_TYPE } from '../ota/packet.js';
import { seededRandom } from '../mesh/testing/mesh-network.js';
import { packetOf, received } from './testing/fake-mesh.js';
import { anon, fromClient, loginAdmin, makeRepeater, u32, bytes } from './testing/repeater-fixture.js';

const PREFIXES = [
  'get ', 'set ', 'region ', 'region def ', 'region load', 'setperm ', 'neighbor.remove ', 'tempradio ', 'password ', 'time ',
  'clock sync', 'advert', 'sensor list ', 'set radio ', 'set owner.info ', 'set name ', 'set prv.key ', 'xx|', 'discover.neighbors',
];
const JUNK = ['', ' ', '*', '#', '$x', '|', ',', '0', '-1', '999999999999', 'on', 'off', '1e99', 'NaN', '\u00e9\u00e9', 'a'.repeat(200), '\x01\x02', '  de F'];

test('random CLI lines on every prefix answer without throwing', () => {
  const f = makeRepeater();
  const rnd = seededRandom(7);
  const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];
  for (let i = 0; i < 3000; i++) {
    const line = pick(PREFIXES) + pick(JUNK) + (rnd() < 0.5 ? ` ${pick(JUNK)}` : '') + (rnd() < 0.3 ? `,${pick(JUNK)}` : '');
    const reply = f.repeater.command(line);
    assert.type(reply, 'string');
  }
  // end a pending region load if one was started
  f.repeater.command('');
  assert.is(f.repeater.counters.errors, 0);
});

test('random bodies for ANON_REQ, REQ, TXT_MSG, PATH, CONTROL and adverts are refused quietly', () => {
  const f = makeRepeater();
  const rnd = seededRandom(11);
  const junk = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
  for (let i = 0; i < 500; i++) {
    anon(f, junk(Math.floor(rnd() * 40)), rnd() < 0.5 ? ROUTE_TYPE.FLOOD : ROUTE_TYPE.DIRECT);
    anon(f, bytes(u32(100 + i), [1 + (i % 3)], junk(Math.floor(rnd() * 70))), ROUTE_TYPE.DIRECT);
    const ctl = packetOf({ payloadType: PAYLOAD_TYPE.CONTROL, routeType: ROUTE_TYPE.DIRECT, payload: junk(1 + Math.floor(rnd() * 50)) });
    f.repeater.handler.onControlDataRecv?.(received(ctl));
    f.repeater.handler.onAdvertRecv?.(received(packetOf({ payloadType: PAYLOAD_TYPE.ADVERT })), { publicKey: junk(32), timestamp: i, appData: junk(Math.floor(rnd() * 33)) });
  }
  loginAdmin(f, 5);
  for (let i = 0; i < 500; i++) {
    fromClient(f, PAYLOAD_TYPE.REQ, bytes(u32(1000 + i), junk(Math.floor(rnd() * 30))), rnd() < 0.5 ? ROUTE_TYPE.FLOOD : ROUTE_TYPE.DIRECT);
    fromClient(f, PAYLOAD_TYPE.TXT_MSG, bytes(u32(5000 + i), [rnd() < 0.5 ? 4 : 0], junk(Math.floor(rnd() * 60))));
  }
  assert.is(f.repeater.counters.errors, 0);
});

test.run();
