import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { BROADCAST, type Bearer, type OutFrame } from '../bearer/bearer.js';
import { generateIdentity } from '../identity/identity.js';
import { createLogger } from '../log/logger.js';
import { waitFor } from '../../lib/testing/wait-for.js';
import { decodeBloomMessage, type BloomMessage } from '../wire/bloom-message.js';
import { decodeFrame } from '../wire/frame-codec.js';
import { BLOOM_CARRY_EVERY, BloomExchange } from './bloom-exchange.js';
import { BLOOM_RUN } from './bloom-retirement.js';
import { BLOOM_CAPACITY, BloomFilter } from './delivery-bloom.js';

const id = (n: number) => new Uint8Array(createHash('sha256').update(`delivered-${n}`).digest());

/** A bearer that takes every broadcast and records it. */
function recorder(): { bearer: Bearer; sent: BloomMessage[] } {
  const sent: BloomMessage[] = [];
  const bearer = {
    name: 'rec', mode: 'async',
    canReach: (peer: string) => peer === BROADCAST,
    send: async (f: OutFrame) => {
      sent.push(decodeBloomMessage(decodeFrame(f.bytes).payload));
      return 'accepted';
    },
  } as unknown as Bearer;
  return { bearer, sent };
}

function exchange(bearer: Bearer, debounceMs: number): BloomExchange {
  return new BloomExchange({
    identity: generateIdentity(), bearers: [bearer], clock: Date.now, intervalMs: 3_600_000, debounceMs,
    onSent: () => undefined, log: createLogger('test'),
  });
}

test(`under a burst of deliveries every id is in at least ${BLOOM_RUN} consecutive broadcasts before it leaves the ring`, async () => {
  const { bearer, sent } = recorder();
  const x = exchange(bearer, 5);
  x.start();
  try {
    // 2,000 deliveries in one event-loop turn: no timer can fire, only the every-BLOOM_CARRY_EVERY trigger.
    const N = 2_000;
    for (let i = 0; i < N; i++) x.delivered(id(i));
    assert.is(sent.length, Math.floor(N / BLOOM_CARRY_EVERY));
    // Then the debounced carries of the last change.
    await waitFor('the tail carried', () => sent.length === Math.floor(N / BLOOM_CARRY_EVERY) + BLOOM_RUN);
    // Consecutive: each names the previous one's salt.
    for (let i = 1; i < sent.length; i++) assert.equal(sent[i]!.prev, sent[i - 1]!.salt, `broadcast ${i}`);
    const filters = sent.map((m) => new BloomFilter(m.salt, m.bloom));
    for (let i = 0; i < N; i++) {
      let carried = 0;
      let best = 0;
      for (const f of filters) {
        carried = f.has(id(i)) ? carried + 1 : 0;
        best = Math.max(best, carried);
      }
      assert.ok(best >= BLOOM_RUN, `id ${i}: longest run ${best}`);
    }
  } finally {
    x.stop();
  }
});

test(`one delivery on a quiet node: ${BLOOM_RUN} debounced broadcasts with fresh salts; the next series chains on`, async () => {
  const { bearer, sent } = recorder();
  const x = exchange(bearer, 5);
  x.start();
  try {
    x.delivered(id(1));
    await waitFor(`${BLOOM_RUN} broadcasts`, () => sent.length === BLOOM_RUN);
    assert.ok(sent.every((m) => new BloomFilter(m.salt, m.bloom).has(id(1))));
    assert.equal(new Set(sent.map((m) => Buffer.from(m.salt).toString('hex'))).size, BLOOM_RUN, 'a fresh salt each time');
    // A later delivery starts a new series, chained to the last broadcast of the previous one.
    const last = sent[sent.length - 1]!;
    x.delivered(id(2));
    await waitFor(`${2 * BLOOM_RUN} broadcasts`, () => sent.length === 2 * BLOOM_RUN);
    assert.equal(sent[BLOOM_RUN]!.prev, last.salt);
  } finally {
    x.stop();
  }
});

test('a restart carries what the ring already holds (it may not have gone out enough times)', async () => {
  const { bearer, sent } = recorder();
  const x = exchange(bearer, 5);
  for (let i = 0; i < BLOOM_CAPACITY + 3; i++) x.bloom.add(id(i));
  x.start();
  try {
    await waitFor(`${BLOOM_RUN} broadcasts`, () => sent.length === BLOOM_RUN);
    assert.ok(new BloomFilter(sent[0]!.salt, sent[0]!.bloom).has(id(BLOOM_CAPACITY + 2)));
  } finally {
    x.stop();
  }
});

test.run();
