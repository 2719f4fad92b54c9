import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateIdentity } from '../identity/identity.js';
import { shortId } from '../identity/short-id.js';
import { createBundle } from '../bundle/create-bundle.js';
import { encodeBundle } from '../bundle/bundle-codec.js';
import { bundleIdHex } from '../bundle/bundle-id.js';
import type { Bundle } from '../bundle/bundle.js';
import { encodeFrame } from '../wire/frame-codec.js';
import { Encoder } from 'cbor-x';
import { createBloomMessage, encodeBloomMessage } from '../wire/bloom-message.js';
import { BLOOM_RUN } from './bloom-retirement.js';
import { BLOOM_BYTES, DeliveryBloom } from './delivery-bloom.js';
import { BloomIssuer } from './testing/bloom-issuer.js';
import { Network, waitFor, type TestRelay } from './testing/relay-fixture.js';

let net: Network;
test.before.each(() => {
  net = new Network();
});
test.after.each(async () => {
  await net.close();
});

const frameOf = (b: Bundle): Uint8Array => encodeFrame({ kind: 'bundle', payload: encodeBundle(b) });
const inboxTexts = (r: TestRelay): string[] => r.router.inbox().map((e) => e.text);
const count = (r: TestRelay, type: string): number => r.events.filter((e) => e.type === type).length;
const bloomsReceived = async (r: TestRelay): Promise<number> =>
  (await r.metrics.read('lattice_blooms_received_total'))![0]?.value ?? 0;

test('direct: A sends to B over one sync link', async () => {
  const a = await net.relay('a');
  const b = await net.relay('b');
  net.link(a, b);
  const { bundleId } = await a.router.send({ to: b.identity.nodeIdHex, text: 'hello B' });
  await waitFor('B inbox', () => inboxTexts(b).includes('hello B'));
  await waitFor('A outbox delivered', () => a.router.bundleView(bundleId)?.state === 'delivered');
  const view = a.router.bundleView(bundleId)!;
  assert.is(view.text, undefined, 'sealed to B: the sender cannot read it back');
  assert.ok(view.events.some((e) => e.event === 'delivered' && e.peer === b.identity.nodeIdHex));
  const bv = b.router.bundleView(bundleId)!;
  assert.is(bv.state, 'received');
  assert.is(bv.hops, 0);
  assert.equal(b.router.inbox()[0]!.from, a.identity.nodeIdHex);
  assert.equal(a.router.outboxCounts(), { queued: 0, accepted: 0, delivered: 1, expired: 0 });
});

test('via relay: A-B-C, A and C not linked; B takes custody and delivers', async () => {
  const a = await net.relay('a');
  const b = await net.relay('b');
  const c = await net.relay('c');
  net.link(a, b);
  net.link(b, c);
  const { bundleId } = await a.router.send({ to: c.identity.nodeIdHex, text: 'over the hill' });
  await waitFor('C inbox', () => inboxTexts(c).includes('over the hill'));
  const cv = c.router.bundleView(bundleId)!;
  assert.is(cv.hops, 1);
  assert.equal(cv.custody, [b.identity.shortId]);
  // A handed it to B ("relayed"); on the fast-forward clock C's delivery blooms, coming back through B, may already
  // have made it "delivered" by the time we look.
  await waitFor('A relayed', () => ['relayed', 'delivered'].includes(a.router.bundleView(bundleId)?.state ?? ''));
  assert.ok(a.vault.outbox(Buffer.from(bundleId, 'hex'))!.targets.some((t) => t.peer === b.identity.nodeIdHex && t.state === 'delivered'), 'handed to B');
  await waitFor('B delivered', () => b.router.bundleView(bundleId)?.state === 'delivered');
  assert.is(inboxTexts(b).length, 0, 'B cannot read a bundle sealed to C and does not list it');
});

