/**
 * The RelayNode contract suite: what the HTTP API and the CLI may rely on, checked on the real node (the Daemon's
 * RelayNode methods over a running router and vault) and on the API tests' FakeRelayNode, so the fake cannot
 * drift from the node it stands in for. Each implementation hands in a factory for a fresh rig per test.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { InboxEntry, RelayNode } from '../relay-node.js';
import { waitFor } from '../../../lib/testing/wait-for.js';

export interface RelayNodeRig {
  node: RelayNode;
  /** A relay the node knows (listed in status().peers): its node id and short id. */
  peer: { id: string; shortId: string };
  /** A message from `peer` for this node arrives; resolves once the node holds it. */
  receive(text: string): Promise<void>;
  /** Moves the node's clock on, so the next message is received at a later millisecond. */
  advance(ms: number): void;
  close(): Promise<void>;
}

const HEX64 = /^[0-9a-f]{64}$/;

interface Ctx {
  rig: RelayNodeRig;
}

export function relayNodeSuite(name: string, makeRig: () => Promise<RelayNodeRig>) {
  const s = suite<Ctx>(`RelayNode contract: ${name}`);

  s.before.each(async (ctx) => {
    ctx.rig = await makeRig();
  });

  s.after.each(async (ctx) => {
    await ctx.rig.close();
  });

  /** Receives `texts` in order, each at a later millisecond than the one before. */
  async function receiveAll(rig: RelayNodeRig, texts: string[]): Promise<void> {
    for (const t of texts) {
      await rig.receive(t);
      rig.advance(10);
    }
  }

  const texts = (entries: InboxEntry[]) => entries.map((e) => e.text);

  s('status() names the node and counts what it holds', ({ rig }) => {
    const st = rig.node.status();
    assert.match(st.nodeId, HEX64);
    assert.is(st.shortId.length, 12);
    assert.type(st.version, 'string');
    assert.ok(Number.isInteger(st.uptimeSeconds) && st.uptimeSeconds >= 0);
    assert.ok(Array.isArray(st.bearers));
    assert.equal(Object.keys(st.outbox).sort(), ['accepted', 'delivered', 'expired', 'queued']);
    assert.ok(Object.values(st.outbox).every((n) => Number.isInteger(n) && n >= 0));
    assert.is(st.inbox, 0);
    const peer = st.peers.find((p) => p.id === rig.peer.id);
    assert.ok(peer, 'the known peer is listed');
    assert.is(peer!.shortId, rig.peer.shortId);
    assert.ok(Array.isArray(peer!.bearers));
    assert.type(peer!.lastSeen, 'number');
  });

  s('send() resolves every documented kind of recipient and queues a bundle it can show', async ({ rig }) => {
    const node = rig.node;
    const before = node.status().stored;
    const cases: Array<[string, string]> = [
      ['*', '*'], ['broadcast', '*'], [rig.peer.id, rig.peer.id], [rig.peer.id.toUpperCase(), rig.peer.id],
      [rig.peer.shortId, rig.peer.id], ['mt:!a1b2c3d4', 'mt:!a1b2c3d4'], ['mc:ch:0', 'mc:ch:0'],
    ];
    for (const [to, recipient] of cases) {
      const { bundleId } = await node.send({ to, text: `to ${to}` });
      assert.match(bundleId, HEX64, `bundle id for ${to}`);
      const view = node.bundle(bundleId);
      assert.ok(view, `bundle(${to}) is listed`);
      assert.is(view!.id, bundleId);
      assert.is(view!.recipient, recipient, `recipient for ${to}`);
      assert.is(view!.sender, node.status().nodeId);
      assert.is(view!.senderShortId, node.status().shortId);
      assert.is(view!.hops, 0);
      assert.equal(view!.custody, []);
      assert.ok(view!.expiresAt > view!.sentAt);
      assert.ok(['queued', 'accepted', 'delivered', 'relayed'].includes(view!.state), `state ${view!.state}`);
      assert.ok(view!.events.some((e) => e.event === 'created'), 'its trace starts with created');
      if (recipient === '*' || recipient.startsWith('m')) assert.is(view!.text, `to ${to}`, 'a clear body is shown');
    }
    assert.is(node.status().stored, before + cases.length, 'each send stored one bundle');
  });

  s('send() refuses an unknown recipient with UnknownPeerError, one that cannot be an address with InvalidRecipientError; bundle() answers undefined for ids it lacks', async ({ rig }) => {
    for (const [to, name] of [['nobody', 'UnknownPeerError'], ['abcdefghijkm', 'UnknownPeerError'], ['f'.repeat(63), 'InvalidRecipientError']]) {
      const err = await rig.node.send({ to: to!, text: 'x' }).then(() => undefined, (e: Error) => e);
      assert.is(err?.name, name, `send to ${to}`);
    }
    assert.is(rig.node.bundle('0'.repeat(64)), undefined);
    assert.is(rig.node.bundle('not an id'), undefined);
  });

  s('inbox() lists received messages oldest first, each once, with who sent them', async ({ rig }) => {
    await receiveAll(rig, ['one', 'two', 'three']);
    const entries = rig.node.inbox();
    assert.equal(texts(entries), ['one', 'two', 'three']);
    assert.is(rig.node.status().inbox, 3);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      assert.match(e.id, HEX64);
      assert.is(e.from, rig.peer.id);
      assert.is(e.fromShortId, rig.peer.shortId);
      assert.type(e.sentAt, 'number');
      assert.type(e.hops, 'number');
      if (i > 0) assert.ok(e.receivedAt > entries[i - 1]!.receivedAt, 'received later');
    }
    assert.is(new Set(entries.map((e) => e.id)).size, 3);
  });

  s('inbox({ limit }) gives the newest `limit` messages, still oldest first; without a limit at most 50', async ({ rig }) => {
    await receiveAll(rig, Array.from({ length: 52 }, (_, i) => `m${i}`));
    assert.equal(texts(rig.node.inbox({ limit: 2 })), ['m50', 'm51']);
    assert.equal(texts(rig.node.inbox({ limit: 1 })), ['m51']);
    const all = rig.node.inbox();
    assert.is(all.length, 50);
    assert.equal([all[0]!.text, all[49]!.text], ['m2', 'm51']);
    assert.is(rig.node.inbox({ limit: 1000 }).length, 52);
  });

  s('inbox({ since }) gives only messages received strictly after `since`', async ({ rig }) => {
    await receiveAll(rig, ['a', 'b', 'c']);
    const [a, b, c] = rig.node.inbox();
    assert.equal(texts(rig.node.inbox({ since: a!.receivedAt })), ['b', 'c']);
    assert.equal(texts(rig.node.inbox({ since: a!.receivedAt - 1 })), ['a', 'b', 'c']);
    assert.equal(texts(rig.node.inbox({ since: c!.receivedAt })), []);
    assert.equal(texts(rig.node.inbox({ since: a!.receivedAt, limit: 1 })), ['c']);
    assert.ok(b!.receivedAt > a!.receivedAt);
    // What `lattice inbox --follow` does: ask again from the newest printed, and get nothing twice.
    await rig.receive('d');
    await waitFor('d listed after c', () => texts(rig.node.inbox({ since: c!.receivedAt })).includes('d'));
    assert.equal(texts(rig.node.inbox({ since: c!.receivedAt })), ['d']);
  });

  return s;
}
