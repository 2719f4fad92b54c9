import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../../lib/testing/virtual-clock.js';
import { encryptThenMac } from '../ota/cipher.js';
import { PAYLOAD_TYPE, ROUTE_TYPE, decodePacket, encodePacket, type McPacket } from '../ota/packet.js';
import { TestNetwork, identityFor, peerOf } from './testing/mesh-network.js';

const text = (s: string) => new TextEncoder().encode(s);
const untext = (b: Uint8Array) => new TextDecoder().decode(b).replace(/\0+$/, '');

test('a DM is decrypted with the right peer among several whose key starts with the same byte', async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock);
  const a = net.add('A');
  const b = net.add('B');
  net.air.link('A', 'B');
  const first = a.identity.publicKey[0];
  const decoys = [identityFor('decoy1', first), identityFor('decoy2', first)];
  const peers = [peerOf(b.identity, decoys[0], 'd1'), peerOf(b.identity, decoys[1], 'd2'), peerOf(b.identity, a.identity, 'alice')];
  b.handler.searchPeersByHash = (h) => peers.filter((p) => p.publicKey[0] === h);
  assert.is(b.handler.searchPeersByHash(first).length, 3);
  a.mesh.sendFlood(a.mesh.createDatagram(PAYLOAD_TYPE.TXT_MSG, b.identity.publicKey, a.identity.sharedSecret(b.identity.publicKey), text('for B only')));
  await clock.sleep(30_000);
  assert.is(b.handler.peerData.length, 1);
  assert.is(b.handler.peerData[0].peer.ref, 'alice');
  assert.is(untext(b.handler.peerData[0].data), 'for B only');

  // The same bytes from someone B does not know: nothing delivered, counted as undecryptable.
  const stranger = identityFor('stranger', first);
  const forged = a.mesh.createDatagram(PAYLOAD_TYPE.TXT_MSG, b.identity.publicKey, stranger.sharedSecret(b.identity.publicKey), text('who am I'));
  a.mesh.sendFlood(forged);
  await clock.sleep(30_000);
  assert.is(b.handler.peerData.length, 1);
  assert.is(b.mesh.counters.dropped['undecryptable'], 1);
  await net.stop();
});

test('a DM for us is not forwarded (markDoNotRetransmit); one for someone else is', async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock);
  const a = net.add('A');
  const b = net.add('B', { forward: true });
  net.air.link('A', 'B');
  b.handler.searchPeersByHash = (h) => (h === a.identity.publicKey[0] ? [peerOf(b.identity, a.identity)] : []);
  a.mesh.sendFlood(a.mesh.createDatagram(PAYLOAD_TYPE.REQ, b.identity.publicKey, a.identity.sharedSecret(b.identity.publicKey), text('req')));
  await clock.sleep(30_000);
  assert.is(b.handler.peerData.length, 1);
  assert.is(net.air.sentBy('B').length, 0);
  const other = identityFor('other');
  a.mesh.sendFlood(a.mesh.createDatagram(PAYLOAD_TYPE.REQ, other.publicKey, a.identity.sharedSecret(other.publicKey), text('req2')));
  await clock.sleep(30_000);
  assert.is(net.air.sentBy('B').length, 1);
  await net.stop();
});

