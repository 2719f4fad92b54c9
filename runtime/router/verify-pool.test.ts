import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateIdentity } from '../identity/identity.js';
import { createBundle } from '../bundle/create-bundle.js';
import { encodeBundle } from '../bundle/bundle-codec.js';
import { VerifyPool } from './verify-pool.js';

const x = generateIdentity();

test('worker threads verify: valid resolves, tampered/expired reject with the verifyBundle reason', async () => {
  const pool = new VerifyPool(2);
  pool.start();
  try {
    const good = createBundle(x, { recipient: null, text: 'ok' });
    const now = Date.now();
    const many = Array.from({ length: 50 }, (_, i) => encodeBundle(createBundle(x, { recipient: null, text: `m${i}` })));
    await Promise.all(many.map((b) => pool.verify(b, now)));
    await pool.verify(encodeBundle(good), now);
    const tampered = encodeBundle({ ...good, body: new TextEncoder().encode('OK') });
    const outcomes = await Promise.allSettled([
      pool.verify(tampered, now),
      pool.verify(encodeBundle(good), good.sentAt + good.lifetime + 1),
      pool.verify(Uint8Array.of(1, 2, 3), now),
    ]);
    const names = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).name : 'ok'));
    assert.equal(names, ['BundleRejectedError', 'BundleRejectedError', 'BundleDecodeError']);
    const reasons = outcomes.slice(0, 2).map((o) => ((o as PromiseRejectedResult).reason as { reason: string }).reason);
    assert.equal(reasons, ['bad-signature', 'expired']);
  } finally {
    await pool.stop();
  }
  try {
    await pool.verify(new Uint8Array(10), Date.now());
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'VerifyPoolClosedError');
  }
  assert.throws(() => new VerifyPool(0), (e: Error) => e.name === 'RangeError');
});

test.run();
