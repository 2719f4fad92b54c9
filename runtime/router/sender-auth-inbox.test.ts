/**
 * The delayed-key (TESLA) sender verdict on the received message: a v2 broadcast of A heard at B over the air shows
 * `senderAuth: 'pending'` in B's inbox until A discloses the interval key, then `verified`; a group member M's
 * broadcast in A's name (same stamp, made-up 4-byte sender MAC) shows `pending`, then `failed`. The stored entry is
 * updated (a `sender-auth` trace event in the vault), so the verdict survives a router restart; a DM (compact seal,
 * the AEAD tag under the pairwise key) is `verified` at once.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, type Identity } from '../identity/identity.js';
import { Vault } from '../vault/vault.js';
import { Router } from './router.js';
import { createLoraNeighbourhood } from '../bearers/lora/sim/lora-neighbourhood.js';
import { waitFor } from '../../lib/testing/wait-for.js';
import { BROADCAST } from '../bearer/bearer.js';
import { createBundle } from '../bundle/create-bundle.js';
import { encodeBundle } from '../bundle/bundle-codec.js';
import { bundleIdHex } from '../bundle/bundle-id.js';
import { encodeFrame } from '../wire/frame-codec.js';
import { stampAt } from '../bundle/stamp.js';
import { setLogSink } from '../log/logger.js';

setLogSink(() => undefined, 'silent');

test('a forged sender over the air: pending, then verified for A and failed for M in A\'s name; kept across a restart', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lattice-sender-auth-'));
  // 2-s intervals, disclosed 3 intervals later: the three sends (and any resend) fit well inside the 6 s before it.
  const chain = { n: 4096, intervalS: 2, delay: 3 };
  const ids: Identity[] = [generateIdentity(), generateIdentity(), generateIdentity()];
  const [a, b, m] = ids as [Identity, Identity, Identity];
  const hood = createLoraNeighbourhood({ nodes: ids.map((id, i) => ({ name: 'ABM'[i]!, nodeId: id.nodeId, x: 500 * i, v2: { identity: id, chain, maxSkewS: 0 } })) });
  let vault = new Vault({ path: join(root, 'b') });
  let router: Router | undefined;
  const newRouter = () => new Router({ identity: b, vault, bearers: [hood.bearer('B')], bloomIntervalMs: 3_600_000, retryIntervalMs: 3_600_000 });
  try {
    await vault.start();
    router = newRouter();
    await router.start();
    await hood.start();
    const frameOf = (x: ReturnType<typeof createBundle>) => encodeFrame({ kind: 'bundle', payload: encodeBundle(x) });
    const stamp = stampAt(Date.now());
    const real = createBundle(a, { recipient: null, text: 'really A', stamp });
    const fake = { ...createBundle(a, { recipient: null, text: 'not A at all', stamp }), signature: Uint8Array.of(1, 2, 3, 4) };
    const dm = createBundle(a, { recipient: b.nodeId, text: 'sealed for B', stamp: stamp + 1 });
    const entry = (id: string) => router!.inbox({ limit: 10 }).find((e) => e.id === id);
    const [realId, fakeId, dmId] = [bundleIdHex(real), bundleIdHex(fake), bundleIdHex(dm)];
    // A broadcast has no link ACK: one B missed while transmitting (its router's own frames) is sent again (the same
    // bundle; B keeps one copy) until it is in B's inbox.
    const deliver = async (from: string, peer: string, x: ReturnType<typeof createBundle>, id: string) => {
      for (let i = 0; i < 5 && !entry(id); i++) {
        assert.is(await hood.bearer(from).send({ peer, kind: 'bundle', bytes: frameOf(x) }), 'accepted');
        await waitFor(`${id.slice(0, 8)} in B's inbox`, () => entry(id), 2000, 20).catch(() => undefined);
      }
      assert.ok(entry(id), `${id.slice(0, 8)} reached B`);
    };
    await deliver('A', BROADCAST, real, realId);
    await deliver('M', BROADCAST, fake, fakeId);
    await deliver('A', b.nodeIdHex, dm, dmId);
    assert.is(entry(realId)!.senderAuth, 'pending', 'not verified before the key is disclosed');
    assert.is(entry(fakeId)!.senderAuth, 'pending');
    assert.is(entry(dmId)!.senderAuth, 'verified', 'the DM tag is under the pairwise key');
    await waitFor('A discloses and B decides', () => {
      hood.bearer('A').sweep();
      return entry(realId)?.senderAuth === 'verified' && entry(fakeId)?.senderAuth === 'failed';
    }, 15_000, 200);
    assert.is(entry(fakeId)!.text, 'not A at all');
    assert.ok(router.bundleView(fakeId)!.events.some((e) => e.event === 'sender-auth' && e.detail === 'forged'), 'the verdict is in the trace');
    // The verdict is stored: a new router over the same vault shows it.
    await router.stop();
    await vault.stop();
    vault = new Vault({ path: join(root, 'b') });
    await vault.start();
    router = newRouter();
    await router.start();
    assert.is(entry(realId)!.senderAuth, 'verified');
    assert.is(entry(fakeId)!.senderAuth, 'failed');
  } finally {
    await router?.stop();
    await hood.stop();
    await vault.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
