/**
 * Bundles the router creates (a local send, a foreign message wrapped, a bridged part) are signed once by this
 * relay and held to the same rules as any bundle, but their signature is not verified again: the router made it a
 * moment ago with its own key, and an Ed25519 verification is the costliest step of storing a bridged text.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateIdentity, type Identity } from '../identity/identity.js';
import { MAX_LIFETIME_MS } from '../bundle/verify-bundle.js';
import { Network } from './testing/relay-fixture.js';

/** This relay's identity, except that every signature it makes is all zeros: no verifier would accept one. */
function unverifiableSigner(): { identity: Identity; signatures: () => number } {
  const real = generateIdentity();
  let n = 0;
  return {
    signatures: () => n,
    identity: {
      nodeId: real.nodeId, nodeIdHex: real.nodeIdHex, shortId: real.shortId,
      sign: () => { n++; return new Uint8Array(64); },
      sharedSecret: (peer) => real.sharedSecret(peer),
    },
  };
}

test('a bundle the router creates is signed once and not verified again', async () => {
  const net = new Network();
  try {
    const { identity, signatures } = unverifiableSigner();
    const a = await net.relay('a', { identity });
    const { bundleId } = await a.router.send({ to: 'mt:ch:0', text: 'made here' });
    assert.is(signatures(), 1);
    assert.is(a.router.bundleView(bundleId)?.text, 'made here', 'stored: its signature was not checked');
  } finally {
    await net.close();
  }
});

test('a bundle the router creates is still held to the lifetime rule', async () => {
  const net = new Network();
  try {
    const a = await net.relay('a');
    try {
      await a.router.send({ to: 'mt:ch:0', text: 'too long lived', lifetimeMs: MAX_LIFETIME_MS + 1 });
      assert.unreachable('refused');
    } catch (err) {
      assert.is((err as Error).name, 'BadRequestError');
    }
    assert.is(await a.drops('bad-lifetime'), 1);
  } finally {
    await net.close();
  }
});

test.run();
