import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShardStore } from './shard-store.js';
import { DEFAULT_REPUTATION, Reputation } from './reputation.js';

test('scores: start at 60, two failures exclude, slow recovery, persisted, bounded 0..100', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-rep-'));
  let now = 1_000_000_000;
  const store = new ShardStore({ path: join(dir, 'db'), diskBytes: 2 ** 20, cacheBytes: 0 });
  await store.start();
  try {
    const r = new Reputation(store, DEFAULT_REPUTATION, () => now);
    assert.is(r.score('p'), 60);
    assert.ok(r.eligible('p'));
    r.punish('p');
    assert.is(r.score('p'), 35);
    r.punish('p');
    assert.is(r.score('p'), 10);
    assert.not.ok(r.eligible('p'), 'below 20 is excluded');
    now += 9 * 3_600_000;
    assert.is(r.score('p'), 19);
    assert.not.ok(r.eligible('p'));
    now += 3_600_000;
    assert.ok(r.eligible('p'), 'back at 20 after 10 hours');
    now += 100 * 3_600_000;
    assert.is(r.score('p'), 60, 'recovery stops at the initial score');
    for (let i = 0; i < 40; i++) r.reward('q');
    assert.is(r.score('q'), 100);
    for (let i = 0; i < 10; i++) r.punish('q');
    assert.is(r.score('q'), 0);
    await store.flushed();
    const again = new Reputation(store, DEFAULT_REPUTATION, () => now);
    assert.is(again.score('q'), 0, 'persisted');
  } finally {
    await store.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
