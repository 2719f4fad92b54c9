/**
 * Frames our meshes put on the air, originated and forwarded, decoded by the independent oracle
 * @michaelhart/meshcore-decoder: advert signatures valid in every copy, paths as the relays appended them, channel
 * texts decrypted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { MeshCoreDecoder } from '@michaelhart/meshcore-decoder';
import { VirtualClock } from '../../../lib/testing/virtual-clock.js';
import { PAYLOAD_TYPE } from '../ota/packet.js';
import { TestNetwork } from './testing/mesh-network.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('adverts and channel texts, as sent and as forwarded with 1- and 2-byte hashes, decode in the oracle', async () => {
  const secret = Buffer.from('8b3387e9c5cdea6ac9e5edbaa115cd72', 'hex');
  const channel = { hash: createHash('sha256').update(secret).digest()[0], secret: new Uint8Array(secret) };
  const keyStore = MeshCoreDecoder.createKeyStore({ channelSecrets: [secret.toString('hex')] });
  for (const size of [1, 2] as const) {
    const clock = new VirtualClock();
    const net = new TestNetwork(clock);
    const names = ['A', 'R1', 'R2', 'Z'];
    for (const n of names) net.add(n, { forward: n === 'R1' || n === 'R2' });
    net.air.chain(names);
    const a = net.get('A');
    a.mesh.sendFlood(a.mesh.createAdvert(Uint8Array.of(0x81, 0x41, 0x6c, 0x69, 0x63, 0x65)), { pathHashSize: size });
    const ts = Buffer.alloc(5);
    ts.writeUInt32LE(1_700_000_000);
    a.mesh.sendFlood(a.mesh.createGroupDatagram(PAYLOAD_TYPE.GRP_TXT, channel, Buffer.concat([ts, Buffer.from('Alice: over the ridge')])), { pathHashSize: size });
    await clock.sleep(120_000);
    const relayHashes = ['R1', 'R2'].map((r) => hex(net.get(r).identity.publicKey.subarray(0, size)).toUpperCase());
    const frames = net.air.transmissions;
    assert.is(frames.length, 6);
    for (const f of frames) {
      const hops = f.from === 'A' ? 0 : f.from === 'R1' ? 1 : 2;
      const d = await MeshCoreDecoder.decodeWithVerification(hex(f.bytes), { keyStore });
      assert.ok(d.isValid, `${f.from}: ${JSON.stringify(d.errors ?? [])}`);
      assert.is(d.pathHashSize, size);
      assert.equal((d.path ?? []).map((h: string) => h.toUpperCase()), relayHashes.slice(0, hops));
      const decoded = d.payload.decoded as unknown as Record<string, unknown> & { decrypted?: { sender: string; message: string } };
      if (d.payloadType === PAYLOAD_TYPE.ADVERT) {
        assert.ok(decoded.signatureValid, `advert from ${f.from} has a valid signature`);
        assert.is(decoded.publicKey, hex(a.identity.publicKey).toUpperCase());
      } else {
        assert.is(d.payloadType, PAYLOAD_TYPE.GRP_TXT);
        assert.is(decoded.decrypted?.sender, 'Alice');
        assert.is(decoded.decrypted?.message, 'over the ridge');
      }
    }
    await net.stop();
  }
});

test.run();
