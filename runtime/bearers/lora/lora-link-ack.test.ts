/**
 * LoRa link ACKs after durability (issue 11, item 1): the addressee ACKs a unicast payload only once its router
 * settled it durable (InFrame.settle 'stored' / 'duplicate' / 'handled'). A slow store delays the ACK, a store that
 * fails or a refusal withholds it, and retransmissions meanwhile are never delivered twice. Two bearers on the
 * in-process fake air; the test plays B's router and settles B's frames itself.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import { EU868 } from '../../../lib/lora/regions.js';
import type { FrameFate, InFrame } from '../../bearer/bearer.js';
import { encodeBundle } from '../../bundle/bundle-codec.js';
import { createBundle } from '../../bundle/create-bundle.js';
import { generateIdentity, type Identity } from '../../identity/identity.js';
import { setLogSink } from '../../log/logger.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { encodeFrame } from '../../wire/frame-codec.js';
import { LoraBearer, type LoraBearerInit } from './lora-bearer.js';
import { latticeModulation } from '../../../lib/lora/lattice-presets.js';
import { FakeLoraAir } from './testing/fake-lora-air.js';
import { ackTiming } from './link-ack.js';
import { MAX_LORA_FRAME } from './link-frame.js';

setLogSink(() => undefined, 'silent');

interface Pair {
  a: LoraBearer;
  b: LoraBearer;
  ida: Identity;
  idb: Identity;
  /** Frames B received, unsettled until the test settles them. */
  atB: InFrame[];
  stop(): Promise<void>;
}

async function pair(linkAck: LoraBearerInit['linkAck']): Promise<Pair> {
  const air = new FakeLoraAir();
  const { modulation } = latticeModulation({ preset: 'ShortFast', region: 'EU_868' });
  const ids = [generateIdentity(), generateIdentity()] as const;
  const [a, b] = ids.map((id, i) => new LoraBearer({
    name: `lora${i}`, radio: air.radio(), nodeId: id.nodeId, modulation, region: EU868, ledger: new AirtimeLedger(),
    advertIntervalMs: 0, advertJitterMs: 100 + 200 * i, random: () => 1 / 3, timeScale: 0.01, linkAck,
  })) as [LoraBearer, LoraBearer];
  const atB: InFrame[] = [];
  b.on('frame', (f) => atB.push(f));
  await a.start();
  await b.start();
  await waitFor('A and B hear each other', () => a.canReach(ids[1].nodeIdHex) && b.canReach(ids[0].nodeIdHex), 10_000, 5);
  return { a, b, ida: ids[0], idb: ids[1], atB, stop: async () => { await a.stop(); await b.stop(); } };
}

const unicast = (p: Pair, text: string) => p.a.send({
  peer: p.idb.nodeIdHex,
  kind: 'bundle',
  bytes: encodeFrame({ kind: 'bundle', payload: encodeBundle(createBundle(p.ida, { recipient: p.idb.nodeId, text })) }),
});
const count = (b: LoraBearer, key: string) => b.metrics.counters[key] ?? 0;

test('a slow store delays the link ACK: nothing is ACKed (or accepted) until the payload is durable', async () => {
  const p = await pair({ retries: 0, timeoutMs: 60_000 });
  try {
    let answer: string | undefined;
    const send = unicast(p, 'slow disk').then((r) => (answer = r));
    const f = await waitFor('payload at B', () => p.atB[0], 10_000, 5);
    assert.is(typeof f.settle, 'function');
    // B's router is still storing it: no ACK on the air, A still holds custody.
    assert.is(count(p.b, 'frames_out.ack'), 0);
    assert.is(answer, undefined);
    f.settle!('stored');
    assert.is(await send, 'accepted');
    assert.is(count(p.b, 'frames_out.ack'), 1);
    assert.is(count(p.a, 'frames_in.ack'), 1);
  } finally {
    await p.stop();
  }
});

test('a store that fails withholds the ACK: the sender repeats, the repeat is delivered again and ACKed once stored', async () => {
  const p = await pair({ retries: 1, timeoutMs: 300, storeMs: 0 });
  try {
    const send = unicast(p, 'disk full, then not');
    (await waitFor('first copy at B', () => p.atB[0], 10_000, 5)).settle!('not-stored');
    (await waitFor('the repeat delivered again', () => p.atB[1], 10_000, 5)).settle!('stored');
    assert.is(await send, 'accepted');
    assert.is(count(p.b, 'acks_withheld.not-stored'), 1);
    assert.is(count(p.b, 'frames_out.ack'), 1);
    assert.is(count(p.a, 'retransmissions'), 1);
  } finally {
    await p.stop();
  }
});

test('a refused payload is never ACKed: repeats are not delivered again and the sender ends unreachable', async () => {
  const p = await pair({ retries: 1, timeoutMs: 200, storeMs: 0 });
  try {
    const send = unicast(p, 'refused');
    (await waitFor('at B', () => p.atB[0], 10_000, 5)).settle!('refused');
    assert.is(await send, 'unreachable');
    assert.is(p.atB.length, 1);
    assert.is(count(p.b, 'discarded.duplicate'), 1);
    assert.is(count(p.b, 'frames_out.ack'), 0);
    assert.is(count(p.b, 'acks_withheld.refused'), 1);
    assert.is(count(p.a, 'ack_timeouts'), 2);
  } finally {
    await p.stop();
  }
});

test('a repeat arriving while the first copy is still being stored is not delivered twice; its ACK follows the store', async () => {
  const p = await pair({ retries: 1, timeoutMs: 1_000, storeMs: 0 });
  try {
    const send = unicast(p, 'patience');
    const first = await waitFor('first copy at B', () => p.atB[0], 10_000, 5);
    await waitFor('the repeat, discarded as a duplicate', () => count(p.b, 'discarded.duplicate') === 1, 10_000, 5);
    assert.is(count(p.b, 'frames_out.ack'), 0, 'no ACK for a copy not yet durable');
    first.settle!('duplicate' satisfies FrameFate);
    assert.is(await send, 'accepted');
    assert.is(p.atB.length, 1);
    // Once durable, a further copy (its ACK lost) is ACKed at once without a new delivery.
    assert.is(count(p.b, 'frames_out.ack'), 1);
  } finally {
    await p.stop();
  }
});

test('the ACK budget includes the addressee\'s store time: timeout and quiet hold both cover it', () => {
  const { modulation } = latticeModulation({ preset: 'ShortFast', region: 'EU_868' });
  const withStore = ackTiming(true, modulation, MAX_LORA_FRAME, 0.01)!;
  const without = ackTiming({ storeMs: 0 }, modulation, MAX_LORA_FRAME, 0.01)!;
  // A vault's flush (one fsync on an SD card, the budget's wait under load): 400 ms of wall time by default, on top
  // of the air time (which the emulated radio's time scale shrinks) — both for the timeout and for keeping quiet.
  assert.is(withStore.timeoutMs - without.timeoutMs, 400);
  assert.is(withStore.holdMs - without.holdMs, 400);
  assert.ok(withStore.holdMs <= withStore.timeoutMs);
  assert.is(withStore.retries, 2);
  assert.is(ackTiming(false, modulation, MAX_LORA_FRAME), undefined, 'linkAck: false waits for none');
});

test.run();
