/**
 * The IP bearer's shard-message channel between two real bearers on 127.0.0.1: messages of every size (one
 * fragment, many fragments, empty) arrive whole and attributed to the authenticated sender, bundle frames keep
 * flowing between them, offline peers and oversize messages give clear answers, and the shard store's
 * LinkShardNetwork runs request/response over it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { generateIdentity, type Identity } from '../../identity/identity.js';
import { createLogger } from '../../log/logger.js';
import type { IpBearer } from './ip-bearer.js';
import { LoopbackBearers } from './testing/loopback-bearers.js';
import { MAX_SHARD_MESSAGE_BYTES } from './shard-fragments.js';
import { LinkShardNetwork } from '../../shards/link-shard-network.js';
import { ipShardLink } from '../../shards/ip-shard-link.js';
import { waitFor } from '../../../lib/testing/wait-for.js';

const rig = new LoopbackBearers(createLogger('ip-shard-test'));
const bearer = (identity: Identity, peers: IpBearer[] = []) => rig.start({ identity, peers });

async function pair() {
  const ia = generateIdentity();
  const ib = generateIdentity();
  const a = await bearer(ia);
  const b = await bearer(ib, [a]);
  await waitFor('both online', () => a.relayPeers().length === 1 && b.relayPeers().length === 1);
  return { a, b, ia, ib };
}

test.after(() => rig.stopAll());

test('messages of 0 B, 1 B, one fragment and many fragments arrive whole, in order, from the proven sender', async () => {
  const { a, b, ia, ib } = await pair();
  assert.equal(a.relayPeers().map((p) => p.id), [ib.nodeIdHex]);
  const got: { from: string; m: Uint8Array }[] = [];
  b.onShardMessage((from, m) => got.push({ from, m }));
  const frames: Uint8Array[] = [];
  b.on('frame', (f) => {
    frames.push(f.bytes);
    f.settle?.('stored');
  });
  const sizes = [0, 1, 4200, 16 * 1024, 16 * 1024 + 1, 300_000];
  const sent = sizes.map((n) => new Uint8Array(randomBytes(n)));
  // A bundle frame sent while a 300 KB message is in flight still arrives (it is queued after the message, whole).
  const results = await Promise.all([...sent.map((m) => a.sendShard(ib.nodeIdHex, m)), a.send({ peer: ib.nodeIdHex, bytes: Uint8Array.of(1, 2, 3), kind: 'bundle' })]);
  assert.equal(results, [true, true, true, true, true, true, 'accepted']);
  await waitFor('all messages', () => got.length === sizes.length);
  assert.ok(got.every((g) => g.from === ia.nodeIdHex));
  assert.equal(got.map((g) => g.m.length), sizes);
  for (let i = 0; i < sizes.length; i++) assert.ok(Buffer.from(got[i]!.m).equals(Buffer.from(sent[i]!)), `message ${i}`);
  await waitFor('the bundle frame', () => frames.some((f) => f.length === 3));
  // Shard messages are not Lattice frames: the router never sees them.
  assert.ok(frames.every((f) => f.length === 3));
  assert.is((a.status().detail as { counters: Record<string, number> }).counters['shard_messages.out'], sizes.length);
});

test('unknown or offline peer -> false; over the maximum -> ShardMessageTooLargeError; no handler -> counted', async () => {
  const { a, b, ib } = await pair();
  assert.is(await a.sendShard('ab'.repeat(32), Uint8Array.of(1)), false);
  try {
    await a.sendShard(ib.nodeIdHex, new Uint8Array(MAX_SHARD_MESSAGE_BYTES + 1));
    assert.unreachable('should throw');
  } catch (err) {
    assert.is((err as Error).name, 'ShardMessageTooLargeError');
  }
  assert.ok(await a.sendShard(ib.nodeIdHex, Uint8Array.of(7)));
  await waitFor('discard counted', () => ((b.status().detail as { counters: Record<string, number> }).counters['discarded.shard-unhandled'] ?? 0) >= 1);
  await b.stop();
  await waitFor('a sees b offline', () => a.relayPeers().length === 0, 20_000);
  assert.is(await a.sendShard(ib.nodeIdHex, Uint8Array.of(1)), false);
});

test('LinkShardNetwork over two IP bearers: request/response with a 4 KB shard each way, peers() from the bearer', async () => {
  const { a, b, ia, ib } = await pair();
  const na = new LinkShardNetwork(ipShardLink(a, ia.nodeIdHex));
  const nb = new LinkShardNetwork(ipShardLink(b, ib.nodeIdHex));
  const shard = new Uint8Array(randomBytes(4072));
  const seen: string[] = [];
  nb.onRequest(async (from, req) => {
    seen.push(from);
    if (req.op === 'fetch') return { op: 'fetch', shard };
    return { op: 'error', reason: 'unexpected' };
  });
  assert.equal(na.peers().map((p) => p.id), [ib.nodeIdHex]);
  const res = await na.request(ib.nodeIdHex, { op: 'fetch', hash: new Uint8Array(32) }, { signal: AbortSignal.timeout(15_000) });
  assert.is(res.op, 'fetch');
  assert.ok(Buffer.from((res as { shard: Uint8Array }).shard).equals(Buffer.from(shard)));
  assert.equal(seen, [ia.nodeIdHex]);
  try {
    await na.request('cd'.repeat(32), { op: 'fetch', hash: new Uint8Array(32) }, { signal: AbortSignal.timeout(15_000) });
    assert.unreachable('should reject');
  } catch (err) {
    assert.is((err as Error).name, 'ShardRpcError');
  }
});

test.run();
