/**
 * The partial-input sweep of the IP bearer's TCP side (tcp-transport.ts) runs only while an inbound connection holds
 * an unfinished frame or shard message (issue 12: an idle relay, or one whose peers are connected and quiet, does
 * not wake up for it); a stalled one is still timed out.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateIdentity } from '../../identity/identity.js';
import { createLogger } from '../../log/logger.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { watchTimers } from '../../testing/timer-watch.js';
import { IpBearer } from './ip-bearer.js';
import { encodeStreamFrame } from './stream-codec.js';
import { openAuthenticated } from './testing/raw-tcp-peer.js';
import { ScriptedPeer } from './testing/scripted-peer.js';

test('no sweep timer while idle or while connections are quiet; a stalled partial frame arms it until it timed out', async () => {
  const timers = watchTimers(/[/\\]tcp-transport\.[jt]s:/);
  const b = new IpBearer({
    identity: generateIdentity(),
    listen: { host: '127.0.0.1', port: 0 },
    staticPeers: [],
    discovery: false,
    heartbeatMs: 100,
    inbound: { idleMs: 300 },
    log: createLogger('tcp-sweep-test'),
  });
  const peer = new ScriptedPeer(generateIdentity());
  await b.start();
  try {
    await waitFor('idle: no timer of the TCP side armed', () => timers.armed() === 0);
    await peer.start();
    await peer.send(peer.hello(peer.advert(), false), b.listenPort);
    await waitFor('peer online', () => b.canReach(peer.identity.nodeIdHex));
    const quiet = await openAuthenticated(peer.identity, b.listenPort);
    await waitFor('a quiet authenticated connection, and no timer armed', () => inbound(b) === 1 && timers.armed() === 0);
    const stalled = await openAuthenticated(peer.identity, b.listenPort);
    await waitFor('the second connection authenticated', () => inbound(b) === 2 || b.metrics.get('discarded.tcp-replaced') > 0);
    const frame = encodeStreamFrame('data', new Uint8Array(1000).fill(7));
    stalled.write(frame.subarray(0, 500));
    await waitFor('the stalled frame timed out', () => b.metrics.get('discarded.tcp-partial-timeout') === 1);
    await waitFor('no timer armed once nothing is held', () => timers.armed() === 0);
    assert.ok(timers.created() >= 1, 'the sweep ran on a timer of its own');
    quiet.destroy();
    stalled.destroy();
  } finally {
    timers.stop();
    await peer.stop();
    await b.stop();
  }
});

const inbound = (b: IpBearer): number => (b.status().detail as { tcpInbound: number }).tcpInbound;

test.run();
