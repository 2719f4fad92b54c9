/**
 * Remote admin as examples/simple_repeater/MyMesh.cpp answers it: ANON_REQ login (admin, guest, wrong password,
 * replay), the reply route (PATH return when flooded, datagram otherwise; scope), the ACL saved 5 s later, REQ
 * GET_STATUS / GET_ACCESS_LIST / GET_NEIGHBOURS / GET_OWNER_INFO / GET_TELEMETRY_DATA, and the anonymous
 * sub-requests.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { macThenDecrypt } from '../ota/cipher.js';
import { PAYLOAD_TYPE, ROUTE_TYPE } from '../ota/packet.js';
import { PERM_ACL } from '../ota/request-codes.js';
import { decodeRepeaterStats, REPEATER_STATS_SIZE } from '../ota/repeater-stats.js';
import type { MemoryRepeaterStore } from './repeater-store.js';
import { ADV_TYPE, encodeAdvertData } from '../ota/advert-data.js';
import { packetOf, received } from './testing/fake-mesh.js';
import { anon, bytes, fromClient, loginAdmin, makeRepeater, peer, seed, u32 } from './testing/repeater-fixture.js';
import { identityFromSeed } from '../ota/identity.js';

test('admin login by flood: PATH return carrying the 13-byte LOGIN_OK, flooded unscoped after 300 ms', () => {
  const f = makeRepeater();
  anon(f, bytes(u32(1000), 'password'));
  assert.is(f.repeater.counters.loginsOk, 1);
  const pr = f.mesh.created.find((c) => c.op === 'path-return');
  assert.ok(pr);
  assert.equal(pr.dest, f.client.publicKey);
  assert.equal(pr.path, { hashSize: 1, bytes: Uint8Array.of(0x11, 0x22) });
  assert.is(pr.extraType, PAYLOAD_TYPE.RESPONSE);
  const now = f.rtc.getCurrentTime();
  // server time · LOGIN_OK · legacy 0 · is_admin · permissions · 4 random · FIRMWARE_VER_LEVEL
  assert.equal(pr.extra, bytes(u32(now), [0, 0, 1, PERM_ACL.ADMIN, 128, 128, 128, 128, 2]));
  assert.is(f.mesh.sent.length, 1);
  const s = f.mesh.sent[0];
  assert.is(s.kind, 'flood');
  if (s.kind === 'flood') {
    assert.is(s.options.delayMs, 300);
    assert.is(s.options.transportCodes, undefined);
    assert.is(s.options.pathHashSize, 1);
  }
  // the PATH payload really is encrypted with the shared secret, dest hash first
  const plain = macThenDecrypt(f.client.sharedSecret(f.self.publicKey), s.packet.payload.subarray(2));
  assert.ok(plain);
  assert.is(s.packet.payload[0], f.client.publicKey[0]);
  assert.equal(plain.subarray(0, 3), Uint8Array.of(2, 0x11, 0x22));
});

test('login refusals: wrong password and replayed timestamp send nothing and are counted', () => {
  const f = makeRepeater();
  anon(f, bytes(u32(1000), 'wrong'));
  assert.is(f.mesh.sent.length, 0);
  assert.is(f.repeater.counters.loginsFailed, 1);
  anon(f, bytes(u32(1000), 'password'));
  assert.is(f.mesh.sent.length, 1);
  anon(f, bytes(u32(1000), 'password'));
  anon(f, bytes(u32(999), 'password'));
  assert.is(f.mesh.sent.length, 1, 'replays get no answer');
  assert.is(f.repeater.counters.replays, 2);
  anon(f, bytes(u32(1001), 'password'));
  assert.is(f.mesh.sent.length, 2);
});

test('blank password: a guest login while the guest password is empty (firmware default); a known client keeps its role', () => {
  const f = makeRepeater();
  anon(f, bytes(u32(5), [0]));
  const pr = f.mesh.created.find((c) => c.op === 'path-return');
  assert.ok(pr?.extra);
  assert.is(pr.extra[6], 0, 'not admin');
  assert.is(pr.extra[7], 0, 'guest permissions');
  f.mesh.created.length = 0;
  anon(f, bytes(u32(6), 'password'));
  anon(f, bytes(u32(7), [0]));
  const again = f.mesh.created.filter((c) => c.op === 'path-return').at(-1);
  assert.is(again?.extra?.[6], 1, 'blank password from an admin already in the ACL');
});

test('direct login with no stored path: RESPONSE datagram flooded in the default scope when one is set', () => {
  const f = makeRepeater({ defaultScope: '#de' });
  anon(f, bytes(u32(1000), 'password'), ROUTE_TYPE.DIRECT, []);
  const dg = f.mesh.created.find((c) => c.op === 'datagram');
  assert.is(dg?.type, PAYLOAD_TYPE.RESPONSE);
  const s = f.mesh.sent[0];
  assert.is(s.kind, 'flood');
  if (s.kind === 'flood') assert.ok(s.options.transportCodes && s.options.transportCodes[0] !== 0);
});

test('the ACL is saved LAZY_CONTACTS_WRITE_DELAY (5 s) after an admin login, in the /s_contacts layout', async () => {
  const f = makeRepeater();
  const store = f.store as MemoryRepeaterStore;
  anon(f, bytes(u32(1000), 'password'));
  assert.is(store.saves.length, 0);
  await f.clock.advance(5000);
  assert.is(store.saves.length, 1);
  const acl = store.saves[0].acl;
  assert.ok(acl);
  assert.is(acl.length, 136);
  assert.equal(acl.subarray(0, 32), f.client.publicKey);
  assert.is(acl[32], PERM_ACL.ADMIN);
  assert.is(acl[39], 0xff, 'out path unknown after a flooded login');
});

test('GET_STATUS: tag then the 56-byte RepeaterStats from the mesh counters; reply along the stored out path', async () => {
  let mv = 3987;
  const f = makeRepeater({ battery: () => mv, noiseFloorDbm: () => -118 });
  loginAdmin(f);
  const m = peer(f);
  assert.ok(m && f.repeater.ownsPeer(m));
  // a PATH from the client tells the repeater the way back
  f.repeater.handler.onPeerPathRecv?.(received(packetOf({ payloadType: PAYLOAD_TYPE.PATH })), m, { hashSize: 1, bytes: Uint8Array.of(0x33) }, 0, new Uint8Array(0));
  Object.assign(f.mesh.counters, { sentFlood: 7, sentDirect: 3, recvFlood: 40, recvDirect: 9, floodDups: 5, directDups: 2, recvErrors: 4, txAirMs: 12_345, rxAirMs: 67_890 });
  f.mesh.signal = { snrDb: 6.25, rssiDbm: -97 };
  f.mesh.queue = 2;
  for (let i = 0; i < 11; i++) f.repeater.handler.logRxRaw?.(new Uint8Array(3), 1, -90);
  await f.clock.advance(42_000);
  fromClient(f, PAYLOAD_TYPE.REQ, bytes(u32(2000), [0x01, 0, 0, 0, 0]), ROUTE_TYPE.DIRECT, []);
  const dg = f.mesh.created.find((c) => c.op === 'datagram');
  assert.ok(dg?.data);
  assert.is(dg.type, PAYLOAD_TYPE.RESPONSE);
  assert.is(dg.data.length, 4 + REPEATER_STATS_SIZE);
  assert.equal(dg.data.subarray(0, 4), u32(2000));
  assert.equal(decodeRepeaterStats(dg.data.subarray(4)), {
    battMilliVolts: 3987,
    currTxQueueLen: 2,
    noiseFloor: -118,
    lastRssi: -97,
    nPacketsRecv: 11,
    nPacketsSent: 10,
    totalAirTimeSecs: 12,
    totalUpTimeSecs: 42,
    nSentFlood: 7,
    nSentDirect: 3,
    nRecvFlood: 40,
    nRecvDirect: 9,
    errEvents: 0,
    lastSnr: 25,
    nDirectDups: 2,
    nFloodDups: 5,
    totalRxAirTimeSecs: 67,
    nRecvErrors: 4,
  });
  const s = f.mesh.sent[0];
  assert.is(s.kind, 'direct');
  if (s.kind === 'direct') {
    assert.equal(s.path.bytes, Uint8Array.of(0x33));
    assert.is(s.delayMs, 300);
  }
  // same timestamp again: replay, no answer
  fromClient(f, PAYLOAD_TYPE.REQ, bytes(u32(2000), [0x01]), ROUTE_TYPE.DIRECT, []);
  assert.is(f.mesh.sent.length, 1);
  mv = 0;
});

test('GET_TELEMETRY_DATA: LPP voltage on channel 1 (absent battery = 0 V); KEEP_ALIVE gets no answer (v1.17.1)', () => {
  const f = makeRepeater({ battery: () => 4123 });
  loginAdmin(f);
  fromClient(f, PAYLOAD_TYPE.REQ, bytes(u32(2000), [0x03, 0, 0, 0, 0]));
  const pr = f.mesh.created.find((c) => c.op === 'path-return');
  assert.equal(pr?.extra, bytes(u32(2000), [1, 116, 0x01, 0x9c])); // 4.123 V → 412
  f.mesh.created.length = 0;
  fromClient(f, PAYLOAD_TYPE.REQ, bytes(u32(2001), [0x02]));
  assert.is(f.mesh.created.length, 0);
  assert.is(f.repeater.counters.requestsUnanswered, 1);
  const g = makeRepeater();
  loginAdmin(g);
  fromClient(g, PAYLOAD_TYPE.REQ, bytes(u32(2000), [0x03]));
  assert.equal(g.mesh.created.find((c) => c.op === 'path-return')?.extra, bytes(u32(2000), [1, 116, 0, 0]));
});

test('GET_ACCESS_LIST (admins only): 6-byte key prefix and permissions per entry; GET_OWNER_INFO', () => {
  const f = makeRepeater();
  loginAdmin(f);
  assert.is(f.repeater.command('set owner.info Ann|call 123'), 'OK');
  fromClient(f, PAYLOAD_TYPE.REQ, bytes(u32(2000), [0x05, 0, 0]));
  assert.equal(f.mesh.created.at(-1)?.extra, bytes(u32(2000), f.client.publicKey.subarray(0, 6), [3]));
  fromClient(f, PAYLOAD_TYPE.REQ, bytes(u32(2001), [0x07]));
  assert.equal(f.mesh.created.at(-1)?.extra, bytes(u32(2001), 'v1.17.1\nrepeater\nAnn\ncall 123'));
});

test('neighbours from zero-hop repeater adverts: GET_NEIGHBOURS answer and the CLI list', () => {
  const f = makeRepeater();
  loginAdmin(f);
  const n1 = identityFromSeed(seed(7));
  const n2 = identityFromSeed(seed(8));
  const advert = (pk: Uint8Array, hops: number[], type: number = ADV_TYPE.REPEATER, snrDb = 7.5): void => {
    const p = packetOf({ payloadType: PAYLOAD_TYPE.ADVERT, path: Uint8Array.from(hops) });
    f.repeater.handler.onAdvertRecv?.(received(p, { snrDb }), { publicKey: pk, timestamp: 1234, appData: encodeAdvertData({ type, name: 'n' }) });
  };
  advert(n1.publicKey, []);
  advert(identityFromSeed(seed(9)).publicKey, [0x55]); // not zero-hop
  advert(identityFromSeed(seed(10)).publicKey, [], ADV_TYPE.CHAT); // not a repeater
  f.rtc.setCurrentTime(f.rtc.getCurrentTime() + 30);
  advert(n2.publicKey, [], ADV_TYPE.REPEATER, -2.25);
  f.rtc.setCurrentTime(f.rtc.getCurrentTime() + 10);
  assert.is(f.repeater.neighbours().length, 2);
  const hex4 = (pk: Uint8Array): string => Buffer.from(pk.subarray(0, 4)).toString('hex').toUpperCase();
  assert.is(f.repeater.command('neighbors'), `${hex4(n2.publicKey)}:10:-9\n${hex4(n1.publicKey)}:40:30`);
  // count 10, offset 0, order strongest first, 4-byte prefixes
  fromClient(f, PAYLOAD_TYPE.REQ, bytes(u32(2000), [0x06, 0, 10, 0, 0, 2, 4, 1, 2, 3, 4]));
  const e = (pk: Uint8Array, ago: number, snr: number): Uint8Array => bytes(pk.subarray(0, 4), u32(ago), [snr & 0xff]);
  assert.equal(f.mesh.created.at(-1)?.extra, bytes(u32(2000), [2, 0, 2, 0], e(n1.publicKey, 40, 30), e(n2.publicKey, 10, -9)));
});

test('anonymous sub-requests (direct only): regions, owner and clock answer along the supplied path; rate limited', () => {
  const f = makeRepeater();
  f.repeater.command('region put de');
  const now = f.rtc.getCurrentTime();
  anon(f, bytes(u32(77), [0x01, 0x01, 0x99]), ROUTE_TYPE.DIRECT, []);
  assert.equal(f.mesh.created.at(-1)?.data, bytes(u32(77), u32(now), '*,de'));
  let s = f.mesh.sent.at(-1);
  assert.ok(s?.kind === 'direct' && s.path.bytes[0] === 0x99 && s.path.bytes.length === 1);
  anon(f, bytes(u32(78), [0x02, 0x00]), ROUTE_TYPE.DIRECT, []);
  assert.equal(f.mesh.created.at(-1)?.data, bytes(u32(78), u32(now), 'repeater\n'));
  anon(f, bytes(u32(79), [0x03, 0x00]), ROUTE_TYPE.DIRECT, []);
  assert.equal(f.mesh.created.at(-1)?.data, bytes(u32(79), u32(now), [0]));
  s = f.mesh.sent.at(-1);
  assert.ok(s?.kind === 'direct' && s.path.bytes.length === 0, 'empty supplied path = zero hop');
  anon(f, bytes(u32(80), [0x03, 0x00]), ROUTE_TYPE.DIRECT, []);
  assert.is(f.mesh.sent.length, 4);
  anon(f, bytes(u32(81), [0x03, 0x00]), ROUTE_TYPE.DIRECT, []);
  assert.is(f.mesh.sent.length, 4, 'fifth within 3 minutes is refused');
  assert.is(f.repeater.counters.anonRateLimited, 1);
  // flooded sub-requests are ignored
  anon(f, bytes(u32(90), [0x03, 0x00]));
  assert.is(f.mesh.sent.length, 4);
});

test('anonymous sub-request whose reply path runs past the decrypted data: no reply, counted malformed, limiter spent', () => {
  const f = makeRepeater();
  // path_len 0x0c = twelve 1-byte hashes, but a 16-byte block holds only 10 after ts · type · path_len. The firmware
  // would copy the 2 missing bytes from whatever its stack buffer held; we refuse (ota/login.ts).
  anon(f, bytes(u32(77), [0x03, 0x0c], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), ROUTE_TYPE.DIRECT, []);
  assert.is(f.mesh.sent.length, 0);
  assert.is(f.repeater.counters.malformed, 1);
  // path_len 0x0a fits the block: answered along the 10 supplied hashes
  anon(f, bytes(u32(78), [0x03, 0x0a], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), ROUTE_TYPE.DIRECT, []);
  const s = f.mesh.sent.at(-1);
  assert.ok(s?.kind === 'direct' && s.path.bytes.length === 10);
  // the refused one spent its place in anon_limiter(4, 180), as in the firmware: two more pass, the next does not
  anon(f, bytes(u32(79), [0x03, 0x00]), ROUTE_TYPE.DIRECT, []);
  anon(f, bytes(u32(80), [0x03, 0x00]), ROUTE_TYPE.DIRECT, []);
  assert.is(f.repeater.counters.anonRateLimited, 0);
  anon(f, bytes(u32(81), [0x03, 0x00]), ROUTE_TYPE.DIRECT, []);
  assert.is(f.repeater.counters.anonRateLimited, 1);
  assert.is(f.mesh.sent.length, 3);
});

test.run();
