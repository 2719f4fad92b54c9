/**
 * The tap on a real MeshCore mesh (createMesh on the in-memory air): every frame the node's radio decodes reaches the
 * observer's source with the link's SNR and RSSI, byte for byte as sent, and becomes a packets message the
 * @michaelhart/meshcore-decoder reads.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MeshCoreDecoder, PayloadType } from '@michaelhart/meshcore-decoder';
import { TestNetwork } from '../../../../firmware-protocol/meshcore/mesh/testing/mesh-network.js';
import { VirtualClock } from '../../../../lib/testing/virtual-clock.js';
import { packetMessage } from './observer-messages.js';
import type { RawPacket } from './raw-packet-source.js';
import { RawPacketTap, tapMeshHandler } from './raw-packet-tap.js';

test('every frame the radio decodes reaches the tap with SNR and RSSI, and decodes as the analysers read it', async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock);
  const a = net.add('A');
  const b = net.add('B');
  net.air.linkOneWay('A', 'B', { snrDb: 6.5, rssiDbm: -97 });
  // A listening antenna next to A: what A put on the air.
  net.air.linkOneWay('A', 'S');
  const sent: Uint8Array[] = [];
  net.air.radio('S').onReceive((f) => sent.push(f.bytes));
  const tap = new RawPacketTap({ identity: b.identity, name: () => 'B observer', now: () => clock.now() });
  tapMeshHandler(b.handler, tap);
  const heard: RawPacket[] = [];
  tap.onRawPacket((p) => heard.push(p));
  a.mesh.sendFlood(a.mesh.createAdvert(Uint8Array.of(0x81, ...new TextEncoder().encode('A'))));
  await clock.sleep(10_000);
  await net.stop();
  assert.is(heard.length, 1);
  assert.equal(heard[0]!.raw, sent[0], 'byte for byte as A sent it');
  assert.equal([heard[0]!.snrDb, heard[0]!.rssiDbm], [6.5, -97]);
  assert.ok(b.handler.rawFrames.length >= 1, 'the handler\'s own logRxRaw still runs');
  const m = packetMessage(heard[0]!, { name: tap.name(), id: Buffer.from(tap.publicKey).toString('hex').toUpperCase() })!;
  const d = MeshCoreDecoder.decode(m.raw!);
  assert.ok(d.isValid);
  assert.is(d.payloadType, PayloadType.Advert);
  assert.is(m.SNR, '6.5');
  assert.is(m.RSSI, '-97');
});

test.run();