test('a flooded PATH is delivered with its path and extra, and the reciprocal path goes back direct', async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock);
  const a = net.add('A');
  net.add('R1', { forward: true });
  net.add('R2', { forward: true });
  const z = net.add('Z');
  net.air.chain(['A', 'R1', 'R2', 'Z']);
  z.handler.searchPeersByHash = (h) => (h === a.identity.publicKey[0] ? [peerOf(z.identity, a.identity)] : []);
  a.handler.searchPeersByHash = (h) => (h === z.identity.publicKey[0] ? [peerOf(a.identity, z.identity)] : []);
  const r1 = net.get('R1').identity.publicKey[0];
  const r2 = net.get('R2').identity.publicKey[0];
  // A tells Z how to reach it (Z → R2 → R1 → A) and carries an ACK as the extra.
  const ack = Uint8Array.of(1, 2, 3, 4);
  const pathToA = { hashSize: 1 as const, bytes: Uint8Array.of(r2, r1) };
  a.mesh.sendFlood(a.mesh.createPathReturn(z.identity.publicKey, a.identity.sharedSecret(z.identity.publicKey), pathToA, PAYLOAD_TYPE.ACK, ack));
  await clock.sleep(60_000);

  assert.is(z.handler.paths.length, 1);
  const got = z.handler.paths[0];
  assert.equal([...got.path.bytes], [r2, r1]);
  assert.is(got.extraType, PAYLOAD_TYPE.ACK);
  assert.equal([...got.extra.subarray(0, 4)], [...ack]);
  assert.is(got.rx.packet.routeType, ROUTE_TYPE.FLOOD);
  // The reciprocal: Z → A direct along [R2, R1], telling A the path the flood took (R1, R2).
  assert.is(a.handler.paths.length, 1);
  const back = a.handler.paths[0];
  assert.is(back.rx.packet.routeType, ROUTE_TYPE.DIRECT);
  assert.equal([...back.path.bytes], [r1, r2]);
  assert.is(back.extraType, 0x0f); // no extra: the dummy type 0xFF (low 4 bits) and 4 random bytes
  // A got it direct, so it does not answer with another reciprocal.
  assert.is(z.handler.paths.length, 1);
  await net.stop();
});

test('an ANON_REQ is decrypted with the secret of the key it carries and not forwarded by its addressee', async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock);
  const a = net.add('A');
  const z = net.add('Z', { forward: true });
  net.air.link('A', 'Z');
  const secret = a.identity.sharedSecret(z.identity.publicKey);
  a.mesh.sendFlood(a.mesh.createAnonDatagram(PAYLOAD_TYPE.ANON_REQ, z.identity.publicKey, secret, text('login:password')));
  await clock.sleep(30_000);
  assert.is(z.handler.anon.length, 1);
  assert.equal([...z.handler.anon[0].sender], [...a.identity.publicKey]);
  assert.equal([...z.handler.anon[0].secret], [...secret]);
  assert.is(untext(z.handler.anon[0].data), 'login:password');
  assert.is(net.air.sentBy('Z').length, 0);
  await net.stop();
});

test('a group datagram is decrypted by the right one of two channels sharing a hash byte, and still forwarded', async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock);
  const a = net.add('A');
  const z = net.add('Z', { forward: true });
  net.air.link('A', 'Z');
  const ch1 = { hash: 0x11, secret: new Uint8Array(16).fill(1), ref: 'one' };
  const ch2 = { hash: 0x11, secret: new Uint8Array(16).fill(2), ref: 'two' };
  z.handler.searchChannelsByHash = (h) => [ch1, ch2].filter((c) => c.hash === h);
  a.mesh.sendFlood(a.mesh.createGroupDatagram(PAYLOAD_TYPE.GRP_DATA, ch2, text('on two')));
  await clock.sleep(30_000);
  assert.is(z.handler.group.length, 1);
  assert.is(z.handler.group[0].channel.ref, 'two');
  assert.is(z.handler.group[0].type, PAYLOAD_TYPE.GRP_DATA);
  assert.is(untext(z.handler.group[0].data), 'on two');
  assert.is(net.air.sentBy('Z').length, 1);
  await net.stop();
});

test('a TRACE collects one SNR × 4 per hop and reaches the end of its path', async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock);
  const a = net.add('A');
  const r1 = net.add('R1', { forward: true });
  const r2 = net.add('R2', { forward: true });
  net.air.link('A', 'R1', { snrDb: 5.25 }).link('R1', 'R2', { snrDb: -3.5 });
  const hops = Uint8Array.of(r1.identity.publicKey[0], r2.identity.publicKey[0], r1.identity.publicKey[0]);
  a.mesh.sendDirect(a.mesh.createTrace(0x12345678, 0xcafe, 0), { hashSize: 1, bytes: hops });
  await clock.sleep(60_000);
  const mine = a.handler.traces;
  assert.is(mine.length, 1);
  assert.is(mine[0].trace.tag, 0x12345678);
  assert.is(mine[0].trace.authCode, 0xcafe);
  assert.equal([...mine[0].trace.snrs], [21, -14, -14]);
  assert.equal([...mine[0].trace.hashes], [...hops]);
  assert.is(mine[0].rx.snrDb, 5.25); // the last hop's SNR is what we measured
  assert.is(net.air.sentBy('R1').length, 2); // out and back: each pass has its own hash (path_len is hashed)
  assert.is(net.air.sentBy('R2').length, 1);
  await net.stop();
});

