import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { limitInflight, requestBytes } from './inflight-limit.js';
import type { ShardRequest, ShardResponse } from './shard-network.js';

test('requests in flight are bounded per peer and in total, by count and bytes; "busy" past that, room again after', async () => {
  const gates: (() => void)[] = [];
  const handler = () => new Promise<ShardResponse>((resolve) => gates.push(() => resolve({ op: 'get-manifest' })));
  const busy: string[] = [];
  const limited = limitInflight(handler, { perPeer: 2, perPeerBytes: 12_000, total: 3, totalBytes: 14_000 }, (p) => busy.push(p));
  const small: ShardRequest = { op: 'get-manifest', id: 'x' };
  const a1 = limited('a', small);
  const a2 = limited('a', small);
  assert.equal(await limited('a', small), { op: 'error', reason: 'busy' }, 'a third from one peer');
  const b1 = limited('b', small);
  assert.equal(await limited('c', small), { op: 'error', reason: 'busy' }, 'a fourth in all');
  assert.equal(busy, ['a', 'c']);
  gates.shift()!();
  await a1;
  const big: ShardRequest = { op: 'put-manifest', id: 'y', bytes: new Uint8Array(9_000), expiresAt: 1 };
  assert.ok(requestBytes(big) > 9_000);
  assert.equal(await limited('c', { ...big, bytes: new Uint8Array(11_500) }), { op: 'error', reason: 'busy' }, 'over the per-peer bytes');
  const c1 = limited('c', big);
  assert.equal(await limited('d', { op: 'store', shard: new Uint8Array(4000), expiresAt: 1 }), { op: 'error', reason: 'busy' }, 'over the total');
  while (gates.length) gates.shift()!();
  await Promise.all([a2, b1, c1]);
  assert.equal(await Promise.race([limited('d', small), new Promise((r) => setTimeout(() => r('pending'), 50))]), 'pending', 'room again: handled, not refused');
  gates.shift()!();
});

test.run();
