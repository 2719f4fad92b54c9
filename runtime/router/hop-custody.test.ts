/**
 * Custody per hop (issue 11, item 1) on memory bearers with acknowledgements (relay-fixture.ts turns `acks` on):
 * a sync hop is delivered only once the next relay's router settled the frame as durable, so a receiver whose vault
 * is slow, fails or refuses leaves the bundle in the sender's custody.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBundle } from '../bundle/create-bundle.js';
import { encodeBundle } from '../bundle/bundle-codec.js';
import { generateIdentity } from '../identity/identity.js';
import type { FrameFate, InFrame } from '../bearer/bearer.js';
import type { IngestRecord, IngestResult } from '../vault/vault.js';
import { encodeFrame } from '../wire/frame-codec.js';
import { BloomIssuer } from './testing/bloom-issuer.js';
import { Network, waitFor, type TestRelay } from './testing/relay-fixture.js';

let net: Network;
test.before.each(() => {
  net = new Network();
});
test.after.each(async () => {
  await net.close();
});

/** Wraps the relay's vault.ingest: `gate(rec, real)` decides what each call does. */
function gateIngest(r: TestRelay, gate: (rec: IngestRecord, real: (rec: IngestRecord) => Promise<IngestResult>) => Promise<IngestResult>): void {
  const real = r.vault.ingest.bind(r.vault);
  r.vault.ingest = (rec) => gate(rec, real);
}

const tries = (r: TestRelay, id: string): number => r.vault.outbox(Buffer.from(id, 'hex'))?.targets[0]?.tries ?? 0;

test('a hop is delivered only after the next relay flushed the bundle to its vault', async () => {
  const a = await net.relay('a');
  const b = await net.relay('b');
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  let ingesting = false;
  let flushed = false;
  gateIngest(b, async (rec, real) => {
    ingesting = true;
    await held; // a slow disk
    const result = await real(rec);
    flushed = true;
    return result;
  });
  let deliveredBeforeFlush = false;
  a.router.events.on('delivered', () => { if (!flushed) deliveredBeforeFlush = true; });
  net.link(a, b);
  const { bundleId } = await a.router.send({ to: b.identity.nodeIdHex, text: 'slow disk' });
  try {
    await waitFor('B storing it', () => ingesting);
    assert.is(a.router.bundleView(bundleId)!.state, 'queued', 'B has the frame but not on disk: A keeps custody');
  } finally {
    release();
  }
  await waitFor('A delivered', () => a.router.bundleView(bundleId)?.state === 'delivered');
  assert.not.ok(deliveredBeforeFlush);
  assert.ok(b.router.bundleView(bundleId));
});

test('a receiver that cannot store (vault error) is not acknowledged: the sender keeps custody and retries', async () => {
  const a = await net.relay('a', { router: { retryIntervalMs: 50, maxBackoffMs: 100 } });
  const b = await net.relay('b');
  let failures = 0;
  gateIngest(b, async (rec, real) => {
    if (failures < 2) {
      failures++;
      throw new Error('EIO: disk on fire');
    }
    return real(rec);
  });
  net.link(a, b);
  const { bundleId } = await a.router.send({ to: b.identity.nodeIdHex, text: 'try again' });
  await waitFor('first attempt concluded', () => tries(a, bundleId) >= 1);
  assert.is(failures >= 1, true);
  await waitFor('delivered after the disk recovered', () => a.router.bundleView(bundleId)?.state === 'delivered');
  assert.is(failures, 2);
  assert.ok(tries(a, bundleId) >= 3, `tries ${tries(a, bundleId)}`);
  assert.ok(b.router.inbox().some((e) => e.text === 'try again'));
});

test('a bundle the receiver refuses (its clock says expired) is not delivered; the refusal is counted there', async () => {
  const a = await net.relay('a');
  const b = await net.relay('b', { clock: () => Date.now() + 30 * 86_400_000 });
  net.link(a, b);
  const { bundleId } = await a.router.send({ to: b.identity.nodeIdHex, text: 'too old for B', lifetimeMs: 3_600_000 });
  await waitFor('B refused it', async () => (await b.drops('expired')) >= 1);
  await waitFor('A concluded the send', () => tries(a, bundleId) >= 1);
  assert.is(a.router.bundleView(bundleId)!.state, 'queued');
});

test('the router settles every frame once: stored, duplicate (durable), handled, refused, not-stored', async () => {
  const b = await net.relay('b');
  const fates: FrameFate[] = [];
  const deliver = (bytes: Uint8Array): Promise<FrameFate> => new Promise((resolve) => {
    // Straight into the router's listener, as a bearer would emit it.
    const f: InFrame = { bearer: 'mem', bytes, settle: (fate) => { fates.push(fate); resolve(fate); } };
    (b.bearers[0] as unknown as { emit(e: 'frame', f: InFrame): void }).emit('frame', f);
  });
  const x = generateIdentity();
  const bundle = encodeFrame({ kind: 'bundle', payload: encodeBundle(createBundle(x, { recipient: null, text: 'once' })) });
  assert.is(await deliver(bundle), 'stored');
  assert.is(await deliver(bundle), 'duplicate');
  assert.is(await deliver(Uint8Array.of(1, 2, 3)), 'refused');
  const bloom = new BloomIssuer(x).frame([]);
  assert.is(await deliver(bloom), 'handled');
  const failing = encodeFrame({ kind: 'bundle', payload: encodeBundle(createBundle(x, { recipient: null, text: 'disk full' })) });
  gateIngest(b, async () => { throw new Error('ENOSPC'); });
  assert.is(await deliver(failing), 'not-stored');
  assert.equal(fates, ['stored', 'duplicate', 'refused', 'handled', 'not-stored']);
});

test.run();