test('malformed frames are counted by reason, reported, and never throw', async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock);
  const z = net.add('Z', { forward: true });
  const frames: [string, number[]][] = [
    ['empty', []],
    ['version', [0x40 | (PAYLOAD_TYPE.TXT_MSG << 2) | 1, 0, 1, 2, 3]],
    ['path-mode', [(PAYLOAD_TYPE.TXT_MSG << 2) | 1, 0xc1, 9, 1, 2]],
    ['truncated', [(PAYLOAD_TYPE.TXT_MSG << 2) | 0, 1, 2]],
    ['truncated', [(PAYLOAD_TYPE.TXT_MSG << 2) | 1, 5, 1, 2]],
    ['path-length', [(PAYLOAD_TYPE.TXT_MSG << 2) | 1, 0x40 | 40, ...new Array(90).fill(1)]],
    ['no-payload', [(PAYLOAD_TYPE.TXT_MSG << 2) | 1, 2, 9, 9]],
    ['payload-too-long', [(PAYLOAD_TYPE.TXT_MSG << 2) | 1, 0, ...new Array(185).fill(0)]],
  ];
  for (const [, bytes] of frames) z.radio.deliver({ bytes: Uint8Array.from(bytes), snrDb: 1, rssiDbm: -90 });
  assert.is(z.mesh.counters.recvErrors, frames.length);
  assert.equal(z.handler.malformed.map((m) => m.reason), frames.map(([r]) => r));
  assert.is(z.mesh.counters.dropped['truncated'], 2);
  assert.is(z.handler.rawFrames.length, frames.length);

  // Frames that parse but whose payload does not fit its type.
  const pkt = (payloadType: number, payload: number[], routeType: McPacket['routeType'] = ROUTE_TYPE.FLOOD) =>
    encodePacket({ routeType, payloadType, version: 0, transportCodes: [0, 0], pathHashSize: 1, path: new Uint8Array(0), payload: Uint8Array.from(payload) });
  const a = identityFor('A');
  const forgedAdvert = [...a.publicKey, 1, 0, 0, 0, ...new Array(64).fill(7), 0x81];
  for (const bytes of [
    pkt(PAYLOAD_TYPE.ACK, [1, 2]),
    pkt(PAYLOAD_TYPE.TXT_MSG, [1, 2, 3, 4]),
    pkt(PAYLOAD_TYPE.ADVERT, new Array(99).fill(1)),
    pkt(PAYLOAD_TYPE.ADVERT, forgedAdvert),
    pkt(0x0c, [1, 2, 3]),
    pkt(PAYLOAD_TYPE.CONTROL, [0x00, 1]),
  ]) z.radio.deliver({ bytes, snrDb: 1, rssiDbm: -90 });
  const d = z.mesh.counters.dropped;
  assert.is(d['payload-layout'], 3);
  assert.equal(z.handler.malformed.slice(frames.length).map((m) => m.reason), ['payload-layout', 'payload-layout', 'payload-layout']);
  assert.is(d['bad-signature'], 1);
  assert.is(d['unknown-type'], 2);
  assert.is(z.handler.adverts.length, 0);
  // A handler that throws costs only its own callback.
  z.handler.onAckRecv = () => {
    throw new Error('app bug');
  };
  z.radio.deliver({ bytes: pkt(PAYLOAD_TYPE.ACK, [1, 2, 3, 4]), snrDb: 1, rssiDbm: -90 });
  assert.is(z.mesh.counters.dropped['handler-error'], 1);
  await clock.sleep(30_000);
  // Nothing malformed was forwarded: the one frame Z relays is the valid ACK (the app's failure does not stop it).
  const sent = net.air.sentBy('Z');
  assert.is(sent.length, 1);
  assert.is((sent[0].bytes[0] >> 2) & 0x0f, PAYLOAD_TYPE.ACK);
  await net.stop();
});

