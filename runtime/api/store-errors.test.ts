/** A vault that cannot take a bundle answers POST /send with its own error name: 507 when full, 503 when failing. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiServer } from './api-server.js';
import { FakeRelayNode } from './testing/fake-relay-node.js';
import { createMetrics } from '../metrics/metrics.js';
import { StoreFullError, VaultWriteError } from '../vault/errors.js';

async function sendWith(err: Error): Promise<{ status: number; body: any }> {
  const node = new FakeRelayNode();
  node.send = async () => { throw err; };
  const server = new ApiServer({ node, host: '127.0.0.1', port: 0, metrics: createMetrics({ defaultMetrics: false }) });
  await server.start();
  try {
    const r = await fetch(`${server.url}/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"to":"*","text":"x"}', signal: AbortSignal.timeout(10_000) });
    return { status: r.status, body: await r.json() };
  } finally {
    await server.stop();
  }
}

test('StoreFullError (budget or disk) → 507 with its name; VaultWriteError → 503', async () => {
  const budget = await sendWith(new StoreFullError('budget', 1000, 1000));
  assert.is(budget.status, 507);
  assert.is(budget.body.error.name, 'StoreFullError');
  assert.match(budget.body.error.message, /budget/);
  const disk = await sendWith(new StoreFullError('disk', 1000, undefined, { cause: Object.assign(new Error('No space left on device'), { code: 28 }) }));
  assert.is(disk.status, 507);
  assert.is(disk.body.error.name, 'StoreFullError');
  const io = await sendWith(new VaultWriteError('write cycle', { cause: Object.assign(new Error('Input/output error'), { code: 5 }) }));
  assert.is(io.status, 503);
  assert.is(io.body.error.name, 'VaultWriteError');
});

test.run();
