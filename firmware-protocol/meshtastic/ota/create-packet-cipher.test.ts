import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create, toBinary } from '@bufbuild/protobuf';
import { Channel, Mesh, Portnums } from '@meshtastic/protobufs';
import { channelCrypt } from './channel-crypto.js';
import { channelHash } from './channel-keys.js';
import { createPacketCipher, type PacketCipherOptions } from './create-packet-cipher.js';
import type { PacketCipher } from './packet-cipher.js';
import { generateX25519KeyPair, pkiEncrypt, pkiSharedKey, x25519PrivateKeyObject } from './pki-crypto.js';

const PORT = Portnums.PortNum;
const A = 0x0a0a0a0a;
const B = 0x0b0b0b0b;
const keysA = generateX25519KeyPair();
const keysB = generateX25519KeyPair();
const text = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const chan = (index: number, role: Channel.Channel_Role, name: string, psk: number[]) =>
  create(Channel.ChannelSchema, { index, role, settings: { name, psk: Uint8Array.from(psk) } });
const LONGFAST = chan(0, Channel.Channel_Role.PRIMARY, '', [1]);

function node(num: number, own: { privateKey: Uint8Array }, peers: Record<number, Uint8Array>, extra: Partial<PacketCipherOptions> = {}): PacketCipher {
  return createPacketCipher({ channels: [LONGFAST], ownNodeNum: num, privateKey: own.privateKey, publicKeyOf: (n) => peers[n], ...extra });
}
const nodeA = (extra: Partial<PacketCipherOptions> = {}) => node(A, keysA, { [B]: keysB.publicKey }, extra);
const nodeB = (extra: Partial<PacketCipherOptions> = {}) => node(B, keysB, { [A]: keysA.publicKey }, extra);

function packet(init: { from?: number; to?: number; id?: number; channel?: number; portnum?: number; payload?: Uint8Array; bitfield?: number; wantResponse?: boolean; pkiEncrypted?: boolean; publicKey?: Uint8Array }): Mesh.MeshPacket {
  return create(Mesh.MeshPacketSchema, {
    from: init.from ?? A,
    to: init.to ?? 0xffffffff,
    id: init.id ?? 0x12345678,
    channel: init.channel ?? 0,
    hopLimit: 3,
    hopStart: 3,
    pkiEncrypted: init.pkiEncrypted ?? false,
    publicKey: init.publicKey ?? new Uint8Array(0),
    payloadVariant: {
      case: 'decoded',
      value: { portnum: init.portnum ?? PORT.TEXT_MESSAGE_APP, payload: init.payload ?? text('hi'), bitfield: init.bitfield, wantResponse: init.wantResponse ?? false },
    },
  });
}

function sealed(cipher: PacketCipher, p: Mesh.MeshPacket): Mesh.MeshPacket {
  const r = cipher.encrypt(p);
  if (!r.ok) throw new Error(`encrypt failed: ${r.reason}`);
  return r.packet;
}
function opened(cipher: PacketCipher, p: Mesh.MeshPacket): Mesh.MeshPacket {
  const r = cipher.decrypt(p);
  if (!r.ok) throw new Error(`decrypt failed: ${r.reason}`);
  return r.packet;
}
const data = (p: Mesh.MeshPacket) => p.payloadVariant.value as Mesh.Data;
const raw = (p: Mesh.MeshPacket) => p.payloadVariant.value as Uint8Array;

test('broadcast on the primary: channel hash 0x08 on the air, channel index 0 after decrypt', () => {
  const enc = sealed(nodeA(), packet({}));
  assert.is(enc.channel, 0x08);
  assert.is(enc.pkiEncrypted, false);
  const dec = opened(nodeB(), enc);
  assert.is(dec.channel, 0);
  assert.is(data(dec).portnum, PORT.TEXT_MESSAGE_APP);
  assert.is(new TextDecoder().decode(data(dec).payload), 'hi');
  assert.is(dec.pkiEncrypted, false);
});