test('broadcast floods a looped topology: everyone gets it once, echoes are duplicates, no loop', async () => {
  const [a, b, c, d] = [await net.relay('a'), await net.relay('b'), await net.relay('c'), await net.relay('d')];
  net.link(a, b);
  net.link(b, c);
  net.link(c, a);
  net.link(c, d);
  const { bundleId } = await a.router.send({ to: '*', text: 'to all' });
  for (const r of [a, b, c, d]) await waitFor(`${r.name} inbox`, () => inboxTexts(r).includes('to all'));
  // The flood is over once every copy put on a link was judged by its receiver (stored, duplicate or dropped): a
  // relay sends its copies as it stores the bundle, and all four have. Then check nobody stored it twice.
  const copiesSent = () => [a, b, c, d].reduce((n, r) => n + r.bearers[0]!.sent.filter((f) => f.kind === 'bundle').length, 0);
  const copiesJudged = () => [a, b, c, d].reduce((n, r) => n + count(r, 'received') + count(r, 'duplicate') + count(r, 'dropped'), 0) - 1;
  await waitFor('every copy judged', () => copiesJudged() === copiesSent());
  for (const r of [a, b, c, d]) {
    assert.is(r.router.inbox().length, 1, r.name);
    assert.is(count(r, 'received'), 1, r.name);
  }
  const dups = [a, b, c, d].reduce((n, r) => n + count(r, 'duplicate'), 0);
  assert.ok(dups >= 1, 'the triangle echoes at least once');
  const dv = d.router.bundleView(bundleId)!;
  assert.ok(dv.custody.length >= 1 && dv.custody.length <= 2);
  assert.is(dv.text, 'to all');
});

test('custody refusal: a bundle already carrying our short id is refused and counted', async () => {
  const a = await net.relay('a');
  const b = await net.relay('b');
  net.link(a, b);
  const x = generateIdentity();
  const bundle = createBundle(x, { recipient: null, text: 'loop' });
  const looped = { ...bundle, hops: 2, custody: [b.identity.shortId, a.identity.shortId] };
  a.bearers[0]!.send({ peer: b.identity.nodeIdHex, kind: 'bundle', bytes: frameOf(looped) });
  await waitFor('loop drop', async () => (await b.drops('loop')) === 1);
  assert.is(b.router.bundleView(bundleIdHex(bundle)), undefined);
});

test('8-hop cap: a bundle with 8 custody entries is delivered locally but not forwarded', async () => {
  const a = await net.relay('a');
  const b = await net.relay('b');
  const c = await net.relay('c');
  net.link(a, b);
  net.link(b, c);
  const x = generateIdentity();
  const chain = Array.from({ length: 8 }, () => shortId(generateIdentity().nodeId));
  const toC = { ...createBundle(x, { recipient: c.identity.nodeId, text: 'far' }), hops: 8, custody: chain };
  const toB = { ...createBundle(x, { recipient: b.identity.nodeId, text: 'far but mine' }), hops: 8, custody: chain };
  await a.bearers[0]!.send({ peer: b.identity.nodeIdHex, kind: 'bundle', bytes: frameOf(toC) });
  await a.bearers[0]!.send({ peer: b.identity.nodeIdHex, kind: 'bundle', bytes: frameOf(toB) });
  await waitFor('B got mine', () => inboxTexts(b).includes('far but mine'));
  await waitFor('hop-limit drop', async () => (await b.drops('hop-limit')) === 1);
  assert.ok(b.router.bundleView(bundleIdHex(toC)), 'stored at B');
  // A bundle B may forward, after it: once C has it and judged every copy B sent, B's forward of toC (sent when B
  // stored it, before this one) would have been judged too.
  const marker = createBundle(x, { recipient: c.identity.nodeId, text: 'marker' });
  await a.bearers[0]!.send({ peer: b.identity.nodeIdHex, kind: 'bundle', bytes: frameOf(marker) });
  await waitFor('the marker at C', () => c.router.bundleView(bundleIdHex(marker)) !== undefined);
  const judgedAtC = () => count(c, 'received') + count(c, 'duplicate') + count(c, 'dropped');
  await waitFor("every copy B sent judged at C", () => judgedAtC() === b.bearers[0]!.sent.filter((f) => f.kind === 'bundle').length);
  assert.is(b.vault.outbox(Buffer.from(bundleIdHex(toC), 'hex')), undefined, 'B queued nothing to send');
  assert.is(c.router.bundleView(bundleIdHex(toC)), undefined, 'never reached C');
  const nine = { ...toC, hops: 9, custody: [...chain, shortId(x.nodeId)] };
  await a.bearers[0]!.send({ peer: b.identity.nodeIdHex, kind: 'bundle', bytes: frameOf(nine) });
  await waitFor('9 hops refused by the decoder', async () => (await b.drops('malformed')) === 1);
});

