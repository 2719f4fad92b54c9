/** Inbound limits as plain objects: the byte budget, partial-input clocks, connection bounds, frame caps by type. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InboundBudget, PartialClock } from './inbound-budget.js';
import { InboundConnections } from './inbound-connections.js';
import { ShardReassembler, fragmentShardMessage } from './shard-fragments.js';
import { StreamDecoder, encodeStreamFrame } from './stream-codec.js';
import { streamFrameCaps } from './stream-frame-caps.js';
import { AUTH_BYTES, TAGGED_HELLO_BYTES } from './tcp-handshake.js';

test('budget: per peer and in total; refused takes nothing; give returns', () => {
  const b = new InboundBudget({ perPeerBytes: 100, totalBytes: 150 });
  assert.ok(b.take('a', 100));
  assert.not.ok(b.take('a', 1), 'a is at its share');
  assert.ok(b.take('b', 50));
  assert.not.ok(b.take('c', 1), 'everyone is at the total');
  assert.is(b.held(), 150);
  b.give('a', 60);
  assert.ok(b.take('c', 60));
  assert.equal([b.held('a'), b.held('b'), b.held('c'), b.held()], [40, 50, 60, 150]);
});

test('a reassembler charges its message to the budget, drops it when refused, and returns it when whole or released', () => {
  const budget = new InboundBudget({ perPeerBytes: 40, totalBytes: 1000 });
  const r = new ShardReassembler(undefined, budget.forPeer('p'));
  const big = fragmentShardMessage(new Uint8Array(100).fill(1), 16);
  for (const f of big) assert.is(r.push(f), undefined);
  assert.is(r.overBudget, 1, 'dropped at the third fragment');
  assert.is(budget.held('p'), 0);
  const whole = fragmentShardMessage(new Uint8Array(30).fill(2), 16);
  assert.is(r.push(whole[0]!), undefined);
  assert.is(budget.held('p'), 16);
  assert.equal(r.push(whole[1]!), new Uint8Array(30).fill(2));
  assert.is(budget.held('p'), 0, 'a whole message is handed on and uncharged');
  r.push(fragmentShardMessage(new Uint8Array(20), 16)[0]!);
  assert.ok(r.partial);
  r.release();
  assert.is(budget.held('p'), 0);
  assert.not.ok(r.partial);
});

test('partial clock: idle, and too slow on average after the grace', () => {
  const limits = { idleMs: 1000, minBytesPerSecond: 1000 };
  const c = new PartialClock();
  assert.is(c.expired(10_000, limits), undefined, 'nothing held');
  c.progress(0, 100, true);
  assert.is(c.expired(999, limits), undefined);
  assert.is(c.expired(1001, limits), 'idle');
  c.progress(900, 100, true);
  c.progress(1800, 100, true);
  assert.is(c.expired(1850, limits), 'slow', '300 B in 1.85 s is under 1000 B/s past the 1 s grace (1.3 s)');
  c.progress(1900, 0, false);
  assert.is(c.expired(100_000, limits), undefined, 'finished: the clock stops');
  c.progress(5000, 10_000, true);
  assert.is(c.expired(5900, limits), undefined);
});

test('connections: per address mid-handshake, per peer the newest wins, in total unprotected ones give way', () => {
  const c = new InboundConnections<string>({ handshaking: 3, handshakingPerAddress: 2, perPeer: 2, total: 3 });
  assert.is(c.startHandshake('10.0.0.1'), undefined);
  assert.is(c.startHandshake('10.0.0.1'), undefined);
  assert.is(c.startHandshake('10.0.0.1'), 'tcp-busy-address');
  assert.is(c.startHandshake('10.0.0.2'), undefined);
  assert.is(c.startHandshake('10.0.0.3'), 'tcp-busy');
  c.endHandshake('10.0.0.1');
  assert.is(c.handshaking, 2);
  const prot = (p: string) => p === 'proven';
  assert.equal(c.opened('x', 'x1', prot), []);
  assert.equal(c.opened('x', 'x2', prot), []);
  assert.equal(c.opened('x', 'x3', prot), ['x1'], 'a third connection of one peer replaces its oldest');
  assert.equal(c.opened('proven', 'p1', prot), [], 'three open: the total');
  assert.equal(c.opened('proven', 'p2', prot), ['x2'], 'full: an unprotected peer gives way');
  assert.equal(c.opened('y', 'y1', prot), ['x3']);
  assert.is(c.opened('z', 'z1', () => true), 'tcp-busy', 'nobody to push out');
  c.closed('y1');
  assert.is(c.authenticated, 2);
});

test('frame caps by type: a header over its cap is refused before its payload, within it decodes', () => {
  const caps = streamFrameCaps(66_561);
  assert.equal(caps, { hello: TAGGED_HELLO_BYTES, challenge: 112, auth: AUTH_BYTES, data: 66_561, shard: 16_385, bundle: 66_565, ack: 5 * 1024 });
  const ok = new StreamDecoder(66_561, (type, length) => length <= caps[type]);
  const frames = ok.push(encodeStreamFrame('shard', new Uint8Array(16_385)));
  assert.is(frames.length, 1);
  const d = new StreamDecoder(66_561, (type, length) => length <= caps[type]);
  // Only the header of a 60 KB HELLO: refused at once, no payload awaited.
  assert.equal(d.push(encodeStreamFrame('hello', new Uint8Array(60_000)).subarray(0, 7)), []);
  assert.ok(d.refused);
  assert.equal(d.push(encodeStreamFrame('data', new Uint8Array(3))), [], 'a refused decoder decodes nothing more');
  // Unknown types are still skipped, not refused (newer relays' frames).
  const u = new StreamDecoder(66_561, (type, length) => length <= caps[type]);
  const unknown = encodeStreamFrame('data', new Uint8Array(2));
  unknown[2] = 99;
  assert.is(u.push(new Uint8Array([...unknown, ...encodeStreamFrame('data', new Uint8Array([5]))])).length, 1);
  assert.not.ok(u.refused);
});

test.run();
