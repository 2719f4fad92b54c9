/** Router::sendLocal details: a client's DM on channel 0 goes on the channel its destination was heard on. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import { ManualClock } from '../../../lib/testing/manual-clock.js';
import { MemoryAir } from './testing/memory-air.js';
import { TestCipher, testChannelHash } from './testing/test-cipher.js';
import { decodeTestFrame } from './testing/test-frame-codec.js';
import { LONG_FAST, testNode, textPacket } from './testing/test-node.js';

const A = 0x0a0a0a01, C = 0x0c0c0c03, D = 0x0d0d0d04;
const CHANNELS = [{ name: 'LongFast', key: 1 }, { name: 'Team', key: 9 }];

test('a DM on channel 0 goes on the channel the NodeDB has for its destination; a requested channel is kept', async () => {
  const clock = new ManualClock();
  const air = new MemoryAir(clock, LONG_FAST);
  const a = testNode(air, clock, 'A', A, 'CLIENT', { cipher: new TestCipher(CHANNELS) });
  a.directory.updateUser(C, create(Mesh.UserSchema, { id: '!0c0c0c03', longName: 'C' }), 1); // heard on "Team"
  a.directory.updateUser(D, create(Mesh.UserSchema, { id: '!0d0d0d04', longName: 'D' }), 0); // heard on the primary
  a.router.start();
  const toC = a.router.sendFromPhone(textPacket(C, 'team dm'));
  const toD = a.router.sendFromPhone(textPacket(D, 'on Team please', { channel: 1 }));
  const toNobody = a.router.sendFromPhone(textPacket(0x0e0e0e05, 'unknown node'));
  await clock.advance(20_000);
  const hashOf = (id: number) => air.sentBy('A').map((t) => decodeTestFrame(t.bytes)).find((h) => h.id === id)?.channel;
  assert.is(hashOf(toC), testChannelHash(CHANNELS[1]!), 'C was heard on Team');
  assert.is(hashOf(toD), testChannelHash(CHANNELS[1]!), 'a channel the client asked for is kept');
  assert.is(hashOf(toNobody), testChannelHash(CHANNELS[0]!), 'not in the NodeDB: primary');
});

test.run();
