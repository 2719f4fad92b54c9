/**
 * Hostile input: whatever arrives over the air, the receive path (decodeOtaFrame, then PacketCipher.decrypt)
 * either yields a packet, throws MeshtasticOtaFrameError with a known reason, or returns a DecodeFailure. Nothing
 * else escapes. Runs are seeded so a failure reproduces.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { create } from '@bufbuild/protobuf';
import { Channel, Mesh } from '@meshtastic/protobufs';
import { createPacketCipher } from './create-packet-cipher.js';
import { MeshtasticOtaFrameError } from './errors.js';
import { decodeOtaFrame, encodeOtaFrame } from './ota-frame.js';
import { generateX25519KeyPair } from './pki-crypto.js';

const US = 0x0a0a0a0a;
const PEER = 0x0b0b0b0b;
const ours = generateX25519KeyPair();
const peer = generateX25519KeyPair();
const channels = [
  create(Channel.ChannelSchema, { index: 0, role: Channel.Channel_Role.PRIMARY, settings: { psk: Uint8Array.of(1) } }),
  create(Channel.ChannelSchema, { index: 1, role: Channel.Channel_Role.SECONDARY, settings: { name: 'open', psk: Uint8Array.of(0) } }),
];
const cipher = createPacketCipher({ channels, ownNodeNum: US, privateKey: ours.privateKey, publicKeyOf: (n) => (n === PEER ? peer.publicKey : undefined) });
const FRAME_REASONS = new Set(['too-short', 'too-long', 'no-sender']);
const DECODE_REASONS = new Set(['no-channel', 'undecryptable', 'pki-unknown-key', 'pki-bad-tag', 'legacy-dm']);
const OPEN_HASH = cipher.encrypt(create(Mesh.MeshPacketSchema, { from: US, to: 0xffffffff, channel: 1, payloadVariant: { case: 'decoded', value: { portnum: 1 } } }));

/** Runs the receive path; returns what happened, rethrowing anything that is not one of ours. */
function receive(bytes: Uint8Array): string {
  let packet: Mesh.MeshPacket;
  try {
    packet = decodeOtaFrame(bytes, { snr: -3, rssi: -120 });
  } catch (err) {
    if (err instanceof MeshtasticOtaFrameError && err.name === 'MeshtasticOtaFrameError' && FRAME_REASONS.has(err.reason)) return err.reason;
    throw err;
  }
  const r = cipher.decrypt(packet);
  if (r.ok) {
    if (r.packet.payloadVariant.case !== 'decoded') throw new Error('ok without decoded payload');
    // what decodes must also go back on the air
    const again = cipher.encrypt(r.packet);
    if (again.ok) encodeOtaFrame(again.packet);
    return 'ok';
  }
  if (!DECODE_REASONS.has(r.reason)) throw new Error(`unknown reason ${r.reason}`);
  return r.reason;
}

test('random byte strings of 0..300 bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 300, size: 'max' }), (bytes) => void receive(bytes)), { seed: 13, numRuns: 3000 });
});

test('random payloads behind headers that reach every branch: our hashes, hash 0 to us from a known or unknown peer', () => {
  const header = fc.record({
    to: fc.constantFrom(0xffffffff, US, PEER, 1),
    from: fc.constantFrom(PEER, 0x0c0c0c0c, 0),
    id: fc.integer({ min: 0, max: 0xffffffff }),
    flags: fc.integer({ min: 0, max: 255 }),
    channel: fc.constantFrom(0x08, 0x00, OPEN_HASH.ok ? OPEN_HASH.packet.channel : 0x77, 0x77),
  });
  const seen = new Set<string>();
  fc.assert(
    fc.property(header, fc.oneof(fc.uint8Array({ maxLength: 260, size: 'max' }), fc.uint8Array({ maxLength: 8 })), (hd, payload) => {
      const frame = new Uint8Array(16 + payload.length);
      const view = new DataView(frame.buffer);
      view.setUint32(0, hd.to, true);
      view.setUint32(4, hd.from, true);
      view.setUint32(8, hd.id, true);
      frame[12] = hd.flags;
      frame[13] = hd.channel;
      frame.set(payload, 16);
      seen.add(receive(frame));
    }),
    { seed: 1313, numRuns: 4000 },
  );
  // the generator really reached the refusals and the decrypt failures, not only one of them
  for (const reason of ['too-long', 'no-sender', 'no-channel', 'undecryptable', 'pki-bad-tag', 'pki-unknown-key', 'ok']) assert.ok(seen.has(reason), `${reason} reached (saw ${[...seen]})`);
});

test('a valid frame with any single byte of its payload flipped never escapes as anything else', () => {
  const enc = cipher.encrypt(create(Mesh.MeshPacketSchema, { from: US, to: PEER, id: 77, hopLimit: 3, hopStart: 3, payloadVariant: { case: 'decoded', value: { portnum: 1, payload: new TextEncoder().encode('flip me') } } }));
  if (!enc.ok) return assert.unreachable(enc.reason);
  const frame = encodeOtaFrame(enc.packet);
  for (let i = 0; i < frame.length; i++) {
    for (const bit of [0x01, 0x80]) {
      const bad = frame.slice();
      bad[i]! ^= bit;
      receive(bad);
    }
  }
});

test.run();
