/**
 * lora-relay.test.ts with Lattice v2: A's DM to C crosses B as two v2 frames (the router makes it v2-shaped with
 * its stamps), B re-expands nothing but its own custody entry, C shows custody [B] (what `lattice trace` prints), opens
 * the compact seal, and C's delivery bloom still finds its way back to A. Then a broadcast of A reaches C through B
 * as v2 with custody [B].
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
import { waitFor } from '../../lib/testing/wait-for.js';
import { StampAllocator } from '../bearers/lora/v2/stamp-allocator.js';
import { isV2 } from '../bearers/lora/v2/v2-frame.js';

test('v2: A -> C over LoRa through B (A and C out of range), custody [B], delivered by bloom; a broadcast too', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lattice-lora-relay-'));
  const ids = ['a', 'b', 'c'].map(() => generateIdentity());
  const air = createLoraNeighbourhood({
    nodes: ids.map((id, i) => ({ name: `n${i}`, nodeId: id.nodeId, x: 3000 * i, v2: { identity: id } })),
    timeScale: 0.01,
  });
  const nodes: { vault: Vault; router: Router }[] = [];
  try {
    // Only C's blooms matter here; A's and B's own periodic blooms (nothing in them for anyone) would only crowd the
    // channel: at B, A's and C's broadcasts collide (hidden terminals), and under load so many fragments were lost
    // (35 reassemblies evicted at B in 45 s) that A never got 7 of C's blooms through B.
    for (let i = 0; i < 3; i++) {
      const vault = new Vault({ path: join(root, String(i)) });
      await vault.start();
      const stamps = await StampAllocator.open(join(root, `stamps-${i}`));
      const router = new Router({ identity: ids[i]!, vault, stamps, bearers: [air.bearer(`n${i}`)], bloomIntervalMs: i === 2 ? 1000 : 3_600_000, bloomDebounceMs: 100, retryIntervalMs: 1000, sendTimeoutMs: 60_000 });
      await router.start();
      nodes.push({ vault, router });
    }
    await air.start({ signal: AbortSignal.timeout(30_000) });
    assert.not.ok(air.bearer('n0').canReach(ids[2]!.nodeIdHex), 'A must not hear C');
    assert.ok(air.bearer('n0').canReach(ids[1]!.nodeIdHex), 'A hears B');

    const { bundleId } = await nodes[0]!.router.send({ to: ids[2]!.nodeIdHex, text: 'over the ridge' });
    const atC = await waitFor('the bundle at C', () => nodes[2]!.router.bundleView(bundleId), 45_000, 100);
    assert.ok(atC, 'the bundle reached C');
    assert.equal(atC!.custody, [ids[1]!.shortId]);
    assert.is(atC!.text, 'over the ridge');
    await waitFor("C's bloom at A", () => nodes[0]!.router.bundleView(bundleId)?.state === 'delivered', 45_000, 100);
    assert.is(nodes[0]!.router.bundleView(bundleId)?.state, 'delivered', "C's bloom reached A through B");
    assert.ok(air.bearer('n0').metrics.counters['bundles_out.v2']! >= 1 && air.bearer('n1').metrics.counters['bundles_out.v2']! >= 1, 'both hops went as v2');
    const bc = await nodes[0]!.router.send({ to: '*', text: 'hello valley' });
    const bcAtC = await waitFor('the broadcast at C', () => nodes[2]!.router.bundleView(bc.bundleId), 45_000, 100);
    assert.equal(bcAtC!.custody, [ids[1]!.shortId]);
    assert.is(bcAtC!.text, 'hello valley');
    const data = air.emulated.air.log.filter((f) => isV2(f.payload) && (f.payload[0]! >> 4) === 8);
    assert.ok(data.length >= 4, `${data.length} v2 data frames on the air`);
  } finally {
    for (const n of nodes) await n.router.stop();
    await air.stop();
    for (const n of nodes) await n.vault.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
