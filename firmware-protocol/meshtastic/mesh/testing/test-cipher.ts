/**
 * Test support: a PacketCipher that does real-enough work without AES — the Data bytes are XORed with a keystream of
 * the channel key, packet id and sender (deterministic like CTR: relaying re-encrypts to the same bytes), the header
 * carries a channel hash, and decryption tries every channel with that hash and accepts the first that parses as
 * Data with portnum ≠ 0 (Router::perhapsDecode). No PKI: DMs go on the channel.
 */
import { clone, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import type { DecodeResult, EncodeResult, PacketCipher } from '../../ota/packet-cipher.js';

export interface TestChannel {
  name: string;
  key: number;
}

export function testChannelHash(c: TestChannel): number {
  let h = c.key & 0xff;
  for (const b of new TextEncoder().encode(c.name)) h ^= b;
  return h;
}

function keystream(c: TestChannel, from: number, id: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! ^ ((c.key + i * 31 + (id & 0xff) + (from & 0xff) * 7) & 0xff);
  return out;
}

export class TestCipher implements PacketCipher {
  constructor(readonly channels: TestChannel[] = [{ name: 'LongFast', key: 1 }]) {}

  decrypt(packet: Mesh.MeshPacket): DecodeResult {
    if (packet.payloadVariant.case !== 'encrypted') return { ok: true, packet: clone(Mesh.MeshPacketSchema, packet) };
    let matched = false;
    for (let i = 0; i < this.channels.length; i++) {
      const c = this.channels[i]!;
      if (testChannelHash(c) !== packet.channel) continue;
      matched = true;
      try {
        const data = fromBinary(Mesh.DataSchema, keystream(c, packet.from, packet.id, packet.payloadVariant.value));
        if (data.portnum === 0) continue;
        const out = clone(Mesh.MeshPacketSchema, packet);
        out.channel = i;
        out.payloadVariant = { case: 'decoded', value: data };
        return { ok: true, packet: out };
      } catch {
        // not this channel
      }
    }
    return { ok: false, reason: matched ? 'undecryptable' : 'no-channel' };
  }

  encrypt(packet: Mesh.MeshPacket): EncodeResult {
    if (packet.payloadVariant.case !== 'decoded') return { ok: true, packet: clone(Mesh.MeshPacketSchema, packet) };
    const c = this.channels[packet.channel];
    if (!c) return { ok: false, reason: 'no-channel' };
    const bytes = toBinary(Mesh.DataSchema, packet.payloadVariant.value);
    if (bytes.length + 16 > 255) return { ok: false, reason: 'too-large' };
    const out = clone(Mesh.MeshPacketSchema, packet);
    out.channel = testChannelHash(c);
    out.payloadVariant = { case: 'encrypted', value: keystream(c, packet.from, packet.id, bytes) };
    return { ok: true, packet: out };
  }
}
