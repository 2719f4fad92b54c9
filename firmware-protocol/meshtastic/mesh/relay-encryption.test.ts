/**
 * A relayed packet leaves exactly as firmware 2.7 relays it (Router::send → perhapsEncode, Router::handleReceived →
 * RoutingModule → perhapsRebroadcast), checked with the real over-the-air cipher and header codec: a packet we could
 * decode is re-encrypted with the key of the channel it came in on (perhapsEncode goes PKI only for isFromUs), and a
 * packet we cannot decode (a PKI DM for someone else, an unknown channel, a bad payload) goes out as it came in,
 * only hop_limit and relay_node changed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create } from '@bufbuild/protobuf';
import { Channel, Mesh } from '@meshtastic/protobufs';
import { ManualClock } from '../../../lib/testing/manual-clock.js';
import { createPacketCipher } from '../ota/create-packet-cipher.js';
import { decodeOtaFrame, encodeOtaFrame } from '../ota/ota-frame.js';
import type { PacketCipher } from '../ota/packet-cipher.js';
import { generateX25519KeyPair } from '../ota/pki-crypto.js';
import { NODENUM_BROADCAST } from './hops.js';
import { MemoryAir } from './testing/memory-air.js';
import { LONG_FAST, dataOf, testNode, textPacket, type TestNode } from './testing/test-node.js';

const A = 0x0a0a0a01, B = 0x0b0b0b02, C = 0x0c0c0c03;
const LONGFAST = create(Channel.ChannelSchema, { index: 0, role: Channel.Channel_Role.PRIMARY, settings: { name: '', psk: Uint8Array.of(1) } });
const LONGFAST_HASH = 0x08;

/** A, B, C in a chain, each with the real cipher and frame codec, its own X25519 key pair (A optionally without). */
function chainOfThree(clock: ManualClock, opts: { aHasKey?: boolean } = {}) {
  const air = new MemoryAir(clock, LONG_FAST);
  const keys = new Map([[A, generateX25519KeyPair()], [B, generateX25519KeyPair()], [C, generateX25519KeyPair()]]);
  const nodes: TestNode[] = [];
  for (const [name, num] of [['A', A], ['B', B], ['C', C]] as const) {
    let cipher: PacketCipher | undefined;
    const n = testNode(air, clock, name, num, 'CLIENT', {
      cipher: { decrypt: (p) => cipher!.decrypt(p), encrypt: (p) => cipher!.encrypt(p) },
      decodeFrame: (bytes) => decodeOtaFrame(bytes),
      encodeFrame: encodeOtaFrame,
    });
    const withKey = num !== A || opts.aHasKey !== false;
    cipher = createPacketCipher({ channels: [LONGFAST], ownNodeNum: num, ...(withKey ? { privateKey: keys.get(num)!.privateKey } : {}), publicKeyOf: (k) => n.directory.publicKeyOf(k) });
    nodes.push(n);
  }
  // everyone knows everyone's User with the real public key (as after a NodeInfo exchange)
  for (const n of nodes) {
    for (const m of nodes) {
      if (n !== m) n.directory.updateUser(m.num, create(Mesh.UserSchema, { id: `!${m.num.toString(16)}`, longName: m.name, shortName: m.name, publicKey: keys.get(m.num)!.publicKey }), 0);
    }
  }
  air.link('A', 'B', 6);
  air.link('B', 'C', 5);
  for (const n of nodes) n.router.start();
  return { air, nodes: nodes as [TestNode, TestNode, TestNode] };
}

const framesOf = (air: MemoryAir, name: string, id: number) => air.sentBy(name).map((t) => t.bytes).filter((b) => decodeOtaFrame(b).id === id);