test('async bearer: accepted stays accepted until the recipient delivery bloom retires it', async () => {
  const a = await net.relay('a', { bearers: [{ name: 'mqtt', mode: 'async' }] });
  const b = await net.relay('b', { bearers: [{ name: 'mqtt', mode: 'async' }] });
  net.link(a, b);
  net.hub.holdAsync();
  const { bundleId } = await a.router.send({ to: b.identity.nodeIdHex, text: 'via broker' });
  await waitFor('accepted', () => a.router.bundleView(bundleId)?.state === 'accepted');
  assert.equal(a.router.outboxCounts(), { queued: 0, accepted: 1, delivered: 0, expired: 0 });
  net.hub.releaseAsync();
  await waitFor('B inbox', () => inboxTexts(b).includes('via broker'));
  await waitFor('retired by bloom', () => a.router.bundleView(bundleId)?.state === 'delivered');
  const ev = a.router.bundleView(bundleId)!.events.find((e) => e.event === 'delivered')!;
  assert.is(ev.detail, 'delivery bloom');
  assert.ok((await bloomsReceived(a)) >= BLOOM_RUN, `retired after ${BLOOM_RUN} consecutive blooms of B, no fewer`);
});

test('a bloom never retires a bundle that was never sent (issue 11: created -> stored -> delivered, no sent)', async () => {
  const a = await net.relay('a', { bearers: [{ name: 'mqtt', mode: 'async' }] });
  const b = await net.relay('b', { bearers: [{ name: 'mqtt', mode: 'async' }] });
  // B is not reachable: the bundle stays queued. B's blooms still reach A (another path), and every one of them
  // claims the id, as a false positive would, more times than any rule asks for.
  const { bundleId } = await a.router.send({ to: b.identity.nodeIdHex, text: 'not sent yet' });
  const issuer = new BloomIssuer(b.identity);
  const id = Buffer.from(bundleId, 'hex');
  for (let i = 0; i < 2 * BLOOM_RUN; i++) a.bearers[0]!.deliver(b.identity.nodeIdHex, issuer.frame([id]));
  await waitFor('blooms judged', async () => (await bloomsReceived(a)) === 2 * BLOOM_RUN);
  const view = a.router.bundleView(bundleId)!;
  assert.equal(view.events.map((e) => e.event), ['created', 'stored']);
  assert.is(view.state, 'queued');
  // Once it really goes out, B's own blooms retire it.
  net.link(a, b);
  await waitFor('B inbox', () => inboxTexts(b).includes('not sent yet'));
  await waitFor('retired by B', () => a.router.bundleView(bundleId)?.state === 'delivered');
  const events = a.router.bundleView(bundleId)!.events.map((e) => e.event);
  assert.ok(events.indexOf('sent') < events.indexOf('delivered'), events.join(' '));
});

test(`a sent bundle: one salted bloom carrying it (a false positive) retires nothing; ${BLOOM_RUN} consecutive do`, async () => {
  const a = await net.relay('a', { bearers: [{ name: 'mqtt', mode: 'async' }] });
  const b = await net.relay('b', { bearers: [{ name: 'mqtt', mode: 'async' }] });
  net.link(a, b);
  net.hub.holdAsync();
  const { bundleId } = await a.router.send({ to: b.identity.nodeIdHex, text: 'handed to the broker' });
  await waitFor('accepted', () => a.router.bundleView(bundleId)?.state === 'accepted');
  const id = Buffer.from(bundleId, 'hex');
  const issuer = new BloomIssuer(b.identity);
  const deliver = (ids: Uint8Array[]) => a.bearers[0]!.deliver(b.identity.nodeIdHex, issuer.frame(ids));
  // A false positive: in one bloom, not in the next.
  deliver([id]);
  deliver([]);
  // Then BLOOM_RUN - 1 consecutive ones: one short of the rule.
  for (let i = 1; i < BLOOM_RUN; i++) deliver([id]);
  await waitFor('judged', async () => (await bloomsReceived(a)) === BLOOM_RUN + 1);
  assert.is(a.router.bundleView(bundleId)!.state, 'accepted');
  deliver([id]);
  await waitFor('retired by the run', () => a.router.bundleView(bundleId)?.state === 'delivered');
  assert.is(a.router.bundleView(bundleId)!.events.filter((e) => e.event === 'delivered').length, 1);
});

