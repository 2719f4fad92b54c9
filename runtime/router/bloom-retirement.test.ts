import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { generateIdentity } from '../identity/identity.js';
import { Vault } from '../vault/vault.js';
import { hex } from '../vault/vault-keys.js';
import { BLOOM_RUN, judgeBloom, type AwaitingIndex, type SaltedBloom } from './bloom-retirement.js';
import { BloomFilter } from './delivery-bloom.js';
import { BloomIssuer } from './testing/bloom-issuer.js';

/** The awaiting index as a map (the vault's is tested below and in vault.test.ts). */
class MemoryIndex implements AwaitingIndex {
  readonly rows = new Map<string, { node: Uint8Array; id: Uint8Array; state: Uint8Array }>();
  writes = 0;
  awaitingEntries(nodeId: Uint8Array) {
    return [...this.rows.values()].filter((r) => hex(r.node) === hex(nodeId)).map(({ id, state }) => ({ id, state }));
  }
  addAwaiting(nodeId: Uint8Array, id: Uint8Array, state: Uint8Array = new Uint8Array(0)) {
    this.writes++;
    this.rows.set(hex(nodeId) + hex(id), { node: nodeId, id, state });
  }
  removeAwaiting(nodeId: Uint8Array, id: Uint8Array) {
    this.writes++;
    this.rows.delete(hex(nodeId) + hex(id));
  }
  has(nodeId: Uint8Array, id: Uint8Array) {
    return this.rows.has(hex(nodeId) + hex(id));
  }
}

const node = generateIdentity();
const others = Array.from({ length: 40 }, () => randomBytes(32));
const bloomOf = (m: { nodeId: Uint8Array; salt: Uint8Array; prev: Uint8Array; bloom: Uint8Array }): SaltedBloom =>
  ({ nodeId: m.nodeId, salt: m.salt, prev: m.prev, filter: new BloomFilter(m.salt, m.bloom) });

test(`a real delivery is confirmed by the ${BLOOM_RUN}th consecutive bloom carrying it, not before, and only once`, () => {
  const idx = new MemoryIndex();
  const issuer = new BloomIssuer(node);
  const x = randomBytes(32);
  idx.addAwaiting(node.nodeId, x);
  for (let i = 1; i < BLOOM_RUN; i++) {
    const v = judgeBloom(idx, bloomOf(issuer.message([x, ...others])));
    assert.equal(v.confirmed, [], `bloom ${i}`);
    assert.equal(v.carried.map(hex), [hex(x)], 'carried: the relay passes it upstream');
  }
  const v = judgeBloom(idx, bloomOf(issuer.message([x, ...others])));
  assert.equal(v.confirmed.map(hex), [hex(x)]);
  // Lingers (still passed upstream, for BLOOM_RUN more blooms that carry it) but is never confirmed twice.
  for (let i = 1; i <= BLOOM_RUN; i++) {
    const after = judgeBloom(idx, bloomOf(issuer.message([x, ...others])));
    assert.equal(after.confirmed, []);
    assert.equal(after.carried.map(hex), [hex(x)], `lingering bloom ${i}`);
    assert.is(idx.has(node.nodeId, x), i < BLOOM_RUN, `entry after lingering bloom ${i}`);
  }
});

test('a retired entry ends at the first bloom without the id (it left the node\'s ring)', () => {
  const idx = new MemoryIndex();
  const issuer = new BloomIssuer(node);
  const x = randomBytes(32);
  idx.addAwaiting(node.nodeId, x);
  for (let i = 0; i < BLOOM_RUN; i++) judgeBloom(idx, bloomOf(issuer.message([x])));
  assert.ok(idx.has(node.nodeId, x));
  assert.equal(judgeBloom(idx, bloomOf(issuer.message(others))).carried, []);
  assert.not.ok(idx.has(node.nodeId, x));
});

