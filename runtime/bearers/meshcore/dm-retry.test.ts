/** DM retry policy details, over an in-process link to the simulated radio (no PTY needed). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimDevice } from '../../../firmware-protocol/meshcore/sim/sim-device.js';
import { SimMesh } from '../../../firmware-protocol/meshcore/sim/sim-mesh.js';
import { connectMemoryLink } from '../../../firmware-protocol/meshcore/sim/memory-link.js';
import { MeshCoreGateway } from './meshcore-gateway.js';
import { attemptByte } from './dm-retry.js';
import { textBundle, until } from './testing/gateway-suite.js';

function setup(dmRetry: Record<string, number>) {
  const device = new SimDevice();
  Object.assign(device.persistent.prefs, { bwHz: 500000, sf: 7, nodeName: 'Roof' });
  const mesh = new SimMesh(device);
  const alice = mesh.addNode({ name: 'Alice' });
  alice.advert();
  const gw = new MeshCoreGateway({ name: 'mc', open: async () => connectMemoryLink(device), pollIntervalMs: 0, dmRetry });
  return { device, mesh, alice, gw };
}

test('a contact heard again wakes a backed-off DM: retried at once, confirmed', async () => {
  const { mesh, alice, gw } = setup({ minAckWaitMs: 100, ackWaitFactor: 0, backoffBaseMs: 60_000, backoffMaxMs: 60_000 });
  await gw.start();
  await gw.whenUp({ signal: AbortSignal.timeout(5000) });
  alice.reachable = false;
  const peer = `mc:${alice.hex}`;
  const heardBefore = alice.mesh.counters.recvFlood;
  assert.is(await gw.send({ peer, kind: 'bundle', bytes: new Uint8Array(0), bundle: textBundle(peer, 'wake up') }), 'accepted');
  // The DM crosses the simulated air (the mesh's TX queue, airtime): it must have reached deaf Alice before she
  // is back in range, or she would simply receive it.
  await until('the first DM reached deaf Alice', () => alice.mesh.counters.recvFlood > heardBefore, 5000);
  await new Promise((r) => setTimeout(r, 300));
  assert.is((gw.status().detail as any).dm.retries, 0, 'still in the 60 s backoff');
  alice.reachable = true;
  alice.advert();
  await until('confirmed after wake', () => (gw.status().detail as any).dm.confirmations === 1, 5000);
  assert.is((gw.status().detail as any).dm.retries, 1);
  assert.equal(alice.inbox.map((m) => m.attempt), [1]);
  await gw.stop();
  mesh.stop();
});

test('stop() while a DM is backing off ends it and answers further sends unreachable', async () => {
  const { mesh, alice, gw } = setup({ minAckWaitMs: 100, backoffBaseMs: 60_000 });
  const peers: Array<{ peer: string; up: boolean }> = [];
  gw.on('peer', (e) => peers.push(e));
  await gw.start();
  await gw.whenUp({ signal: AbortSignal.timeout(5000) });
  alice.reachable = false;
  const peer = `mc:${alice.hex}`;
  assert.is(await gw.send({ peer, kind: 'bundle', bytes: new Uint8Array(0), bundle: textBundle(peer, 'x') }), 'accepted');
  await gw.stop();
  assert.is(gw.status().state, 'stopped');
  assert.is((gw.status().detail as any).dm.inFlight, 0);
  assert.ok(peers.some((p) => p.peer === 'mc:ch:0' && !p.up));
  assert.is(await gw.send({ peer: 'mc:ch:0', kind: 'bundle', bytes: new Uint8Array(0), bundle: textBundle('mc:ch:0', 'y') }), 'unreachable');
  mesh.stop();
});

test('at most 8 DMs in flight (the firmware ACK table); a freed slot re-announces the refused peer', async () => {
  const { mesh, alice, gw } = setup({ minAckWaitMs: 200, ackWaitFactor: 0, backoffBaseMs: 100, backoffMaxMs: 200 });
  const ups: string[] = [];
  gw.on('peer', (e) => { if (e.up) ups.push(e.peer); });
  await gw.start();
  await gw.whenUp({ signal: AbortSignal.timeout(5000) });
  alice.reachable = false;
  const peer = `mc:${alice.hex}`;
  for (let i = 0; i < 8; i++) {
    assert.is(await gw.send({ peer, kind: 'bundle', bytes: new Uint8Array(0), bundle: textBundle(peer, `m${i}`, { lifetime: 1500 + i }) }), 'accepted');
  }
  assert.not.ok(gw.canReach(peer));
  assert.is(await gw.send({ peer, kind: 'bundle', bytes: new Uint8Array(0), bundle: textBundle(peer, 'ninth') }), 'unreachable');
  const before = ups.filter((p) => p === peer).length;
  await until('a slot frees when a DM expires', () => (gw.status().detail as any).dm.expired >= 1, 10_000);
  await until('refused peer announced again', () => ups.filter((p) => p === peer).length > before, 5000);
  assert.ok(gw.canReach(peer));
  await gw.stop();
  mesh.stop();
});

test('stop() rejects a send still waiting for the radio with an AbortError', async () => {
  const { device, mesh, gw } = setup({});
  await gw.start();
  await gw.whenUp({ signal: AbortSignal.timeout(5000) });
  device.powerOff(); // the radio stops answering
  const pending = gw.send({ peer: 'mc:ch:0', kind: 'bundle', bytes: new Uint8Array(0), bundle: textBundle('mc:ch:0', 'hello?') });
  await new Promise((r) => setTimeout(r, 20));
  await gw.stop();
  try {
    await pending;
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'AbortError');
  }
  mesh.stop();
});

test('attempt byte: > 3 only when the text leaves room for the firmware tail', () => {
  assert.is(attemptByte(5, 100), 5);
  assert.is(attemptByte(5, 159), 3);
  assert.is(attemptByte(300, 10), 255);
});

test.run();
