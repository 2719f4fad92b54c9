/**
 * Three relays on the simulated air (real Router + Vault each, LoRa bearers on emulated SX1262 radios driven at
 * the SPI byte level): A and C are 6 km apart, out of range of each other; B sits between them. A's sealed DM to
 * C must reach C through B, with B in the custody chain, and C's delivery bloom must find its way back to A.
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

test('A -> C over LoRa through B (A and C out of range), custody [B], delivered by bloom', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lattice-lora-relay-'));
  const ids = ['a', 'b', 'c'].map(() => generateIdentity());
  const air = createLoraNeighbourhood({
    nodes: ids.map((id, i) => ({ name: `n${i}`, nodeId: id.nodeId, x: 3000 * i })),
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
      const router = new Router({ identity: ids[i]!, vault, bearers: [air.bearer(`n${i}`)], bloomIntervalMs: i === 2 ? 1000 : 3_600_000, bloomDebounceMs: 100, retryIntervalMs: 1000, sendTimeoutMs: 60_000 });
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
  } finally {
    for (const n of nodes) await n.router.stop();
    await air.stop();
    for (const n of nodes) await n.vault.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
