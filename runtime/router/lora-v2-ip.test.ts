/**
 * One bundle, two bearers at once: A's DM (and A's broadcast) to B goes over LoRa as a Lattice v2 frame (no
 * signature, key hints, compact seal) and over IP as signed CBOR. B's router computes the same bundle id from both
 * copies — the v2 rebuild resolves sender and recipient and keeps sentAt and body exact — so it stores and delivers
 * the message once and counts the other copy a duplicate, whichever came first. Real routers and vaults, LoRa on
 * emulated SX1262s, IP bearers on loopback.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity } from '../identity/identity.js';
import { Vault } from '../vault/vault.js';
import { Router } from './router.js';
import { createLoraNeighbourhood } from '../bearers/lora/sim/lora-neighbourhood.js';
import { LoopbackBearers } from '../bearers/ip/testing/loopback-bearers.js';
import { StampAllocator } from '../bearers/lora/v2/stamp-allocator.js';
import { createLogger } from '../log/logger.js';
import { waitFor } from '../../lib/testing/wait-for.js';

test('a DM and a broadcast sent over LoRa v2 and IP at once are stored and delivered once at B', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lattice-v2-ip-'));
  const [a, b] = [generateIdentity(), generateIdentity()];
  const air = createLoraNeighbourhood({ nodes: [a, b].map((id, i) => ({ name: `n${i}`, nodeId: id.nodeId, x: 1000 * i, v2: { identity: id } })) });
  const ip = new LoopbackBearers(createLogger('test-ip'));
  const routers: Router[] = [];
  const vaults: Vault[] = [];
  try {
    const ipB = await ip.start({ identity: b });
    const ipA = await ip.start({ identity: a, peers: [ipB] });
    const stamps = await StampAllocator.open(join(root, 'stamps-a'));
    for (const [i, id] of [a, b].entries()) {
      const vault = new Vault({ path: join(root, `v${i}`) });
      await vault.start();
      vaults.push(vault);
      const router = new Router({ identity: id, vault, bearers: [air.bearer(`n${i}`), i === 0 ? ipA : ipB], bloomIntervalMs: 3_600_000, retryIntervalMs: 1000, sendTimeoutMs: 30_000, ...(i === 0 ? { stamps } : {}) });
      await router.start();
      routers.push(router);
    }
    await air.start({ signal: AbortSignal.timeout(30_000) });
    await waitFor('A reaches B over IP', () => ipA.canReach(b.nodeIdHex), 10_000);
    assert.ok(air.bearer('n0').canReach(b.nodeIdHex), 'A hears B on LoRa');
    const seen: Array<{ kind: string; id: string; bearer?: string }> = [];
    routers[1]!.events.on('received', (e) => seen.push({ kind: 'received', id: e.id, bearer: e.bearer }));
    routers[1]!.events.on('duplicate', (e) => seen.push({ kind: 'duplicate', id: e.id, bearer: e.bearer }));

    const dm = await routers[0]!.send({ to: b.nodeIdHex, text: 'one copy please' });
    const bc = await routers[0]!.send({ to: '*', text: 'to everyone, once' });
    for (const { bundleId } of [dm, bc]) {
      await waitFor(`both copies of ${bundleId.slice(0, 8)} at B`, () => seen.filter((s) => s.id === bundleId).length >= 2, 30_000, 20);
      const copies = seen.filter((s) => s.id === bundleId);
      assert.equal(copies.map((c) => c.kind).sort(), ['duplicate', 'received'], JSON.stringify(copies));
      assert.equal(new Set(copies.map((c) => c.bearer)), new Set(['n1', ipB.name]), 'one copy per bearer');
    }
    // LoRa carried them as v2 frames, not v1.
    await waitFor('both LoRa sends accepted', () => air.bearer('n0').metrics.counters['bundles_out.v2'] === 2, 30_000, 20);
    assert.is(air.bearer('n0').metrics.counters['bundles_out.compact'], undefined);
    const inbox = routers[1]!.inbox();
    assert.equal(inbox.map((m) => m.text).sort(), ['one copy please', 'to everyone, once']);
    assert.is(routers[1]!.bundleView(dm.bundleId)?.text, 'one copy please');
  } finally {
    for (const r of routers) await r.stop();
    await ip.stopAll();
    await air.stop();
    for (const v of vaults) await v.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