test('our own packets get Data.bitfield: OK_TO_MQTT from config.lora.config_ok_to_mqtt, WANT_RESPONSE from want_response', () => {
  const dec = (p: Mesh.MeshPacket, extra: Partial<PacketCipherOptions>) => data(opened(nodeB(), sealed(nodeA(extra), p)));
  assert.is(dec(packet({}), {}).bitfield, 0, 'present even when 0, as nanopb has_bitfield = true');
  assert.is(dec(packet({}), { lora: { configOkToMqtt: true } }).bitfield, 1);
  assert.is(dec(packet({ wantResponse: true }), {}).bitfield, 2);
  assert.is(dec(packet({ from: 0 }), { lora: { configOkToMqtt: true } }).bitfield, 1, 'from 0 is us');
});

test('a packet from another node keeps its bitfield as it is (relay)', () => {
  const relayed = data(opened(nodeB(), sealed(nodeA({ lora: { configOkToMqtt: true } }), packet({ from: 0x0c0c0c0c }))));
  assert.is(relayed.bitfield, undefined);
});

test('decrypt turns the WANT_RESPONSE bit into want_response', () => {
  const enc = sealed(nodeA(), packet({ from: 0x0c0c0c0c, bitfield: 2 }));
  assert.is(data(opened(nodeB(), enc)).wantResponse, true);
});

test('a hash shared by two channels: the one whose key parses wins, and its index is reported', () => {
  // channel 1 "x" with a key whose XOR makes its hash 0x08, like LongFast's
  const key = new Uint8Array(16);
  key[15] = 0x08 ^ 'x'.charCodeAt(0);
  assert.is(channelHash('x', key), 0x08);
  const channels = [LONGFAST, chan(1, Channel.Channel_Role.SECONDARY, 'x', [...key])];
  const a = createPacketCipher({ channels, ownNodeNum: A, publicKeyOf: () => undefined });
  const b = createPacketCipher({ channels, ownNodeNum: B, publicKeyOf: () => undefined });
  const enc = sealed(a, packet({ channel: 1, payload: text('on the second channel') }));
  assert.is(enc.channel, 0x08);
  const dec = opened(b, enc);
  assert.is(dec.channel, 1);
  assert.is(new TextDecoder().decode(data(dec).payload), 'on the second channel');
});

test('no channel with that hash: no-channel; a matching hash with the wrong key: undecryptable', () => {
  const enc = sealed(nodeA(), packet({}));
  assert.equal(nodeB().decrypt({ ...enc, channel: 0x77 }), { ok: false, reason: 'no-channel' });
  // same name and key XOR (so the same hash 0x08), different key bytes
  const wrong = chan(0, Channel.Channel_Role.PRIMARY, 'LongFast', [0xd4 ^ 0x10, 0xf1 ^ 0x10, 0xbb, 0x3a, 0x20, 0x29, 0x07, 0x59, 0xf0, 0xbc, 0xff, 0xab, 0xcf, 0x4e, 0x69, 0x01]);
  const other = createPacketCipher({ channels: [wrong], ownNodeNum: B, publicKeyOf: () => undefined });
  assert.equal(other.decrypt(enc), { ok: false, reason: 'undecryptable' });
});

test('a channel-encrypted text message to us is a rejected legacy DM, unless the owner is licensed', () => {
  // TEXT to B from a node without PKI goes on the channel
  const a = createPacketCipher({ channels: [LONGFAST], ownNodeNum: A, publicKeyOf: () => undefined });
  const enc = sealed(a, packet({ to: B }));
  assert.is(enc.channel, 0x08);
  assert.equal(nodeB().decrypt(enc), { ok: false, reason: 'legacy-dm' });
  assert.is(opened(nodeB({ isLicensed: true }), enc).channel, 0);
  // the same packet seen by a third node (not to it) decodes: only isToUs is refused
  assert.is(opened(node(0x0c0c0c0c, keysB, {}), enc).channel, 0);
});

