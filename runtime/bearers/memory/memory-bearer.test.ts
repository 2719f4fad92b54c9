import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { InFrame, PeerEvent } from '../../bearer/bearer.js';
import { createBundle } from '../../bundle/create-bundle.js';
import { generateIdentity } from '../../identity/identity.js';
import { MemoryHub, memoryBearerPair } from './memory-bearer.js';
import { waitFor } from '../../../lib/testing/wait-for.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);
const frame = (peer: string) => ({ peer, kind: 'bundle' as const, bytes: Uint8Array.of(0x11, 1, 2, 3) });

test('sync pair: accepted only after the peer took the frame, never inside send()', async () => {
  const [a, b] = memoryBearerPair(A, B);
  const got: InFrame[] = [];
  b.on('frame', (f) => got.push(f));
  await a.start();
  await b.start();
  const p = a.send(frame(B));
  assert.is(got.length, 0, 'not delivered synchronously');
  assert.is(await p, 'accepted');
  assert.is(got.length, 1);
  assert.is(got[0]!.from, A);
  assert.equal([...got[0]!.bytes], [0x11, 1, 2, 3]);
  assert.is(await a.send(frame(C)), 'unreachable');
  assert.ok(a.canReach(B) && a.canReach('*') && !a.canReach(C));
  assert.equal(a.status().peers, [B]);
  await a.stop();
  await b.stop();
  assert.not.ok(a.canReach(B));
  assert.is(await a.send(frame(B)), 'unreachable');
});

test('async: accepted at once, delivered later, nothing while the broker holds', async () => {
  const hub = new MemoryHub();
  const a = hub.bearer(A, { mode: 'async' });
  const b = hub.bearer(B, { mode: 'async' });
  hub.link(A, B);
  await a.start();
  await b.start();
  const got: InFrame[] = [];
  b.on('frame', (f) => got.push(f));
  // A second broker, not held, with the same latency: a frame it takes after A's arrives after A's would have.
  const other = new MemoryHub();
  const [ma, mb] = [other.bearer(A, { mode: 'async' }), other.bearer(B, { mode: 'async' })];
  other.link(A, B);
  await ma.start();
  await mb.start();
  const markers: InFrame[] = [];
  mb.on('frame', (f) => markers.push(f));
  hub.holdAsync();
  assert.is(await a.send(frame(B)), 'accepted');
  assert.is(await ma.send(frame(B)), 'accepted');
  await waitFor('the marker through the other broker', () => markers.length === 1);
  assert.is(got.length, 0);
  hub.releaseAsync();
  assert.is(got.length, 1);
  await Promise.all([a.stop(), b.stop(), ma.stop(), mb.stop()]);
});

test('peer events on link/unlink and start; listener errors are isolated; abort rejects', async () => {
  const hub = new MemoryHub();
  const a = hub.bearer(A);
  const b = hub.bearer(B);
  const events: PeerEvent[] = [];
  a.on('peer', () => { throw new Error('bad listener'); });
  a.on('peer', (e) => events.push(e));
  await a.start();
  await b.start();
  hub.link(A, B);
  hub.unlink(A, B);
  assert.equal(events.map((e) => [e.peer, e.up]), [[B, true], [B, false]]);
  hub.link(A, B);
  const ac = new AbortController();
  const p = a.send(frame(B), { signal: ac.signal });
  ac.abort(new Error('stop'));
  try {
    await p;
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).message, 'stop');
  }
  assert.throws(() => hub.bearer(A), (e: Error) => e.name === 'RangeError');
  await a.stop();
  await b.stop();
});

test('acks: a sync send is accepted only once the receiver settled the frame as held; refusals, silence and stops are unreachable', async () => {
  const [a, b] = memoryBearerPair(A, B, { acks: true, ackTimeoutMs: 50 });
  const got: InFrame[] = [];
  b.on('frame', (f) => got.push(f));
  await a.start();
  await b.start();
  const fates = ['stored', 'duplicate', 'handled', 'refused', 'not-stored'] as const;
  for (const fate of fates) {
    let answered = false;
    const p = a.send(frame(B)).then((r) => { answered = true; return r; });
    await new Promise((r) => setImmediate(r));
    const f = got.at(-1)!;
    assert.is(answered, false, 'nothing before the receiver settles');
    f.settle!(fate);
    f.settle!('stored'); // later calls are ignored
    assert.is(await p, ['stored', 'duplicate', 'handled'].includes(fate) ? 'accepted' : 'unreachable', fate);
  }
  assert.is(await a.send(frame(B)), 'unreachable', 'never settled: the ack times out');
  const pending = a.send(frame(B));
  await new Promise((r) => setImmediate(r));
  await b.stop();
  got.at(-1)!.settle!('stored');
  assert.is(await pending, 'unreachable', 'a receiver that stopped acknowledges nothing');
  await a.stop();
});

test('fake gateway: foreign addresses are accepted and recorded, foreign messages injected', async () => {
  const hub = new MemoryHub();
  const g = hub.bearer(A, { name: 'mt', foreign: ['mt:'] });
  await g.start();
  assert.ok(g.canReach('mt:!a1b2c3d4'));
  // Like a real gateway it carries a bundle's text (the contract suite checks it refuses anything else).
  const bundle = createBundle(generateIdentity(), { recipient: 'mt:ch:0', text: 'to the mesh' });
  assert.is(await g.send({ ...frame('mt:ch:0'), bundle }), 'accepted');
  assert.is(g.foreignOut.length, 1);
  const got: string[] = [];
  g.on('foreign', (m) => got.push(`${m.bearer} ${m.from} ${m.text}`));
  g.injectForeign({ from: 'mt:!1', to: 'mt:ch:0', direct: false, text: 'hi', receivedAt: 1 });
  assert.equal(got, ['mt mt:!1 hi']);
  await g.stop();
});

test.run();
