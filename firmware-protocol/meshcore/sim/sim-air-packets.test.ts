/** The simulator's on-air packets, checked with an independent parser (meshcore.js Packet/Advert) and by decrypting. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDecipheriv, createHmac } from 'node:crypto';
import { Packet, Advert } from '@liamcottle/meshcore.js';
import { advertPacket, grpTxtPacket, newSimIdentity, sharedSecret, txtMsgPacket, PAYLOAD_TYPE } from './sim-air-packets.js';
import { PUBLIC_CHANNEL_SECRET, hashtagChannelSecret } from '../channel-secret.js';
import { SimDevice } from './sim-device.js';
import { SimMesh } from './sim-mesh.js';
import { connectMemoryLink } from './memory-link.js';
import { MeshCoreSession } from '../client-session.js';
import { PUSH } from '../codes.js';

function decrypt(secret: Uint8Array, macAndCt: Uint8Array): Buffer {
  const mac = macAndCt.subarray(0, 2);
  const ct = macAndCt.subarray(2);
  const key32 = new Uint8Array(32);
  key32.set(secret.subarray(0, 32));
  assert.is(Buffer.from(createHmac('sha256', key32).update(ct).digest().subarray(0, 2)).toString('hex'), Buffer.from(mac).toString('hex'), 'MAC');
  const d = createDecipheriv('aes-128-ecb', secret.subarray(0, 16), null);
  d.setAutoPadding(false);
  return Buffer.concat([d.update(ct), d.final()]);
}

test('GRP_TXT on the Public channel: header, path, channel hash 0x11, decrypts to ts · 0 · text', () => {
  const raw = grpTxtPacket(PUBLIC_CHANNEL_SECRET, 1700000000, 'Alice: hi', 3);
  const p = Packet.fromBytes(raw);
  assert.is(p.payload_type, PAYLOAD_TYPE.GRP_TXT);
  assert.is(p.route_type, 1);
  assert.is(p.getPathHashCount(), 3);
  assert.is(p.payload[0], 0x11);
  const plain = decrypt(PUBLIC_CHANNEL_SECRET, p.payload.subarray(1));
  assert.is(plain.readUInt32LE(0), 1700000000);
  assert.is(plain[4], 0);
  assert.is(plain.subarray(5).toString('utf8').replace(/\0+$/, ''), 'Alice: hi');
  assert.is(plain.length % 16, 0);
});

test('ADVERT: Ed25519 signature verifies with meshcore.js, name and type parse', async () => {
  const id = newSimIdentity();
  const p = Packet.fromBytes(advertPacket(id, 1700000123, 2, 'Hilltop', 1));
  assert.is(p.payload_type, PAYLOAD_TYPE.ADVERT);
  const a = Advert.fromBytes(p.payload);
  assert.ok(await a.isVerified());
  assert.is(a.getType(), 2);
  assert.is(a.parsed.name, 'Hilltop');
  assert.is(a.timestamp, 1700000123);
});

test('TXT_MSG: both ends derive the same X25519 secret; hashes and plaintext as composeMsgPacket', () => {
  const alice = newSimIdentity();
  const radio = newSimIdentity();
  const raw = txtMsgPacket(alice, radio.publicKey, 1700000000, 1, 'psst', 2, true);
  const p = Packet.fromBytes(raw);
  assert.is(p.payload_type, PAYLOAD_TYPE.TXT_MSG);
  assert.is(p.payload[0], radio.publicKey[0]);
  assert.is(p.payload[1], alice.publicKey[0]);
  const plain = decrypt(sharedSecret(radio, alice.publicKey), p.payload.subarray(2));
  assert.is(plain.readUInt32LE(0), 1700000000);
  assert.is(plain[4], 1);
  assert.is(plain.subarray(5).toString('utf8').replace(/\0+$/, ''), 'psst');
});

test('the simulated radio pushes LOG_RX_DATA before MSG_WAITING, also for channels it does not have', async () => {
  const device = new SimDevice();
  const mesh = new SimMesh(device);
  const alice = mesh.addNode({ name: 'Alice' });
  const link = connectMemoryLink(device);
  const session = new MeshCoreSession(link);
  await session.start();
  const pushes: number[] = [];
  session.on('frame', (f) => { if (f[0] >= 0x80) pushes.push(f[0]); });
  alice.advert();
  alice.sendChannel('#nobody-has-this', 'x');
  const got = new Promise((r) => session.on('message', r));
  alice.sendChannel('Public', 'hello');
  await got;
  assert.equal(pushes.slice(0, 5), [PUSH.LOG_RX_DATA, PUSH.ADVERT, PUSH.LOG_RX_DATA, PUSH.LOG_RX_DATA, PUSH.MSG_WAITING]);
  assert.is(hashtagChannelSecret('#nobody-has-this').length, 16);
  await session.close();
  mesh.stop();
});

test.run();
