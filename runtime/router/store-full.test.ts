/**
 * A full vault seen from the router: a send is refused with StoreFullError (the API answers 507), a bundle another
 * relay offers is refused with the same typed error from ingestBytes() (so a bearer can withhold its acknowledgement)
 * and counted as a drop (`lattice_router_drops_total{reason="store-full"}`); nothing is stored.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateIdentity } from '../identity/identity.js';
import { createBundle } from '../bundle/create-bundle.js';
import { encodeBundle } from '../bundle/bundle-codec.js';
import { bundleId } from '../bundle/bundle-id.js';
import { Network } from './testing/relay-fixture.js';

let net: Network;
test.before.each(() => {
  net = new Network();
});
test.after.each(async () => {
  await net.close();
});

test('full vault: send refused with StoreFullError, offered custody refused with it too, both counted, nothing stored', async () => {
  const a = await net.relay('a', { vault: { maxBytes: 256 * 1024 } });
  // A recipient nobody can reach: every bundle stays queued, so nothing is evictable.
  const away = generateIdentity().nodeIdHex;
  let refused: Error | undefined;
  let sent = 0;
  for (let i = 0; i < 2000 && !refused; i++) {
    try {
      await a.router.send({ to: away, text: `${i} `.padEnd(1500, 'x') });
      sent++;
    } catch (err) {
      refused = err as Error;
    }
  }
  assert.ok(refused, 'never refused');
  assert.is(refused!.name, 'StoreFullError');
  assert.ok(sent > 10, `only ${sent} sends before full`);
  assert.is(await a.drops('store-full'), 1);
  assert.is(a.router.outboxCounts().queued, sent, 'every acknowledged send is still queued');

  const other = generateIdentity();
  const offered = createBundle(other, { recipient: null, text: 'custody offered while full '.padEnd(8000, 'y'), sentAt: Date.now() });
  const err = await a.router.ingestBytes(encodeBundle(offered), { bearer: 'mem', from: other.nodeIdHex }).then(() => undefined, (e: Error) => e);
  assert.is(err?.name, 'StoreFullError', 'the bearer learns the bundle was not stored');
  assert.is(await a.drops('store-full'), 2);
  assert.not.ok(a.vault.has(bundleId(offered)));
  assert.ok(a.events.some((e) => e.type === 'dropped' && (e.e as { reason: string }).reason === 'store-full'));
});

test.run();