/** The frame as relayed: same bytes but hop_limit − 1 (flags bits 0..2) and relay_node (byte 15) = the relay's byte. */
function asRelayed(frame: Uint8Array, relayByte: number): Uint8Array {
  const out = frame.slice();
  out[12] = (out[12]! & ~0x07) | ((out[12]! & 0x07) - 1);
  out[15] = relayByte;
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('a channel broadcast is relayed re-encrypted with its channel key: the same bytes as the originator sent', async () => {
  const clock = new ManualClock();
  const { air, nodes } = chainOfThree(clock);
  const id = nodes[0].router.sendFromPhone(textPacket(NODENUM_BROADCAST, 'to all', { hopLimit: 3 }));
  await clock.advance(20_000);
  const [sent] = framesOf(air, 'A', id), [relayed] = framesOf(air, 'B', id);
  assert.ok(sent && relayed, 'A sent it and B relayed it');
  assert.is(sent![13], LONGFAST_HASH);
  assert.is(hex(relayed!), hex(asRelayed(sent!, 0x02)));
  assert.is(nodes[2].toPhone.filter((p) => p.id === id).length, 1, 'C decodes the relayed copy');
});

test('a channel-encrypted DM for someone else is relayed on the channel, never PKI, though the relay knows the key', async () => {
  const clock = new ManualClock();
  // A has no key pair: its DM to C goes on the channel (a pre-2.5 node). B has a key pair and knows C's public key,
  // so perhapsEncode would choose PKI for it — if it were B's own packet (isFromUs).
  const { air, nodes } = chainOfThree(clock, { aHasKey: false });
  const [a, b] = nodes;
  const id = a.router.sendFromPhone(textPacket(C, 'legacy dm', { hopLimit: 3 }));
  await clock.advance(20_000);
  const [sent] = framesOf(air, 'A', id), [relayed] = framesOf(air, 'B', id);
  assert.ok(sent && relayed, 'A sent it and B relayed it');
  assert.is(sent![13], LONGFAST_HASH, 'A sent it on the channel');
  assert.is(b.metrics.count('rebroadcast-queued'), 1);
  assert.is(hex(relayed!), hex(asRelayed(sent!, 0x02)), 'B relayed it on the channel key: same payload, same hash');
});

test('a PKI DM for someone else cannot be decoded by the relay and goes out raw: only hop_limit and relay_node change', async () => {
  const clock = new ManualClock();
  const { air, nodes } = chainOfThree(clock);
  const [a, b, c] = nodes;
  const id = a.router.sendFromPhone(textPacket(C, 'secret', { hopLimit: 3 }));
  await clock.advance(20_000);
  const [sent] = framesOf(air, 'A', id), [relayed] = framesOf(air, 'B', id);
  assert.ok(sent && relayed, 'A sent it and B relayed it');
  assert.is(sent![13], 0, 'PKI: channel byte 0');
  assert.is(b.metrics.drop('decode-no-channel'), 1, 'B could not decode it');
  assert.is(hex(relayed!), hex(asRelayed(sent!, 0x02)));
  const got = c.toPhone.filter((p) => p.id === id);
  assert.is(got.length, 1);
  assert.ok(got[0]!.pkiEncrypted, 'C opened it with PKI');
  assert.is(new TextDecoder().decode(dataOf(got[0]!).payload), 'secret');
});

test('undecodable packets (unknown channel hash, garbage under our hash) are relayed unchanged but for hop_limit/relay_node', async () => {
  const clock = new ManualClock();
  const { air, nodes } = chainOfThree(clock);
  const [, b] = nodes;
  const frame = (id: number, hash: number) => {
    const f = new Uint8Array(16 + 20);
    const v = new DataView(f.buffer);
    v.setUint32(0, NODENUM_BROADCAST, true);
    v.setUint32(4, 0x77777777, true);
    v.setUint32(8, id, true);
    f[12] = 4 | (5 << 5); // hop_limit 4, hop_start 5
    f[13] = hash;
    f[14] = 0;
    f[15] = 0x77;
    for (let i = 16; i < f.length; i++) f[i] = (i * 37 + 11) & 0xff;
    return f;
  };
  const unknown = frame(0x1000, 0x5a), garbage = frame(0x2000, LONGFAST_HASH);
  air.inject('B', unknown);
  air.inject('B', garbage);
  await clock.advance(20_000);
  assert.is(b.metrics.drop('decode-no-channel'), 1);
  assert.is(b.metrics.drop('decode-undecryptable'), 1);
  const [r1] = framesOf(air, 'B', 0x1000), [r2] = framesOf(air, 'B', 0x2000);
  assert.is(hex(r1!), hex(asRelayed(unknown, 0x02)));
  assert.is(hex(r2!), hex(asRelayed(garbage, 0x02)));
});

test.run();