test('a text DM with both keys known goes PKI: hash 0, 12 bytes longer, decoded with pki_encrypted and the sender key', () => {
  const p = packet({ to: B, payload: text('secret') });
  const plainLength = toBinary(Mesh.DataSchema, { ...data(p), bitfield: 0 }).length;
  const enc = sealed(nodeA({ random: () => 0x01020304 }), p);
  assert.is(enc.channel, 0);
  assert.is(enc.pkiEncrypted, true);
  assert.is(raw(enc).length, plainLength + 12);
  assert.is(hex(raw(enc).subarray(-4)), '04030201', 'extraNonce LE at the end');
  const dec = opened(nodeB(), enc);
  assert.is(dec.channel, 0);
  assert.is(dec.pkiEncrypted, true);
  assert.is(hex(dec.publicKey), hex(keysA.publicKey));
  assert.is(new TextDecoder().decode(data(dec).payload), 'secret');
});

test('PKI receive failures: unknown sender key, wrong key (tag), opened but not Data', () => {
  const enc = sealed(nodeA(), packet({ to: B }));
  assert.equal(node(B, keysB, {}).decrypt(enc), { ok: false, reason: 'pki-unknown-key' });
  assert.equal(node(B, keysB, { [A]: generateX25519KeyPair().publicKey }).decrypt(enc), { ok: false, reason: 'pki-bad-tag' });
  const key = pkiSharedKey(x25519PrivateKeyObject(keysA.privateKey), keysB.publicKey)!;
  const portnumZero = { ...enc, payloadVariant: { case: 'encrypted' as const, value: pkiEncrypt(key, A, enc.id, 9, Uint8Array.of(0x08, 0x00)) } };
  assert.equal(nodeB().decrypt(portnumZero), { ok: false, reason: 'undecryptable' });
});

test('PKI is only tried on hash 0, to us, payload > 12 bytes', () => {
  const enc = sealed(nodeA(), packet({ to: B }));
  assert.equal(node(0x0c0c0c0c, keysB, { [A]: keysA.publicKey }).decrypt(enc), { ok: false, reason: 'no-channel' }, 'not to us');
  const short = { ...enc, payloadVariant: { case: 'encrypted' as const, value: raw(enc).subarray(0, 12) } };
  assert.equal(nodeB().decrypt(short), { ok: false, reason: 'no-channel' });
});

test('a peer that changes its key pair: the cached PKI key follows the node DB', () => {
  const peers: Record<number, Uint8Array> = { [A]: keysA.publicKey };
  const b = node(B, keysB, peers);
  opened(b, sealed(nodeA(), packet({ to: B })));
  const newA = generateX25519KeyPair();
  peers[A] = newA.publicKey;
  const enc = sealed(node(A, newA, { [B]: keysB.publicKey }), packet({ to: B, id: 99 }));
  assert.is(new TextDecoder().decode(data(opened(b, enc)).payload), 'hi');
});

test('what stays on the channel: broadcast, NODEINFO/POSITION/ROUTING/TRACEROUTE DMs, relays, no key pair, licensed, "serial"', () => {
  const onChannel = (cipher: PacketCipher, p: Mesh.MeshPacket) => {
    const enc = sealed(cipher, p);
    return enc.channel !== 0 && !enc.pkiEncrypted;
  };
  assert.ok(onChannel(nodeA(), packet({})));
  for (const portnum of [PORT.NODEINFO_APP, PORT.POSITION_APP, PORT.ROUTING_APP, PORT.TRACEROUTE_APP]) assert.ok(onChannel(nodeA(), packet({ to: B, portnum })), String(portnum));
  assert.ok(onChannel(nodeA(), packet({ to: B, from: 0x0c0c0c0c })), 'not from us');
  assert.ok(onChannel(createPacketCipher({ channels: [LONGFAST], ownNodeNum: A, publicKeyOf: () => keysB.publicKey }), packet({ to: B })), 'no private key');
  assert.ok(onChannel(nodeA({ isLicensed: true }), packet({ to: B })), 'licensed');
  const serial = [chan(0, Channel.Channel_Role.PRIMARY, 'Serial', [1])];
  assert.ok(onChannel(nodeA({ channels: serial }), packet({ to: B })), 'serial channel');
  assert.ok(!onChannel(nodeA({ channels: serial }), packet({ to: B, pkiEncrypted: true })), 'serial channel, PKI requested');
});