test('A -sync- B -async- C: C\'s blooms retire B\'s hand-off, and B passes them on so A sees "delivered" too', async () => {
  const a = await net.relay('a', { bearers: [{ name: 'ip' }] });
  const b = await net.relay('b', { bearers: [{ name: 'ip' }, { name: 'mqtt', mode: 'async' }] });
  const c = await net.relay('c', { bearers: [{ name: 'mqtt', mode: 'async' }] });
  net.link(a, b);
  net.link(b, c);
  const { bundleId } = await a.router.send({ to: c.identity.nodeIdHex, text: 'two bearers away' });
  await waitFor('C inbox', () => inboxTexts(c).includes('two bearers away'));
  await waitFor('B retired its broker hand-off', () => b.router.bundleView(bundleId)?.state === 'delivered');
  await waitFor('A learns through B', () => a.router.bundleView(bundleId)?.state === 'delivered');
  assert.ok(a.router.bundleView(bundleId)!.events.some((e) => e.event === 'delivered' && e.detail === 'delivery bloom' && e.peer === c.identity.nodeIdHex));
});

test('old (v1, unsalted) blooms are refused and counted as bloom-version', async () => {
  const a = await net.relay('a', { bearers: [{ name: 'mqtt', mode: 'async' }] });
  const b = await net.relay('b', { bearers: [{ name: 'mqtt', mode: 'async' }] });
  const cbor = new Encoder({ useRecords: false, tagUint8Array: false } as ConstructorParameters<typeof Encoder>[0]);
  const v1 = cbor.encode([1, b.identity.nodeId, Date.now(), new Uint8Array(BLOOM_BYTES).fill(0xff), new Uint8Array(64)]);
  a.bearers[0]!.deliver(b.identity.nodeIdHex, encodeFrame({ kind: 'bloom', payload: v1 }));
  await waitFor('counted', async () => (await a.drops('bloom-version')) === 1);
  assert.is(await bloomsReceived(a), 0);
});

test('blooms: forged and replayed blooms retire nothing and are counted', async () => {
  const a = await net.relay('a', { bearers: [{ name: 'mqtt', mode: 'async' }] });
  const b = await net.relay('b', { bearers: [{ name: 'mqtt', mode: 'async' }] });
  net.link(a, b);
  net.hub.holdAsync();
  const { bundleId } = await a.router.send({ to: b.identity.nodeIdHex, text: 'held' });
  await waitFor('accepted', () => a.router.bundleView(bundleId)?.state === 'accepted');
  const id = Buffer.from(bundleId, 'hex');
  // Mallory signs blooms that name B as their issuer: the signature check fails, however many there are.
  const mallory = new BloomIssuer(generateIdentity());
  for (let i = 0; i < BLOOM_RUN; i++) {
    const forged = mallory.message([id]);
    a.bearers[0]!.deliver(b.identity.nodeIdHex, encodeFrame({ kind: 'bloom', payload: encodeBloomMessage({ ...forged, nodeId: b.identity.nodeId }) }));
  }
  await waitFor('bad blooms counted', async () => (await a.drops('bad-bloom')) === BLOOM_RUN);
  assert.is(a.router.bundleView(bundleId)!.state, 'accepted');
  // A genuine but old bloom from B (issued before a newer one) is a replay.
  const empty = (salt: number) => {
    const s = new Uint8Array(16).fill(salt);
    return { salt: s, prev: new Uint8Array(16), bloom: new DeliveryBloom().filter(s).bits };
  };
  const older = createBloomMessage(b.identity, empty(1), Date.now() - 5_000);
  const newer = createBloomMessage(b.identity, empty(2), Date.now());
  a.bearers[0]!.deliver(b.identity.nodeIdHex, encodeFrame({ kind: 'bloom', payload: encodeBloomMessage(newer) }));
  a.bearers[0]!.deliver(b.identity.nodeIdHex, encodeFrame({ kind: 'bloom', payload: encodeBloomMessage(older) }));
  await waitFor('stale bloom counted', async () => (await a.drops('stale-bloom')) === 1);
  assert.is(a.router.bundleView(bundleId)!.state, 'accepted', 'a bloom without the id retires nothing');
  net.hub.releaseAsync();
  await waitFor('retired by the real bloom', () => a.router.bundleView(bundleId)?.state === 'delivered');
});

