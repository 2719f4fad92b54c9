import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ShardCluster } from './testing/shard-cluster.js';
import { nodeApi, runGet, runPut, runShards, type ShardCliContext } from './cli-commands.js';
import { createProgressBar } from './progress-bar.js';

function sink(isTTY = false) {
  const out = { text: '', isTTY, write(s: string) { out.text += s; return true; } };
  return out;
}

test('put, get and shards through the command functions', async () => {
  const c = await new ShardCluster({ size: 5 }).start();
  try {
    const data = randomBytes(200_000);
    await writeFile(join(c.dir, 'photo.jpg'), data);
    const stdout = sink(), stderr = sink();
    const ctx: ShardCliContext = { stdout, stderr, cwd: c.dir, api: nodeApi(c.nodes[0]!) };
    assert.is(await runPut({ file: 'photo.jpg' }, ctx), 0);
    const id = stdout.text.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.match(stderr.text, /put 100%/);
    assert.ok(stderr.text.split('\n').filter(Boolean).length <= 11, 'plain lines at most every 10 %');

    const out2 = sink();
    assert.is(await runGet({ id, out: 'copy.jpg' }, { ...ctx, stdout: out2, api: nodeApi(c.nodes[3]!) }), 0);
    assert.equal(await readFile(join(c.dir, 'copy.jpg')), data);
    assert.match(out2.text, /copy\.jpg \(200\.0 kB\)/);

    const out3 = sink();
    await runShards({ ...ctx, stdout: out3, api: nodeApi(c.nodes[3]!) });
    assert.match(out3.text, /promised +\d+ shards/);
    assert.match(out3.text, /hit rate/);
    const out4 = sink();
    await runShards({ ...ctx, stdout: out4, json: true });
    const s = JSON.parse(out4.text);
    assert.ok(s.heldShards > 0);
    assert.is(s.manifests, 1);
  } finally {
    await c.stop();
  }
});

test('put --lifetime sets the expiry; a bad duration is a UsageError', async () => {
  const c = await new ShardCluster({ size: 5 }).start();
  try {
    await writeFile(join(c.dir, 'f'), randomBytes(100));
    const stdout = sink();
    const ctx: ShardCliContext = { stdout, stderr: sink(), cwd: c.dir, api: nodeApi(c.nodes[0]!), quiet: true };
    await runPut({ file: 'f', lifetime: '2d' }, ctx);
    const m = (await c.nodes[0]!.manifest(stdout.text.trim()))!;
    assert.is(m.expiresAt - m.createdAt, 2 * 86_400_000);
    try {
      await runPut({ file: 'f', lifetime: 'soon' }, ctx);
      assert.unreachable();
    } catch (err) {
      assert.is((err as Error).name, 'UsageError');
    }
  } finally {
    await c.stop();
  }
});

test('get with a malformed id is a UsageError', async () => {
  try {
    await runGet({ id: 'nope' }, { stdout: sink(), stderr: sink(), cwd: '/', api: {} as never });
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'UsageError');
  }
});

test('progress bar redraws in place on a TTY, throttled', () => {
  const s = sink(true);
  let t = 0;
  const bar = createProgressBar(s, 'put', () => t);
  for (let i = 0; i <= 100; i++) { t += 5; bar.update(i * 1e6, 100e6); }
  bar.done();
  const draws = s.text.split('\r').length - 1;
  assert.ok(draws > 3 && draws < 12, `${draws} redraws`);
  assert.match(s.text, /\[#{24}\] 100%/);
  assert.ok(s.text.endsWith('\n'));
});

test.run();