test('encrypt refusals: pki-no-public-key, pki-failed, no-channel', () => {
  assert.equal(node(A, keysA, {}).encrypt(packet({ to: B })), { ok: false, reason: 'pki-no-public-key' });
  assert.equal(nodeA().encrypt(packet({ pkiEncrypted: true })), { ok: false, reason: 'pki-failed' }, 'PKI asked for a broadcast');
  assert.equal(nodeA().encrypt(packet({ to: B, pkiEncrypted: true, publicKey: keysA.publicKey })), { ok: false, reason: 'pki-failed' }, 'client key differs');
  assert.ok(nodeA().encrypt(packet({ to: B, pkiEncrypted: true, publicKey: keysB.publicKey })).ok, 'client key matches');
  assert.equal(nodeA().encrypt(packet({ channel: 5 })), { ok: false, reason: 'no-channel' });
});

test('TOO_LARGE: encoded Data + 16 <= 255 on a channel, + 12 more for PKI', () => {
  // from us, text: 08 01 | 12 len(2-byte varint) payload | 48 00  = payload + 7 bytes
  assert.ok(nodeA().encrypt(packet({ payload: new Uint8Array(232) })).ok);
  assert.equal(nodeA().encrypt(packet({ payload: new Uint8Array(233) })), { ok: false, reason: 'too-large' });
  assert.ok(nodeA().encrypt(packet({ to: B, payload: new Uint8Array(220) })).ok);
  assert.equal(nodeA().encrypt(packet({ to: B, payload: new Uint8Array(221) })), { ok: false, reason: 'too-large' });
  const max = sealed(nodeA(), packet({ payload: new Uint8Array(232) }));
  assert.is(raw(max).length, 239);
});

test('inputs are not modified; decoded packets pass decrypt and encrypted ones pass encrypt unchanged', () => {
  const p = packet({ to: B, wantResponse: true });
  const before = hex(toBinary(Mesh.MeshPacketSchema, p));
  const enc = sealed(nodeA(), p);
  assert.is(hex(toBinary(Mesh.MeshPacketSchema, p)), before);
  const encBefore = hex(toBinary(Mesh.MeshPacketSchema, enc));
  opened(nodeB(), enc);
  assert.is(hex(toBinary(Mesh.MeshPacketSchema, enc)), encBefore);
  assert.is(nodeB().decrypt(p).ok && (nodeB().decrypt(p) as { packet: Mesh.MeshPacket }).packet, p);
  assert.is((nodeA().encrypt(enc) as { packet: Mesh.MeshPacket }).packet, enc);
});

test('a packet without payload: decrypt says undecryptable, encrypt throws MeshtasticPacketShapeError', () => {
  const empty = create(Mesh.MeshPacketSchema, { from: A, to: B, id: 1 });
  assert.equal(nodeB().decrypt(empty), { ok: false, reason: 'undecryptable' });
  try {
    nodeA().encrypt(empty);
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'MeshtasticPacketShapeError');
  }
});

test('a channel with encryption off carries Data in clear and still decodes', () => {
  const open = [chan(0, Channel.Channel_Role.PRIMARY, 'open', [0])];
  const a = createPacketCipher({ channels: open, ownNodeNum: A, publicKeyOf: () => undefined });
  const enc = sealed(a, packet({}));
  assert.is(hex(raw(enc)), hex(channelCrypt(new Uint8Array(0), A, 0, toBinary(Mesh.DataSchema, { ...data(packet({})), bitfield: 0 }))));
  assert.is(opened(createPacketCipher({ channels: open, ownNodeNum: B, publicKeyOf: () => undefined }), enc).channel, 0);
});

test.run();