test('a bundle in only one salted bloom (a false positive) is not retired, and its run starts over', () => {
  const idx = new MemoryIndex();
  const issuer = new BloomIssuer(node);
  const x = randomBytes(32);
  idx.addAwaiting(node.nodeId, x);
  // BLOOM_RUN - 1 hits, then one bloom without it: a real member is never missing, so the count restarts.
  for (let i = 1; i < BLOOM_RUN; i++) judgeBloom(idx, bloomOf(issuer.message([x])));
  assert.equal(judgeBloom(idx, bloomOf(issuer.message(others))).carried, []);
  for (let i = 1; i < BLOOM_RUN; i++) assert.equal(judgeBloom(idx, bloomOf(issuer.message([x]))).confirmed, [], `hit ${i} after the miss`);
  assert.equal(judgeBloom(idx, bloomOf(issuer.message([x]))).confirmed.map(hex), [hex(x)]);
});

test('blooms of the node we never saw (lost on the air) neither break nor extend a run; the same bloom twice counts once', () => {
  const idx = new MemoryIndex();
  const issuer = new BloomIssuer(node);
  const x = randomBytes(32);
  idx.addAwaiting(node.nodeId, x);
  // Between each two blooms we see, the node issued one we missed: the run still grows by one per bloom seen.
  for (let i = 1; i < BLOOM_RUN; i++) assert.equal(judgeBloom(idx, bloomOf(issuer.message([x], { skip: 1 }))).confirmed, [], `hit ${i}`);
  const last = bloomOf(issuer.message([x], { skip: 3 }));
  const again = judgeBloom(idx, last);
  assert.equal(again.confirmed.map(hex), [hex(x)], `the ${BLOOM_RUN}th bloom seen confirms`);
  assert.equal(judgeBloom(idx, last).confirmed, [], 'a repeat of it confirms nothing more');
});

test('a relay is told every waiting id, hit or miss (it passes every bloom of the node upstream)', () => {
  const idx = new MemoryIndex();
  const issuer = new BloomIssuer(node);
  const [x, y] = [randomBytes(32), randomBytes(32)];
  idx.addAwaiting(node.nodeId, x);
  idx.addAwaiting(node.nodeId, y);
  const v = judgeBloom(idx, bloomOf(issuer.message([x])));
  assert.equal(v.carried.map(hex), [hex(x)]);
  assert.equal(v.waiting.map(hex).sort(), [hex(x), hex(y)].sort());
});

test('a bloom refers only to its own node; other ids and other nodes are untouched (no writes for misses)', () => {
  const idx = new MemoryIndex();
  const issuer = new BloomIssuer(node);
  const elsewhere = generateIdentity().nodeId;
  const x = randomBytes(32);
  idx.addAwaiting(elsewhere, x);
  const waiting = Array.from({ length: 200 }, () => randomBytes(32));
  for (const w of waiting) idx.addAwaiting(node.nodeId, w);
  idx.writes = 0;
  const v = judgeBloom(idx, bloomOf(issuer.message([x, ...others])));
  assert.equal(v.confirmed, []);
  assert.ok(v.carried.length <= 10, `${v.carried.length} false positives of 200 at p ≈ 0`);
  assert.is(idx.writes, v.carried.length, 'a miss with no run writes nothing');
  assert.is(idx.rows.size, 201);
});

test('runs are kept in the vault: a restart between blooms does not lose them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bloom-retirement-'));
  try {
    let v = new Vault({ path: dir, groupCommitMs: 1, fsyncsPerSecond: Infinity, sweepIntervalMs: 0 });
    await v.start();
    const issuer = new BloomIssuer(node);
    const x = randomBytes(32);
    v.addAwaiting(node.nodeId, x);
    // Blooms closer together than a write cycle: the second must see the first's state before it is committed.
    for (let i = 0; i < BLOOM_RUN - 2; i++) judgeBloom(v, bloomOf(issuer.message([x])));
    await v.stop();
    v = new Vault({ path: dir, groupCommitMs: 1, fsyncsPerSecond: Infinity, sweepIntervalMs: 0 });
    await v.start();
    assert.equal(judgeBloom(v, bloomOf(issuer.message([x]))).confirmed, []);
    assert.equal(judgeBloom(v, bloomOf(issuer.message([x]))).confirmed.map(hex), [hex(x)], `confirmed by bloom ${BLOOM_RUN}`);
    await v.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
