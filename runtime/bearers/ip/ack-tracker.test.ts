/** The connector's ACK bookkeeping (ack-tracker.ts): numbering, matching in any order, timeout, close, abort. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AckTracker } from './ack-tracker.js';

test('numbers frames 1, 2, 3... and matches ACKs in any order', async () => {
  const t = new AckTracker('p', 60_000);
  const a = t.expect();
  const b = t.expect();
  const c = t.expect();
  assert.equal([a.seq, b.seq, c.seq], [1, 2, 3]);
  assert.is(t.outstanding, 3);
  assert.is(t.receive([{ seq: 3, fate: 'refused' }, { seq: 1, fate: 'stored' }, { seq: 99, fate: 'stored' }]), 1, 'one unknown');
  assert.is(t.receive([{ seq: 2, fate: 'duplicate' }, { seq: 2, fate: 'stored' }]), 1, 'a second ACK for 2 is late');
  assert.equal(await Promise.all([a.result, b.result, c.result]), ['stored', 'duplicate', 'refused']);
  assert.is(t.outstanding, 0);
});

test('no ACK within the timeout: timeout, and the late ACK counts as unknown', async () => {
  const t = new AckTracker('p', 20);
  const a = t.expect();
  assert.is(await a.result, 'timeout');
  assert.is(t.outstanding, 0);
  assert.is(t.receive([{ seq: a.seq, fate: 'stored' }]), 1);
});

test('while ACKs for other frames keep coming (a slow link with a backlog) a send keeps waiting; silence times it out', async () => {
  const t = new AckTracker('p', 400);
  const slow = t.expect();
  let answer: string | undefined;
  void slow.result.then((r) => (answer = r));
  // Progress on the connection every ~10 ms for over two timeouts.
  const until = performance.now() + 900;
  while (performance.now() < until) {
    const other = t.expect();
    await new Promise((r) => setTimeout(r, 10));
    t.receive([{ seq: other.seq, fate: 'stored' }]);
    assert.is(await other.result, 'stored');
  }
  assert.is(answer, undefined, 'still waiting while the peer makes progress');
  assert.is(await slow.result, 'timeout');
});

test('close answers every waiting send closed, and later ones at once', async () => {
  const t = new AckTracker('p', 60_000);
  const waiting = [t.expect(), t.expect()];
  t.close();
  assert.equal(await Promise.all(waiting.map((w) => w.result)), ['closed', 'closed']);
  assert.is(await t.expect().result, 'closed');
  assert.is(t.outstanding, 0);
});

test('abort rejects with an AbortError-named error and forgets the send', async () => {
  const t = new AckTracker('p', 60_000);
  const ac = new AbortController();
  const w = t.expect(ac.signal);
  ac.abort(new Error('stop'));
  try {
    await w.result;
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'AbortError');
  }
  assert.is(t.outstanding, 0);
  const pre = new AbortController();
  pre.abort();
  await t.expect(pre.signal).result.then(() => assert.unreachable(), (err: Error) => assert.is(err.name, 'AbortError'));
});

test('sequence numbers wrap after 2^32 - 1 to 1 and skip numbers still waiting', async () => {
  const t = new AckTracker('p', 60_000);
  (t as unknown as { next: number }).next = 0xffffffff;
  const last = t.expect();
  assert.is(last.seq, 0xffffffff);
  const first = t.expect();
  assert.is(first.seq, 1);
  (t as unknown as { next: number }).next = 1;
  assert.is(t.expect().seq, 2, '1 is still waiting');
  t.close();
  assert.throws(() => new AckTracker('p', 0), RangeError);
});

test.run();
