/**
 * Acknowledged bundle frames over the IP bearer (issue 11, item 1): a bundle is `accepted` only once the peer's
 * router settled it durable; a refusal, a peer that cannot store, a missing ACK (a frozen relay whose kernel still
 * takes our bytes) or a closed connection answer 'unreachable' so the router keeps custody. Real bearers on
 * 127.0.0.1, and a scripted acceptor (testing/scripted-acceptor.ts) for answers a real relay never gives.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FrameFate, InFrame } from '../../bearer/bearer.js';
import { generateIdentity } from '../../identity/identity.js';
import { createLogger } from '../../log/logger.js';
import { createMetrics } from '../../metrics/metrics.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { IpBearer, type IpBearerOptions } from './ip-bearer.js';
import { encodeStreamFrame } from './stream-codec.js';
import { LoopbackBearers, nodeIdOf as idOf } from './testing/loopback-bearers.js';
import { ScriptedAcceptor } from './testing/scripted-acceptor.js';
import { ScriptedPeer } from './testing/scripted-peer.js';

const HEARTBEAT = 100;
const rig = new LoopbackBearers(createLogger('ip-acks-test'), HEARTBEAT);
const bearer = (options: Partial<IpBearerOptions> & { peers?: IpBearer[] } = {}) => rig.start(options);

test.after.each(() => rig.stopAll());
const bundle = (n: number) => Uint8Array.of(0x11, n & 0xff, n >> 8);

/** Frames B receives, left unsettled: the test settles them (a router whose vault is slow, fails or refuses). */
function hold(b: IpBearer): InFrame[] {
  const frames: InFrame[] = [];
  b.on('frame', (f) => frames.push(f));
  return frames;
}

async function linked(aOptions: Partial<IpBearerOptions> = {}, bOptions: Partial<IpBearerOptions> = {}) {
  const b = await bearer(bOptions);
  const a = await bearer({ ...aOptions, peers: [b] });
  await waitFor('A sees B', () => a.canReach(idOf(b)));
  return { a, b };
}

/** A scripted relay M (UDP heartbeats + TCP acceptor) online at a real bearer A. */
async function scripted(aOptions: Partial<IpBearerOptions> = {}, capabilities = { acks: true }) {
  const a = await bearer(aOptions);
  const id = generateIdentity();
  const m = new ScriptedPeer(id);
  const acceptor = new ScriptedAcceptor(id);
  await m.start();
  await acceptor.start();
  rig.track(m, acceptor);
  await m.send(m.hello(m.advert({ tcpPort: acceptor.port }), true, capabilities), a.listenPort);
  await waitFor('M online at A', () => a.canReach(id.nodeIdHex));
  return { a, m, acceptor, peer: id.nodeIdHex };
}

test('accepted only once the receiver settled the bundle durable; refused and not-stored answer unreachable at once', async () => {
  const { a, b } = await linked({ ackTimeoutMs: 60_000 });
  const frames = hold(b);
  const fates: Array<FrameFate> = ['stored', 'duplicate', 'refused', 'not-stored'];
  const sends = fates.map((_, i) => a.send({ peer: idOf(b), kind: 'bundle', bytes: bundle(i) }));
  let answered = 0;
  for (const s of sends) void s.then(() => answered++);
  await waitFor('all four at B', () => frames.length === 4);
  // Nothing settled yet: nothing answered (the frames sit in B's "vault queue").
  assert.is(answered, 0);
  assert.ok(frames.every((f) => typeof f.settle === 'function'));
  // Settle in reverse order: each ACK answers its own send.
  for (let i = 3; i >= 0; i--) frames.find((f) => f.bytes[1] === i)!.settle!(fates[i]!);
  assert.equal(await Promise.all(sends), ['accepted', 'accepted', 'unreachable', 'unreachable']);
  for (const fate of fates) assert.is(a.metrics.get(`acks_received.${fate}`), 1, fate);
  for (const fate of fates) assert.is(b.metrics.get(`acks_sent.${fate}`), 1, fate);
  assert.is(a.metrics.get('ack_timeouts'), 0);
  // A second settle of the same frame changes nothing.
  frames[0]!.settle!('refused');
  assert.is(b.metrics.get('acks_sent.refused'), 1);
});

test('hundreds of bundles in flight on one connection: every send answered by its own ACK', async () => {
  const { a, b } = await linked();
  b.on('frame', (f) => setImmediate(() => f.settle?.('stored')));
  const results = await Promise.all(Array.from({ length: 500 }, (_, i) => a.send({ peer: idOf(b), kind: 'bundle', bytes: bundle(i) })));
  assert.ok(results.every((r) => r === 'accepted'));
  assert.is(a.metrics.get('acks_received.stored'), 500);
  assert.is((a.status().detail as { tcpConnections: number }).tcpConnections, 1);
});

