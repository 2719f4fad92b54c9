import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { CMD, PUSH, RESP } from '../codes.js';
import { PUBLIC_CHANNEL_SECRET } from '../channel-secret.js';
import { ChannelTable, channelSlotHash } from './channel-table.js';
import { companionRig, recordingClient, remoteNode } from './testing/companion-rig.js';

const zero16 = new Uint8Array(16);

test('never-set slots are zeroed memory (BaseChatMesh ctor memset): hash 0, zero key, and searchChannelsByHash(0) finds them', () => {
  const t = new ChannelTable(8);
  const found = t.searchByHash(0).map((s) => s.index);
  assert.equal(found, [1, 2, 3, 4, 5, 6, 7], 'every unset slot, as the firmware scans all MAX_GROUP_CHANNELS slots');
  assert.is(t.findIndex(zero16), 1, 'findChannelIdx: the first slot whose 32-byte secret is all zero');
  assert.is(t.findIndex(new Uint8Array(32)), 1, 'a 16-byte key compares as its 32-byte zero-padded form');
  assert.is(t.findIndex(PUBLIC_CHANNEL_SECRET), 0);
});

test('a slot cleared through setChannel gets hash SHA-256(16 zero bytes)[0], not 0 (BaseChatMesh::setChannel always hashes)', () => {
  const t = new ChannelTable(4);
  t.set(2, '', zero16);
  const h = channelSlotHash(zero16);
  assert.is(h, 0x37);
  assert.equal(t.searchByHash(h).map((s) => s.index), [2]);
  assert.equal(t.searchByHash(0).map((s) => s.index), [1, 3]);
});

test('a GRP_TXT under the zero key on hash 0 reaches the client as the first unset slot, as on the firmware', async () => {
  const { dev, air } = companionRig({ build: { maxChannels: 8 } });
  const cl = recordingClient(dev);
  const bob = remoteNode(air, 7, 'Bob');
  bob.chat.sendGroupMessage(1234, { index: 5, name: '', secret: zero16, hash: 0 }, 'Bob', new TextEncoder().encode('zero key'));
  await waitFor('MSG_WAITING', () => cl.frames.some((f) => f[0] === PUSH.MSG_WAITING));
  const f = cl.ask([CMD.SYNC_NEXT_MESSAGE])[0];
  assert.is(f[0], RESP.CHANNEL_MSG_RECV);
  assert.is(f[1], 1, 'findChannelIdx of the zero key: slot 1');
  assert.is(new TextDecoder().decode(f.subarray(8)), 'Bob: zero key');
});

test.run();