test('a PATH whose plaintext has a bad path_len is not delivered and, as in the firmware, still forwarded', async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock);
  const a = net.add('A');
  const b = net.add('B', { forward: true });
  net.air.link('A', 'B');
  b.handler.searchPeersByHash = (h) => (h === a.identity.publicKey[0] ? [peerOf(b.identity, a.identity)] : []);
  const secret = a.identity.sharedSecret(b.identity.publicKey);
  // path_len 0xC1: hash size code 3 is reserved (Packet::isValidPathLen).
  const sealed = encryptThenMac(secret, Uint8Array.of(0xc1, 0x99, PAYLOAD_TYPE.ACK, 1, 2, 3, 4));
  const payload = new Uint8Array(2 + sealed.length);
  payload.set([b.identity.publicKey[0], a.identity.publicKey[0]]);
  payload.set(sealed, 2);
  a.mesh.sendFlood({ routeType: ROUTE_TYPE.FLOOD, payloadType: PAYLOAD_TYPE.PATH, version: 0, transportCodes: [0, 0], pathHashSize: 1, path: new Uint8Array(0), payload });
  await clock.sleep(30_000);
  assert.is(b.handler.paths.length, 0);
  assert.is(b.mesh.counters.dropped['payload-layout'], 1);
  assert.is(b.mesh.counters.dropped['undecryptable'], undefined);
  assert.is(net.air.sentBy('B').length, 1);
  await net.stop();
});

test('filterRecvFloodPacket drops a flood before anything else: not delivered, not forwarded, counted', async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock);
  const a = net.add('A');
  const b = net.add('B', { forward: true });
  net.air.link('A', 'B');
  b.handler.filterRecvFloodPacket = (rx) => rx.packet.routeType === ROUTE_TYPE.FLOOD; // e.g. `region denyf *`
  a.mesh.sendFlood(a.mesh.createAdvert(Uint8Array.of(0x81, 0x41)));
  a.mesh.sendFlood(a.mesh.createAdvert(Uint8Array.of(0x81, 0x42)), { transportCodes: [7, 0] });
  await clock.sleep(30_000);
  assert.is(b.mesh.counters.dropped['filtered'], 1);
  assert.is(b.handler.adverts.length, 1);
  assert.is(b.handler.adverts[0].rx.packet.routeType, ROUTE_TYPE.TRANSPORT_FLOOD);
  const sent = net.air.sentBy('B').map((t) => decodePacket(t.bytes));
  assert.is(sent.length, 1);
  assert.equal(sent[0].transportCodes, [7, 0]); // a forwarded scoped flood keeps its codes
  await net.stop();
});

test('ACK codes reach onAckRecv as u32 LE: flood ACK (6-byte v1.17 form), multipart ACK, early ACK on its way to another', async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock);
  const z = net.add('Z');
  const pkt = (payloadType: number, payload: number[], routeType: McPacket['routeType'] = ROUTE_TYPE.FLOOD, path: number[] = []) =>
    encodePacket({ routeType, payloadType, version: 0, transportCodes: [0, 0], pathHashSize: 1, path: Uint8Array.from(path), payload: Uint8Array.from(payload) });
  z.radio.deliver({ bytes: pkt(PAYLOAD_TYPE.ACK, [0x78, 0x56, 0x34, 0x12, 5, 0x99]), snrDb: 1, rssiDbm: -90 });
  z.radio.deliver({ bytes: pkt(PAYLOAD_TYPE.MULTIPART, [(1 << 4) | PAYLOAD_TYPE.ACK, 0xef, 0xbe, 0xad, 0xde]), snrDb: 1, rssiDbm: -90 });
  const other = (z.identity.publicKey[0] + 1) & 0xff;
  z.radio.deliver({ bytes: pkt(PAYLOAD_TYPE.ACK, [1, 0, 0, 0x80], ROUTE_TYPE.DIRECT, [other]), snrDb: 1, rssiDbm: -90 });
  assert.equal(z.handler.acks, [0x12345678, 0xdeadbeef, 0x80000001]);
  await net.stop();
});

test.run();