test('sync bearer: accepted means delivered to that hop at once', async () => {
  const a = await net.relay('a', { bearers: [{ name: 'lora', mode: 'sync' }] });
  const b = await net.relay('b', { bearers: [{ name: 'lora', mode: 'sync' }] });
  net.link(a, b);
  const seen: string[] = [];
  a.router.events.on('delivered', (e) => seen.push(e.via));
  const { bundleId } = await a.router.send({ to: b.identity.nodeIdHex, text: 'radio' });
  await waitFor('delivered', () => a.router.bundleView(bundleId)?.state === 'delivered');
  assert.equal(seen, ['sync']);
});

test('store-and-forward: queued while B is away, sent when the peer comes up', async () => {
  const a = await net.relay('a');
  const b = await net.relay('b');
  const { bundleId } = await a.router.send({ to: b.identity.nodeIdHex, text: 'later' });
  await a.vault.settle(); // the send's dispatch found no way and wrote what it had to
  // Its first dispatch found no bearer that can reach B: the row stays queued and the retry timer is not armed
  // (nothing failed; a peer-up event brings it out).
  assert.is(a.router.bundleView(bundleId)!.state, 'queued');
  assert.is(a.router.retryDueAt, undefined);
  assert.equal(a.router.outboxCounts().queued, 1);
  net.link(a, b);
  await waitFor('B inbox', () => inboxTexts(b).includes('later'));
  await waitFor('delivered', () => a.router.bundleView(bundleId)?.state === 'delivered');
});

test('a send that fails is retried by the timer with backoff', async () => {
  const a = await net.relay('a', { router: { retryIntervalMs: 40 } });
  const b = await net.relay('b');
  net.link(a, b);
  const bearer = a.bearers[0]!;
  const send = bearer.send.bind(bearer);
  let failures = 2;
  bearer.send = async (frame, options) => (frame.kind === 'bundle' && failures-- > 0 ? 'unreachable' : send(frame, options));
  const { bundleId } = await a.router.send({ to: b.identity.nodeIdHex, text: 'third time lucky' });
  await waitFor('B inbox', () => inboxTexts(b).includes('third time lucky'));
  await waitFor('delivered', () => a.router.bundleView(bundleId)?.state === 'delivered');
  assert.is(failures, -1, 'two failed attempts, then the one that worked');
  assert.is(a.router.bundleView(bundleId)!.events.filter((e) => e.event === 'sent').length, 3);
});

test('restart: queued rows survive a restart and go out when the peer appears', async () => {
  const a = await net.relay('a');
  const b = await net.relay('b');
  const { bundleId } = await a.router.send({ to: b.identity.nodeIdHex, text: 'after reboot' });
  await a.restart();
  assert.is(a.router.bundleView(bundleId)!.state, 'queued');
  net.link(a, b);
  await waitFor('B inbox', () => inboxTexts(b).includes('after reboot'));
  await waitFor('delivered', () => a.router.bundleView(bundleId)?.state === 'delivered');
});

test('duplicate over two bearers is stored once and counted', async () => {
  const a = await net.relay('a', { bearers: [{ name: 'lora' }, { name: 'ip' }] });
  const b = await net.relay('b', { bearers: [{ name: 'lora' }, { name: 'ip' }] });
  net.link(a, b);
  const { bundleId } = await a.router.send({ to: b.identity.nodeIdHex, text: 'twice' });
  await waitFor('B inbox', () => inboxTexts(b).includes('twice'));
  await waitFor('the second copy', () => count(b, 'duplicate') === 1);
  await waitFor('the first copy durable', () => count(b, 'received') === 1);
  assert.is(b.vault.counts().stored, 1);
  const d = (await b.metrics.read('lattice_duplicates_dropped_total'))!;
  assert.is(d[0]!.value, 1);
  await waitFor('sent on both', () => a.router.bundleView(bundleId)?.events.filter((e) => e.event === 'accepted').length === 2);
});

