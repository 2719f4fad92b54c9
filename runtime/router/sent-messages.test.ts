/**
 * Router.sentMessages (the dashboard's "sent" list): the bundles this relay created, newest first, from the vault's
 * `sent` index: a local send with its text even though it is sealed to the recipient (we sealed it: openOwnSealed),
 * a foreign channel message the relay bridged in (with its foreign origin), but not a foreign DM to this relay (that
 * was received: the inbox lists it), nor a bundle merely relayed through; the state follows the outbox.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Network, waitFor } from './testing/relay-fixture.js';
import { stampAt } from '../bundle/stamp.js';

test('sent: our sends (sealed ones readable), foreign channel messages bridged in, not foreign DMs to us, newest first', async () => {
  const net = new Network();
  try {
    const g = await net.relay('g', { bearers: [{}, { name: 'meshtastic0', foreign: ['mt:'] }] });
    const b = await net.relay('b');
    net.link(g, b);
    const { bundleId: toB } = await g.router.send({ to: b.identity.nodeIdHex, text: 'sealed for B' });
    g.bearers[1]!.injectForeign({ from: 'mt:!a1b2c3d4', fromName: 'Hiker', to: 'mt:ch:0', direct: false, text: 'on the channel', packetId: 1, receivedAt: Date.now() });
    await waitFor('the channel message stored', () => g.router.sentMessages().length === 2);
    g.bearers[1]!.injectForeign({ from: 'mt:!a1b2c3d4', to: g.identity.nodeIdHex, direct: true, text: 'a DM to the relay', packetId: 2, receivedAt: Date.now() });
    await waitFor('the DM in the inbox', () => g.router.inbox().some((e) => e.text === 'a DM to the relay'));
    const { bundleId: fromB } = await b.router.send({ to: '*', text: 'relayed through G' });
    await waitFor('B\'s broadcast at G', () => g.router.bundleView(fromB) !== undefined);
    await waitFor('delivered to B', () => g.router.sentMessages().find((e) => e.id === toB)?.state === 'delivered');

    const sent = g.router.sentMessages();
    assert.equal(sent.map((e) => e.text), ['on the channel', 'sealed for B'], 'newest first; no DM to us, nothing of B\'s');
    assert.equal(sent[0]!.origin, { id: 'mt:!a1b2c3d4', name: 'Hiker' });
    assert.is(sent[0]!.to, 'mt:ch:0');
    assert.equal([sent[1]!.id, sent[1]!.to, sent[1]!.state], [toB, b.identity.nodeIdHex, 'delivered']);
    assert.is(g.router.bundleView(toB)!.text, undefined, 'lattice trace still cannot read it (only the sent list opens our own)');
    assert.equal(g.router.sentMessages({ limit: 1 }).map((e) => e.text), ['on the channel']);
  } finally {
    await net.close();
  }
});

test('sent: a v2 send (compact seal, sentAt from a stamp) is listed with its text', async () => {
  // The simulated default speaks Lattice v2 (issue 19): its sends to a node are compact-sealed, and the dashboard's
  // sent list lost their text (the page then showed "(text no longer kept)").
  const net = new Network();
  try {
    let stamp = stampAt(Date.now());
    const g = await net.relay('g', { router: { stamps: { next: async () => ++stamp } } });
    const b = await net.relay('b');
    net.link(g, b);
    const { bundleId } = await g.router.send({ to: b.identity.nodeIdHex, text: 'compact for B' });
    await waitFor('delivered to B', () => g.router.sentMessages().find((e) => e.id === bundleId)?.state === 'delivered');
    assert.is(b.router.inbox().find((e) => e.id === bundleId)?.text, 'compact for B', 'B opens it');
    assert.is(g.router.sentMessages().find((e) => e.id === bundleId)?.text, 'compact for B');
  } finally {
    await net.close();
  }
});

test.run();
