import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from './virtual-clock.js';

test('a sleep jumps time to its deadline once nothing else is pending', async () => {
  const clock = new VirtualClock(1000);
  await clock.sleep(10_000);
  assert.is(clock.now(), 11_000);
  assert.equal(clock.sleeps, [10_000]);
});

test('time stands still while setImmediate work is pending: a hand-over chain ends before a 1 ms deadline', async () => {
  const clock = new VirtualClock(0);
  const order: string[] = [];
  let hops = 0;
  const hop = (): void => {
    if (++hops < 500) setImmediate(hop);
    else order.push(`chain done at ${clock.now()}`);
  };
  setImmediate(hop);
  await clock.sleep(1).then(() => order.push(`slept to ${clock.now()}`));
  assert.equal(order, ['chain done at 0', 'slept to 1']);
});

test('sleeps wake in deadline order, ties in the order they were asked for', async () => {
  const clock = new VirtualClock(0);
  const woke: string[] = [];
  await Promise.all([
    clock.sleep(30).then(() => woke.push(`c@${clock.now()}`)),
    clock.sleep(10).then(() => woke.push(`a@${clock.now()}`)),
    clock.sleep(10).then(() => woke.push(`b@${clock.now()}`)),
    clock.sleep(20).then(async () => {
      woke.push(`d@${clock.now()}`);
      await clock.sleep(5);
      woke.push(`e@${clock.now()}`);
    }),
  ]);
  assert.equal(woke, ['a@10', 'b@10', 'd@20', 'e@25', 'c@30']);
});

test('an aborted sleep rejects with the reason and no longer holds time back', async () => {
  const clock = new VirtualClock(0);
  const ac = new AbortController();
  const long = clock.sleep(60_000, { signal: ac.signal });
  const reason = new Error('stopped');
  ac.abort(reason);
  try {
    await long;
    assert.unreachable();
  } catch (err) {
    assert.is(err, reason);
  }
  assert.is(clock.pending, 0);
  try {
    await clock.sleep(1, { signal: AbortSignal.abort(reason) });
    assert.unreachable();
  } catch (err) {
    assert.is(err, reason);
  }
  await clock.sleep(5);
  assert.is(clock.now(), 5);
});

test('advance() wakes what is due at once; two clocks in one process do not hold each other back', async () => {
  const a = new VirtualClock(0);
  const b = new VirtualClock(0);
  let woke = false;
  const p = a.sleep(100).then(() => (woke = true));
  a.advance(100);
  await p;
  assert.ok(woke);
  assert.is(a.now(), 100);
  await Promise.all([a.sleep(50), b.sleep(70)]);
  assert.equal([a.now(), b.now()], [150, 70]);
});

test('an unref sleep (a heartbeat) never makes time pass alone, but wakes when a waited-for sleep passes it', async () => {
  const clock = new VirtualClock(0);
  const beats: number[] = [];
  const stop = new AbortController();
  void (async () => {
    for (;;) {
      await clock.sleep(100, { signal: stop.signal, unref: true }).catch(() => undefined);
      if (stop.signal.aborted) return;
      beats.push(clock.now());
    }
  })();
  // Several real event-loop turns: the heartbeat alone does not move time.
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  assert.is(clock.now(), 0);
  assert.equal(beats, []);
  await clock.sleep(350);
  assert.equal(beats, [100, 200, 300]);
  assert.is(clock.now(), 350);
  stop.abort();
});

test.run();