test('a frozen receiver (kernel takes the bytes, no ACK): unreachable after the ACK timeout, counted; a late ACK is ignored', async () => {
  const { a, acceptor, peer } = await scripted({ ackTimeoutMs: 300 });
  const result = await a.send({ peer, kind: 'bundle', bytes: bundle(1) });
  assert.is(result, 'unreachable');
  assert.is(a.metrics.get('ack_timeouts'), 1);
  assert.is(acceptor.bundles.length, 1, 'the bytes did reach the acceptor');
  acceptor.ack([{ seq: acceptor.bundles[0]!.seq, fate: 'stored' }]);
  await waitFor('late ACK discarded', () => a.metrics.get('discarded.ack-late') === 1);
  // The retry is a new BUNDLE frame with the next number on the same connection; its ACK accepts it.
  const retry = a.send({ peer, kind: 'bundle', bytes: bundle(1) });
  await waitFor('the retry at the acceptor', () => acceptor.bundles.length === 2);
  assert.is(acceptor.bundles[1]!.seq, acceptor.bundles[0]!.seq + 1);
  acceptor.ack([{ seq: acceptor.bundles[1]!.seq, fate: 'duplicate' }]);
  assert.is(await retry, 'accepted');
});

test('the connection closing with ACKs outstanding answers unreachable for every waiting send', async () => {
  const { a, acceptor, peer } = await scripted({ ackTimeoutMs: 60_000 });
  const sends = [1, 2, 3].map((n) => a.send({ peer, kind: 'bundle', bytes: bundle(n) }));
  await waitFor('three at the acceptor', () => acceptor.bundles.length === 3);
  acceptor.ack([{ seq: acceptor.bundles[1]!.seq, fate: 'stored' }]);
  await waitFor('one acknowledged', () => a.metrics.get('acks_received.stored') === 1);
  acceptor.drop();
  assert.equal(await Promise.all(sends), ['unreachable', 'accepted', 'unreachable']);
  assert.is(a.metrics.get('acks_lost'), 2);
});

test('a malformed ACK closes the connection: the waiting sends are unreachable and the bearer keeps working', async () => {
  const { a, acceptor, peer } = await scripted({ ackTimeoutMs: 60_000 });
  const send = a.send({ peer, kind: 'bundle', bytes: bundle(7) });
  await waitFor('at the acceptor', () => acceptor.bundles.length === 1);
  for (const bad of [Uint8Array.of(0, 0, 0, 1), Uint8Array.of(0, 0, 0, 1, 9)]) {
    acceptor.write(encodeStreamFrame('ack', bad));
  }
  assert.is(await send, 'unreachable');
  assert.ok(a.metrics.get('discarded.tcp-malformed') >= 1);
  // Re-dialled on the next send.
  const again = a.send({ peer, kind: 'bundle', bytes: bundle(8) });
  await waitFor('re-dialled', () => acceptor.bundles.length === 2);
  acceptor.ack([{ seq: acceptor.bundles[1]!.seq, fate: 'stored' }]);
  assert.is(await again, 'accepted');
});

test('mixed versions: a peer without the ACK flag gets plain DATA frames, accepted once written and counted', async () => {
  const { a, acceptor, peer } = await scripted({}, { acks: false });
  assert.is(await a.send({ peer, kind: 'bundle', bytes: bundle(1) }), 'accepted');
  await waitFor('a DATA frame at the old peer', () => acceptor.types.length === 1);
  assert.equal(acceptor.types, ['data']);
  assert.is(a.metrics.get('unacked_bundles'), 1);
  // And a relay from before acknowledgements sending to a new one: frames arrive without settle, accepted as before.
  const metrics = createMetrics({ defaultMetrics: false });
  const { a: old, b } = await linked({ acks: false }, { metrics });
  const frames = hold(b);
  assert.is(await old.send({ peer: idOf(b), kind: 'bundle', bytes: bundle(2) }), 'accepted');
  const f = await waitFor('frame at the new relay', () => frames[0]);
  assert.is(f.settle, undefined);
  assert.is(old.metrics.get('unacked_bundles'), 1);
  assert.match(await metrics.render(), /lattice_ip_acks_sent_total/);
});

test('stopping the bearer rejects a send waiting for its ACK with an AbortError-named error', async () => {
  const { a, acceptor, peer } = await scripted({ ackTimeoutMs: 60_000 });
  const send = a.send({ peer, kind: 'bundle', bytes: bundle(1) });
  await waitFor('at the acceptor', () => acceptor.bundles.length === 1);
  await a.stop();
  await send.then(() => assert.unreachable('should reject'), (err: Error) => assert.is(err.name, 'AbortError'));
});

test('blooms stay best-effort: no ACK is asked for or waited on', async () => {
  const { a, b } = await linked({ ackTimeoutMs: 60_000 });
  const frames = hold(b);
  assert.is(await a.send({ peer: idOf(b), kind: 'bloom', bytes: new Uint8Array(3000).fill(2) }), 'accepted');
  const f = await waitFor('bloom at B', () => frames[0]);
  assert.is(f.settle, undefined);
});

test.run();
