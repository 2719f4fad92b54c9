/**
 * The repeater on the real mesh (mesh/create-mesh.ts) on a MemoryAir: an admin client two hops away (through a
 * plain relay that forwards) logs in by flood, learns the path from the PATH return, runs a CLI command that comes
 * back direct; the repeater relays a third node's flood with its hash appended, and drops unscoped floods after
 * `region denyf *`; our boot advert verifies in the independent decoder.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../../lib/testing/virtual-clock.js';
import { PAYLOAD_TYPE, decodePacket } from '../ota/packet.js';
import { TestNetwork, identityFor, peerOf } from '../mesh/testing/mesh-network.js';
import { createMesh } from '../mesh/create-mesh.js';
import { createRepeater } from './repeater.js';
import { MemoryRepeaterStore } from './repeater-store.js';
import { createRtcClock } from './rtc-clock.js';
import { decodeTextPayload } from '../ota/text-payload.js';

test('login by flood through a relay, then CLI over the learned direct path', async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock);
  const repId = identityFor('repeater');
  const adminId = identityFor('admin');
  // admin knows the repeater as a peer; relay only forwards
  const admin = net.add('admin', { identity: adminId, peers: [peerOf(adminId, repId)] });
  const relay = net.add('relay', { forward: true });
  const rtc = createRtcClock(clock, 1_760_000_000);
  const radio = net.air.radio('repeater');
  const mesh = createMesh({ radio, identity: repId, modulation: net.modulation, clock, rtcSeconds: () => rtc.getCurrentTime() });
  const repeater = createRepeater({ mesh, clock, rtc, store: new MemoryRepeaterStore(), advertOnBoot: false });
  mesh.setHandler(repeater.handler);
  mesh.start();
  repeater.start();
  // topology: admin <-> relay <-> repeater (admin cannot hear the repeater)
  net.air.chain(['admin', 'relay', 'repeater']);

  const secret = adminId.sharedSecret(repId.publicKey);
  const login = new Uint8Array([...new Uint8Array(new Uint32Array([1_760_000_100]).buffer), ...new TextEncoder().encode('password')]);
  admin.mesh.sendFlood(admin.mesh.createAnonDatagram(PAYLOAD_TYPE.ANON_REQ, repId.publicKey, secret, login));
  await clock.sleep(20_000);
  assert.is(repeater.counters.loginsOk, 1);
  const path = admin.handler.paths.at(-1);
  assert.ok(path, 'PATH return reached the admin');
  assert.is(path.extraType, PAYLOAD_TYPE.RESPONSE);
  assert.is(path.extra[4], 0, 'LOGIN_OK');
  assert.is(path.extra[6], 1, 'admin');

  // CLI over the path the PATH told the admin
  const cmd = new Uint8Array([...new Uint8Array(new Uint32Array([1_760_000_200]).buffer), 1 << 2, ...new TextEncoder().encode('get name')]);
  admin.mesh.sendDirect(admin.mesh.createDatagram(PAYLOAD_TYPE.TXT_MSG, repId.publicKey, secret, cmd), path.path);
  await clock.sleep(20_000);
  const reply = admin.handler.peerData.find((d) => d.type === PAYLOAD_TYPE.TXT_MSG);
  assert.ok(reply, 'CLI reply reached the admin');
  const t = decodeTextPayload(reply.data);
  assert.is(t?.txtType, 1);
  assert.is(t?.text, '> repeater');
  assert.ok(relay.handler.forwardAsked.length > 0, 'the relay carried the exchange');
  await net.stop();
  await mesh.stop();
  repeater.stop();
});

async function repeaterBetween(clock: VirtualClock) {
  const net = new TestNetwork(clock);
  const repId = identityFor('repeater');
  const a = net.add('A');
  const z = net.add('Z');
  const rtc = createRtcClock(clock, 1_760_000_000);
  const mesh = createMesh({ radio: net.air.radio('R'), identity: repId, modulation: net.modulation, clock, rtcSeconds: () => rtc.getCurrentTime() });
  const repeater = createRepeater({ mesh, clock, rtc, store: new MemoryRepeaterStore() });
  mesh.setHandler(repeater.handler);
  mesh.start();
  net.air.chain(['A', 'R', 'Z']);
  return { net, a, z, mesh, repeater, repId };
}

test('floods are relayed with our hash appended (once); denyf * stops unscoped ones; scoped ones pass when allowed', async () => {
  const clock = new VirtualClock();
  const { net, a, z, mesh, repeater, repId } = await repeaterBetween(clock);
  const chan = { hash: 0x11, secret: new Uint8Array(16).fill(3) };
  a.mesh.sendFlood(a.mesh.createGroupDatagram(PAYLOAD_TYPE.GRP_TXT, chan, new TextEncoder().encode('xxxxhello')));
  await clock.sleep(10_000);
  const relayed = net.air.transmissions.filter((t) => t.from === 'R').map((t) => decodePacket(t.bytes));
  assert.is(relayed.length, 1);
  assert.equal(relayed[0].path, repId.publicKey.subarray(0, 1));
  assert.is(z.handler.rawFrames.length, 1);
  repeater.command('region denyf *');
  a.mesh.sendFlood(a.mesh.createGroupDatagram(PAYLOAD_TYPE.GRP_TXT, chan, new TextEncoder().encode('yyyyagain')));
  await clock.sleep(10_000);
  assert.is(net.air.transmissions.filter((t) => t.from === 'R').length, 1, 'unscoped flood not relayed');
  assert.is(repeater.counters.forwardRefused.region, 1);
  // a #de-scoped flood passes once the region allows floods
  repeater.command('region put de');
  const p = a.mesh.createGroupDatagram(PAYLOAD_TYPE.GRP_TXT, chan, new TextEncoder().encode('zzzzscoped'));
  const { regionKeyFor, regionTransportCodes } = await import('../ota/transport-code.js');
  a.mesh.sendFlood(p, { transportCodes: regionTransportCodes(regionKeyFor('#de'), p) });
  await clock.sleep(10_000);
  assert.is(net.air.transmissions.filter((t) => t.from === 'R').length, 2, 'scoped flood relayed');
  await net.stop();
  await mesh.stop();
});

test('our adverts on the air verify in @michaelhart/meshcore-decoder (boot advert within 60 s)', async () => {
  const clock = new VirtualClock();
  const { net, mesh, repeater, repId } = await repeaterBetween(clock);
  repeater.command('set name Hilltop');
  const t0 = clock.now();
  repeater.start();
  await clock.sleep(60_000);
  const frames = net.air.transmissions.filter((t) => t.from === 'R');
  assert.is(frames.length, 1);
  assert.ok(frames[0].startMs - t0 >= 16_000 && frames[0].startMs - t0 < 60_000, `boot advert at ${frames[0].startMs - t0} ms`);
  const { MeshCoreDecoder } = await import('@michaelhart/meshcore-decoder');
  const d = await MeshCoreDecoder.decodeWithVerification(Buffer.from(frames[0].bytes).toString('hex'), {});
  assert.ok(d.isValid);
  const decoded = d.payload.decoded as unknown as { signatureValid: boolean; publicKey: string; appData: { name?: string; deviceRole?: number } };
  assert.ok(decoded.signatureValid);
  assert.is(decoded.publicKey, Buffer.from(repId.publicKey).toString('hex').toUpperCase());
  assert.is(decoded.appData.name, 'Hilltop');
  assert.is(decoded.appData.deviceRole, 2);
  repeater.stop();
  await net.stop();
  await mesh.stop();
});

test.run();
