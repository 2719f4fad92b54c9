/**
 * The shard routes end to end in one process: ApiServer + ShardsClient over a five-node ShardCluster (in-memory
 * network, real LMDB stores). Put through one relay's API, get through another's, status, every clear error, and
 * no spool file left behind after success or failure.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { rawRequest } from './testing/raw-request.js';
import { join } from 'node:path';
import { ApiServer } from './api-server.js';
import { ShardsClient } from './shards-client.js';
import type { ShardsService } from './shard-routes.js';
import { FakeRelayNode } from './testing/fake-relay-node.js';
import { captureLogs } from '../log/testing/capture-logs.js';
import { ShardCluster } from '../shards/testing/shard-cluster.js';
import type { ShardNode } from '../shards/shard-node.js';

captureLogs('warn');

function service(node: ShardNode, spoolDir: string, maxFileBytes = node.tuning.maxFileBytes): ShardsService {
  return { putFile: (p, o) => node.putFile(p, o), getFile: (i, out, o) => node.getFile(i, out, o), status: () => node.status(), spoolDir, maxFileBytes };
}

async function serve(shards?: ShardsService, token?: string): Promise<ApiServer> {
  const s = new ApiServer({ node: new FakeRelayNode(), host: '127.0.0.1', port: 0, ...(shards ? { shards } : {}), ...(token ? { token } : {}) });
  await s.start();
  return s;
}

const raw = (url: string, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}) => rawRequest(url, method, path, { body, headers });

async function expectApiError(p: Promise<unknown>, status: number, name: string): Promise<void> {
  try {
    await p;
    assert.unreachable(`expected ${name}`);
  } catch (err) {
    assert.is((err as Error).name, 'ApiResponseError', String(err));
    assert.is((err as { errorName: string }).errorName, name);
    assert.is((err as { status: number }).status, status);
  }
}

test('put on one relay, get on another, 0-byte file too, status; progress reported; spools cleaned', async () => {
  const c = await new ShardCluster({ size: 5 }).start();
  const spoolA = join(c.dir, 'spool-a');
  const spoolB = join(c.dir, 'spool-b');
  const a = await serve(service(c.nodes[0]!, spoolA), 'shard-test-token-0123456789');
  const b = await serve(service(c.nodes[3]!, spoolB));
  try {
    const data = randomBytes(300_000);
    await writeFile(join(c.dir, 'big.bin'), data);
    await writeFile(join(c.dir, 'empty'), new Uint8Array(0));
    const ca = new ShardsClient({ url: a.url!, token: 'shard-test-token-0123456789' });
    const cb = new ShardsClient({ url: b.url! });
    const progress: number[] = [];
    const put = await ca.putFile(join(c.dir, 'big.bin'), { onProgress: (p) => progress.push(p.bytes) });
    assert.match(put.id, /^[0-9a-f]{64}$/);
    assert.is(put.size, 300_000);
    assert.is(progress.at(-1), 300_000);
    const got = await cb.getFile(put.id, join(c.dir, 'copy.bin'), {});
    assert.is(got.name, 'big.bin');
    assert.equal(await readFile(join(c.dir, 'copy.bin')), data);
    // To a byte sink (what `lattice get ID` without -o does with stdout).
    const chunks: Uint8Array[] = [];
    await cb.getFile(put.id, { write: (ch: Uint8Array) => chunks.push(Buffer.from(ch)) }, {});
    assert.equal(Buffer.concat(chunks), data);

    const empty = await ca.putFile(join(c.dir, 'empty'), {});
    assert.is(empty.size, 0);
    await cb.getFile(empty.id, join(c.dir, 'empty-copy'), {});
    assert.is((await readFile(join(c.dir, 'empty-copy'))).length, 0);

    const s = await ca.shardsStatus();
    assert.ok(s.heldShards > 0);
    assert.is(s.manifests, 2);
    assert.equal(await readdir(spoolA), []);
    assert.equal(await readdir(spoolB), []);
    // The token is enforced on the shard routes like on every other.
    await expectApiError(new ShardsClient({ url: a.url! }).shardsStatus(), 401, 'UnauthorizedError');
  } finally {
    await a.stop();
    await b.stop();
    await c.stop();
  }
});

test('errors: unknown id 404, bad id 400, wrong type 415, bad query 400, too large 413, not enough shards 503, no store 503', async () => {
  const c = await new ShardCluster({ size: 5 }).start();
  const spool = join(c.dir, 'spool');
  const a = await serve(service(c.nodes[0]!, spool, 100_000));
  const off = await serve();
  try {
    const ca = new ShardsClient({ url: a.url! });
    await expectApiError(ca.getFile('ab'.repeat(32), join(c.dir, 'x'), {}), 404, 'ManifestNotFoundError');
    assert.equal(await readdir(c.dir).then((f) => f.filter((n) => n.startsWith('x'))), [], 'no output file after a failed get');
    assert.is((await raw(a.url!, 'GET', '/shards/files/nope')).json.error.name, 'ValidationError');
    const wrongType = await raw(a.url!, 'POST', '/shards/files', Buffer.from('hi'), { 'content-type': 'text/plain' });
    assert.is(wrongType.status, 415);
    const badQuery = await raw(a.url!, 'POST', '/shards/files?nmae=x', Buffer.from('hi'), { 'content-type': 'application/octet-stream' });
    assert.is(badQuery.status, 400);
    assert.match(badQuery.json.error.message, /did you mean "name"/);
    const badLife = await raw(a.url!, 'POST', '/shards/files?lifetimeMs=5', Buffer.from('hi'), { 'content-type': 'application/octet-stream' });
    assert.is(badLife.status, 400);
    await writeFile(join(c.dir, 'too-big'), randomBytes(100_001));
    await expectApiError(ca.putFile(join(c.dir, 'too-big'), {}), 413, 'BodyTooLargeError');
    // Chunked upload without a Content-Length is cut off at the limit too.
    const chunked = await raw(a.url!, 'POST', '/shards/files', randomBytes(100_001), { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' });
    assert.is(chunked.status, 413);

    await writeFile(join(c.dir, 'f'), randomBytes(50_000));
    const { id } = await ca.putFile(join(c.dir, 'f'), {});
    // Three of five relays gone: no chunk has k = 3 shards left anywhere reachable.
    for (const i of [1, 2, 3]) c.hub.setOnline(c.id(i), false);
    const reader = await serve(service(c.nodes[4]!, spool));
    try {
      await expectApiError(new ShardsClient({ url: reader.url! }).getFile(id, join(c.dir, 'f2'), {}), 503, 'NotEnoughShardsError');
    } finally {
      await reader.stop();
    }
    assert.equal(await readdir(spool), [], 'spool empty after failures');

    await expectApiError(new ShardsClient({ url: off.url! }).shardsStatus(), 503, 'ShardsDisabledError');
  } finally {
    await a.stop();
    await off.stop();
    await c.stop();
  }
});

test.run();
