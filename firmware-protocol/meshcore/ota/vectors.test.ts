/**
 * Public captures decoded byte-exact (research §2.7): the @michaelhart/meshcore-decoder README and tests, and
 * jkingsman/Remote-Terminal-for-MeshCore tests/test_real_crypto.py. Every packet re-encodes to the same bytes; the
 * encrypted ones decrypt with the public / hashtag channel secrets through our cipher.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodePacket, encodePacket, PAYLOAD_TYPE, ROUTE_TYPE, PUB_KEY_SIZE, SIGNATURE_SIZE } from './packet.js';
import { decodeAdvertData, encodeAdvertData, ADV_TYPE } from './advert-data.js';
import { verifySignature } from './identity.js';
import { macThenDecrypt } from './cipher.js';
import { channelHash, hashtagChannelSecret, PUBLIC_CHANNEL_SECRET } from '../channel-secret.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

interface Capture {
  name: string;
  hex: string;
  route: number;
  type: number;
  pathHashSize: number;
  path: string;
  codes?: [number, number];
}

const CAPTURES: Capture[] = [
  { name: 'advert (decoder README)', hex: '11007E7662676F7F0850A8A355BAAFBFC1EB7B4174C340442D7D7161C9474A2C94006CE7CF682E58408DD8FCC51906ECA98EBF94A037886BDADE7ECD09FD92B839491DF3809C9454F5286D1D3370AC31A34593D569E9A042A3B41FD331DFFB7E18599CE1E60992A076D50238C5B8F85757375354522F50756765744D65736820436F75676172', route: 1, type: 4, pathHashSize: 1, path: '' },
  { name: 'GRP_TXT public (decoder README)', hex: '150011C3C1354D619BAE9590E4D177DB7EEAF982F5BDCF78005D75157D9535FA90178F785D', route: 1, type: 5, pathHashSize: 1, path: '' },
  { name: 'GRP_TXT #six77 (jkingsman)', hex: '1500E69C7A89DD0AF6A2D69F5823B88F9720731E4B887C56932BF889255D8D926D99195927144323A42DD8A158F878B518B8304DF55E80501C7D02A9FFD578D3518283156BBA257BF8413E80A237393B2E4149BBBC864371140A9BBC4E23EB9BF203EF0D029214B3E3AAC3C0295690ACDB89A28619E7E5F22C83E16073AD679D25FA904D07E5ACF1DB5A7C77D7E1719FB9AE5BF55541EE0D7F59ED890E12CF0FEED6700818', route: 1, type: 5, pathHashSize: 1, path: '' },
  { name: 'GRP_TXT #bot, 3-byte hashes × 3 (jkingsman)', hex: '15833fa002860ccae0eed9ca78b9ab0775d477c1f6490a398bf4edc75240', route: 1, type: 5, pathHashSize: 3, path: '3fa002860ccae0eed9' },
  { name: 'GRP_TXT #bot, 2-byte hashes × 0 (jkingsman)', hex: '1540cab3b15626481a5ba64247ab25766e410b026e0678a32da9f0c3946fae5b714cab170f', route: 1, type: 5, pathHashSize: 2, path: '' },
  { name: 'GRP_TXT channel 0x13 (decoder tests)', hex: '150013752F15A1BF3C018EB1FC4F26B5FAEB417BB0F1AE8FF07655484EBAA05CB9A927D689', route: 1, type: 5, pathHashSize: 1, path: '' },
  { name: 'TXT_MSG DM (jkingsman)', hex: '0900FAA1295471ADB44A98B13CA528A4B5C4FBC29B4DA3CED477519B2FBD8FD5467C31E5D58B', route: 1, type: 2, pathHashSize: 1, path: '' },
  { name: 'TXT_MSG flood after 4 hops (decoder tests)', hex: '09046F17C47ED00A13E16AB5B94B1CC2D1A5059C6E5A6253C60D', route: 1, type: 2, pathHashSize: 1, path: '6f17c47e' },
  { name: 'ACK after 4 hops (decoder tests)', hex: '0D04B891647EBB40BA70', route: 1, type: 3, pathHashSize: 1, path: 'b891647e' },
  { name: 'ACK direct, 2-byte hash (decoder tests)', hex: '0E41AABB11223344', route: 2, type: 3, pathHashSize: 2, path: 'aabb' },
  { name: 'PATH after 5 hops (decoder tests)', hex: '2105F464C77E411279399EFE1942B8A3FFA10F54D9C602FF2C8CF4', route: 1, type: 8, pathHashSize: 1, path: 'f464c77e41' },
  { name: 'REQ direct (decoder tests)', hex: '0200D1DEB01B2F8B72DD363AA4EF07E0BDA2266A8979', route: 2, type: 0, pathHashSize: 1, path: '' },
  { name: 'RESPONSE direct (decoder tests)', hex: '0600DE1FDFCAD56E6C38B756FEE81C24199C6043AC5B', route: 2, type: 1, pathHashSize: 1, path: '' },
  { name: 'ANON_REQ direct, 1 hop (decoder tests)', hex: '1E015F5754AF4E36FB37D58BE06A87AA8F97C23D0A1F42EC66ECED68875175540404A496141B071D2809885DE13090A8F813B9151927', route: 2, type: 7, pathHashSize: 1, path: '5f' },
  { name: 'TRACE direct, one SNR (decoder tests)', hex: '260130A24D89BD0000000000FB', route: 2, type: 9, pathHashSize: 1, path: '30' },
  { name: 'TRACE, 2-byte hop hashes (decoder tests)', hex: '260130040302010A0B0C0D01AABBCCDD', route: 2, type: 9, pathHashSize: 1, path: '30' },
  { name: 'CONTROL DISCOVER_RESP (decoder tests)', hex: '2E0092DC35333E5B4FBB374D26E77A3AF0A0E3D34A7174131BBEBF2341EE948B6F4B13CF800C928F', route: 2, type: 11, pathHashSize: 1, path: '' },
  { name: 'TRANSPORT_FLOOD #ottawa (decoder tests)', hex: '14FA1A0000034E927D596EA23622BCB4D5945E49348165AF7DABA3F5DCEED85F430E0856DB5B591E86AB3363BC00E1BA30776698F72FC57C7168E66A4875CDB710F3C175FC2B3FE75A036EF14FA59A709062D3A9FF7014F2E7A8512C', route: 0, type: 5, pathHashSize: 1, path: '4e927d', codes: [0x1afa, 0] },
];

test('every capture decodes to the expected header fields and re-encodes byte-exact', () => {
  for (const c of CAPTURES) {
    const raw = bytes(c.hex);
    const p = decodePacket(raw);
    assert.is(p.routeType, c.route, c.name);
    assert.is(p.payloadType, c.type, c.name);
    assert.is(p.version, 0, c.name);
    assert.is(p.pathHashSize, c.pathHashSize, c.name);
    assert.is(hex(p.path), c.path, c.name);
    assert.equal(p.transportCodes, c.codes ?? [0, 0], c.name);
    assert.is(hex(encodePacket(p)), c.hex.toLowerCase(), c.name);
  }
});

test('captured advert: fields, signature over pk ‖ ts ‖ app data, app data re-encodes byte-exact', () => {
  const p = decodePacket(bytes(CAPTURES[0].hex));
  const pk = p.payload.subarray(0, PUB_KEY_SIZE);
  const ts = p.payload.subarray(PUB_KEY_SIZE, PUB_KEY_SIZE + 4);
  const sig = p.payload.subarray(PUB_KEY_SIZE + 4, PUB_KEY_SIZE + 4 + SIGNATURE_SIZE);
  const appData = p.payload.subarray(PUB_KEY_SIZE + 4 + SIGNATURE_SIZE);
  assert.is(hex(pk), '7e7662676f7f0850a8a355baafbfc1eb7b4174c340442d7d7161c9474a2c9400');
  assert.is(Buffer.from(ts).readUInt32LE(0), 1758455660);
  const signed = new Uint8Array([...pk, ...ts, ...appData]);
  assert.ok(verifySignature(pk, signed, sig));
  signed[signed.length - 1] ^= 1;
  assert.not.ok(verifySignature(pk, signed, sig));
  const ad = decodeAdvertData(appData)!;
  assert.equal(ad, { type: ADV_TYPE.REPEATER, lat: 47.543968, lon: -122.108616, name: 'WW7STR/PugetMesh Cougar' });
  assert.is(hex(encodeAdvertData(ad)), hex(appData));
});

function channelText(c: Capture, secret: Uint8Array): { ts: number; flags: number; text: string } {
  const p = decodePacket(bytes(c.hex));
  assert.is(p.payload[0], channelHash(secret), `${c.name}: channel hash`);
  const plain = macThenDecrypt(secret, p.payload.subarray(1));
  assert.ok(plain, `${c.name}: MAC`);
  const end = plain!.indexOf(0, 5);
  return { ts: Buffer.from(plain!).readUInt32LE(0), flags: plain![4], text: new TextDecoder().decode(plain!.subarray(5, end < 0 ? undefined : end)) };
}

test('captured channel texts decrypt: public, #six77, #bot with 3-byte and 2-byte paths', () => {
  assert.equal(channelText(CAPTURES[1], PUBLIC_CHANNEL_SECRET), { ts: 1758484279, flags: 0, text: '🌲 Tree: ☁️' });
  assert.is(channelText(CAPTURES[2], hashtagChannelSecret('#six77')).text, 'Flightless🥝: hello there; this hashtag room is essentially public. MeshCore has great crypto; use private rooms or DMs for private comms instead!');
  const bot = hashtagChannelSecret('#bot');
  assert.is(hex(bot), 'eb50a1bcb3e4e5d7bf69a57c9dada211');
  assert.is(channelText(CAPTURES[3], bot).text, 'Roy B V4: P');
  assert.is(channelText(CAPTURES[4], bot).text, 'Howl 👾: prefix 0101');
});

test('a wrong channel secret fails the MAC (null, never garbage)', () => {
  const p = decodePacket(bytes(CAPTURES[2].hex));
  assert.is(macThenDecrypt(PUBLIC_CHANNEL_SECRET, p.payload.subarray(1)), null);
  assert.is(macThenDecrypt(new Uint8Array(16), p.payload.subarray(1)), null);
});

test('the TRACE captures: tag, auth, flags (hash size 1 << (flags & 3)) and hop hashes in the payload, SNR in the path', () => {
  const t = decodePacket(bytes(CAPTURES[15].hex));
  assert.is(t.routeType, ROUTE_TYPE.DIRECT);
  assert.is(t.payloadType, PAYLOAD_TYPE.TRACE);
  const dv = Buffer.from(t.payload);
  assert.is(dv.readUInt32LE(0), 0x01020304);
  assert.is(dv.readUInt32LE(4), 0x0d0c0b0a);
  assert.is(1 << (t.payload[8] & 3), 2);
  assert.is(hex(t.payload.subarray(9)), 'aabbccdd');
  assert.is((t.path[0] << 24) >> 24, 48); // 12 dB × 4
});

test.run();