async function hostile(verifyWorkers: number): Promise<void> {
  const a = await net.relay('a');
  const b = await net.relay('b', { router: { verifyWorkers } });
  net.link(a, b);
  const x = generateIdentity();
  const mallory = generateIdentity();
  const good = createBundle(x, { recipient: null, text: 'original' });
  const tampered = { ...good, body: new TextEncoder().encode('0riginal') };
  const forgedBase = createBundle(mallory, { recipient: null, text: 'i am x' });
  const forged = { ...forgedBase, sender: x.nodeId };
  const expired = createBundle(x, { recipient: null, text: 'old', sentAt: Date.now() - 120_000, lifetimeMs: 60_000 });
  const mismatch = { ...createBundle(x, { recipient: null, text: 'mm' }), hops: 2, custody: [shortId(mallory.nodeId)] };
  const send = (bytes: Uint8Array): Promise<unknown> => a.bearers[0]!.send({ peer: b.identity.nodeIdHex, kind: 'bundle', bytes });
  for (const bad of [tampered, forged]) await send(frameOf(bad));
  await send(frameOf(expired));
  await send(frameOf(mismatch));
  await send(frameOf(good));
  await send(frameOf(good)); // replay
  const overHopped = encodeFrame({ kind: 'bundle', payload: encodeBundle({ ...good, hops: 12, custody: [] }) });
  await send(overHopped);
  await send(Uint8Array.of(0x11, 0xff, 0x00));
  await send(Uint8Array.of(0x99, 1, 2));
  await waitFor('all judged', async () => (await b.drops('malformed')) === 2 && (await b.drops('malformed-frame')) === 1 && count(b, 'duplicate') === 1);
  assert.is(await b.drops('bad-signature'), 2);
  assert.is(await b.drops('expired'), 1);
  assert.is(await b.drops('custody-mismatch'), 1);
  await waitFor('the good copy', () => inboxTexts(b).length === 1);
  assert.equal(inboxTexts(b), ['original']);
}

test('hostile bundles: tampered, forged, replayed, expired, over-hopped, mismatched custody', () => hostile(0));
test('hostile bundles, verified on a pool of worker threads', () => hostile(2));

test('foreign messages become bundles signed by the gateway relay, with the foreign origin', async () => {
  const a = await net.relay('a');
  const g = await net.relay('g', { bearers: [{}, { name: 'meshtastic0', foreign: ['mt:'] }] });
  net.link(a, g);
  g.bearers[1]!.injectForeign({ from: 'mt:!a1b2c3d4', fromName: 'Hiker', to: 'mt:ch:0', direct: false, text: 'hi from the trail', packetId: 77, receivedAt: Date.now() });
  g.bearers[1]!.injectForeign({ from: 'mt:!a1b2c3d4', to: 'mt:ch:0', direct: false, text: 'hi from the trail', packetId: 77, receivedAt: Date.now() });
  await waitFor('G inbox', () => inboxTexts(g).includes('hi from the trail'));
  const entry = g.router.inbox()[0]!;
  assert.is(entry.from, 'mt:!a1b2c3d4');
  assert.is(entry.fromName, 'Hiker');
  assert.is(entry.to, 'mt:ch:0');
  await waitFor('foreign duplicate dropped', async () => (await g.drops('foreign-duplicate')) === 1);
  await waitFor('flooded to A (the only other way on)', () => inboxTexts(a).includes('hi from the trail'));
  assert.is(g.bearers[1]!.foreignOut.length, 0, 'never sent back to the gateway it came from');
  const { bundleId } = await a.router.send({ to: 'mt:!deadbeef', text: 'reply' });
  await waitFor('to the foreign mesh through G', () => g.bearers[1]!.foreignOut.some((f) => f.bundle && new TextDecoder().decode(f.bundle.body) === 'reply'));
  await waitFor('A relayed', () => a.router.bundleView(bundleId)?.state === 'relayed');
});

test('send() resolves recipients: short id of a known peer, broadcast, unknown short id', async () => {
  const a = await net.relay('a');
  const b = await net.relay('b');
  net.link(a, b);
  await waitFor('peer known', () => a.router.peers().length === 1);
  assert.is(a.router.peers()[0]!.shortId, b.identity.shortId);
  await a.router.send({ to: b.identity.shortId, text: 'by short id' });
  await waitFor('B inbox', () => inboxTexts(b).includes('by short id'));
  await a.router.send({ to: 'broadcast', text: 'all' });
  await waitFor('B inbox', () => inboxTexts(b).includes('all'));
  try {
    await a.router.send({ to: 'zzzzzzzzzzzz', text: 'x' });
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'UnknownPeerError');
  }
});

test.run();
