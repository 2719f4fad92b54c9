/** The simulated mesh's watch hook and bounded logs: what the simulated users heard, as the device sent it. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ADV_TYPE } from '../codes.js';
import { MeshCoreSession } from '../client-session.js';
import { connectMemoryLink } from './memory-link.js';
import { SimDevice } from './sim-device.js';
import { SimMesh, type SimHeard } from './sim-mesh.js';
import { waitFor } from '../../../lib/testing/wait-for.js';

async function setup() {
  const device = new SimDevice();
  Object.assign(device.persistent.prefs, { nodeName: 'Relay', bwHz: 500000, sf: 7 });
  const mesh = new SimMesh(device);
  const bob = mesh.addNode({ name: 'Bob' });
  const dave = mesh.addNode({ name: 'Dave', hops: 2 });
  mesh.addNode({ name: 'Hill Rptr', type: ADV_TYPE.REPEATER });
  mesh.addNode({ name: 'Far Away', reachable: false });
  for (const n of mesh.nodes) n.advert();
  const link = connectMemoryLink(device);
  const session = new MeshCoreSession(link, { commandTimeoutMs: 5000 });
  await session.start({ signal: AbortSignal.timeout(10_000) });
  return { device, mesh, bob, dave, session, link };
}

test('onHeard: a channel message reaches the reachable chat nodes, a DM reaches its node; unsubscribe stops it', async () => {
  const { mesh, bob, session, link } = await setup();
  const heard: SimHeard[] = [];
  const off = mesh.onHeard((h) => heard.push(h));
  await session.sendChannelMessage(0, 'hello public');
  assert.is(heard.length, 1);
  const ch = heard[0]!;
  assert.is(ch.kind, 'channel');
  if (ch.kind !== 'channel') return;
  assert.is(ch.message.text, 'Relay: hello public', 'as on air: "<device name>: <text>"');
  assert.equal(ch.nodes.map((n) => n.name), ['Bob', 'Dave'], 'not the repeater, not the unreachable node');

  await session.sendDirectMessage(bob.publicKey, 'hi Bob');
  await waitFor('Bob heard the DM (over the air)', () => heard.length === 2);
  const dm = heard[1]!;
  assert.is(dm.kind, 'direct');
  if (dm.kind !== 'direct') return;
  assert.is(dm.node, bob);
  assert.is(dm.message.text, 'hi Bob');

  off();
  await session.sendChannelMessage(0, 'nobody watching');
  assert.is(heard.length, 2);
  assert.is(mesh.channelLog.length, 2, 'the log still records it');
  await session.close();
  await link.close();
  mesh.stop();
});

test('a throwing watcher changes nothing on the air', async () => {
  const { mesh, session, link } = await setup();
  mesh.onHeard(() => {
    throw new Error('watcher bug');
  });
  await session.sendChannelMessage(0, 'still sent');
  assert.is(mesh.channelLog.at(-1)!.text, 'Relay: still sent');
  await session.close();
  await link.close();
  mesh.stop();
});

test('historyLimit keeps only the newest channel messages, DMs per node and adverts', async () => {
  const { mesh, bob, session, link } = await setup();
  mesh.historyLimit = 3;
  for (let i = 0; i < 6; i++) await session.sendChannelMessage(0, `m${i}`);
  assert.equal(mesh.channelLog.map((m) => m.text), ['Relay: m3', 'Relay: m4', 'Relay: m5']);
  for (let i = 0; i < 5; i++) await session.sendDirectMessage(bob.publicKey, `d${i}`, { attempt: 0, senderTimestamp: 1_800_000_000 + i });
  await waitFor('d4 delivered', () => bob.inbox.at(-1)?.text === 'd4');
  assert.equal(bob.inbox.map((m) => m.text), ['d2', 'd3', 'd4']);
  for (let i = 0; i < 5; i++) await session.sendSelfAdvert(i % 2 === 0);
  assert.is(mesh.adverts.length, 3);
  await session.close();
  await link.close();
  mesh.stop();
});

test.run();
