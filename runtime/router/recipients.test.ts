/**
 * The router's send() refuses a recipient that cannot be an address with InvalidRecipientError, and the API turns it
 * into a 400 (it was a 500 InternalError: sealing to a 64-hex string that is no Ed25519 key threw deep in the crypto,
 * and malformed mt:/mc: addresses were stored for no gateway ever to deliver).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiClient } from '../api/api-client.js';
import { ApiServer } from '../api/api-server.js';
import { captureLogs } from '../log/testing/capture-logs.js';
import type { NodeStatus, RelayNode } from '../node/relay-node.js';
import { Network, type TestRelay } from './testing/relay-fixture.js';

let net: Network;
const logs = captureLogs('warn');
test.before.each(() => {
  net = new Network();
});
test.after.each(async () => {
  await net.close();
});
test.after(() => logs.restore());

const INVALID = [
  'f'.repeat(64), '0'.repeat(64), `${'0'.repeat(62)}80`, `01${'00'.repeat(31)}`, // no X25519 form
  'a'.repeat(63), 'a'.repeat(65), 'g'.repeat(64), // mistyped node ids
  'mt:garbage', 'mt:!zz', 'mt:ch:99', 'mt:!ffffffff', 'mc:abc', 'mc:ch:999', 'mc:',
];

test('send() throws InvalidRecipientError for keys with no X25519 form and malformed foreign addresses', async () => {
  const a = await net.relay('a');
  for (const to of INVALID) {
    try {
      await a.router.send({ to, text: 'x' });
      assert.unreachable(to);
    } catch (err) {
      assert.is((err as Error).name, 'InvalidRecipientError', to);
    }
  }
  assert.is(a.router.outboxCounts().queued, 0, 'nothing stored');
  // A name that is no address at all, or a short id no peer has, is unknown rather than invalid.
  for (const to of ['nobody', 'abcdef234567']) {
    try {
      await a.router.send({ to, text: 'x' });
      assert.unreachable(to);
    } catch (err) {
      assert.is((err as Error).name, 'UnknownPeerError', to);
    }
  }
  // Well-formed ones still go: a real node id, a Meshtastic node and channel, a MeshCore key prefix and channel.
  const b = await net.relay('b');
  for (const to of [b.identity.nodeIdHex, 'mt:!a1b2c3d4', 'mt:ch:0', 'mc:a1b2c3d4e5f6', 'mc:ch:0']) {
    assert.match((await a.router.send({ to, text: 'ok' })).bundleId, /^[0-9a-f]{64}$/, to);
  }
});

/** Just enough of the daemon's RelayNode around a fixture relay for the API. */
function relayNode(r: TestRelay): RelayNode {
  return {
    status: () => ({ nodeId: r.identity.nodeIdHex }) as NodeStatus,
    send: (req) => r.router.send(req),
    bundle: (id) => r.router.bundleView(id),
    inbox: (o) => r.router.inbox(o),
  };
}

test('over HTTP: 400 with the error name, and no "request failed" in the log', async () => {
  const a = await net.relay('a');
  const server = new ApiServer({ node: relayNode(a), host: '127.0.0.1', port: 0 });
  await server.start();
  try {
    const client = new ApiClient({ url: server.url! });
    for (const to of INVALID) {
      try {
        await client.send({ to, text: 'x' });
        assert.unreachable(to);
      } catch (err) {
        assert.is((err as { status: number }).status, 400, to);
        assert.is((err as { errorName: string }).errorName, 'InvalidRecipientError', to);
      }
    }
    assert.not.ok(logs.of('api').some((l) => l.level === 'error'), 'no internal error logged');
  } finally {
    await server.stop();
  }
});

test.run();
