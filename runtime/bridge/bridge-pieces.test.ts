import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { attributionPrefix, coreText, looksBridged, DEFAULT_PREFIX } from './attribution.js';
import { parseAddressed, resolveTarget, type KnownNode } from './addressing.js';
import { EchoWindow } from './echo-window.js';

test('attribution prefix with the known name, cleaned', () => {
  assert.is(attributionPrefix(DEFAULT_PREFIX.mt, { name: 'Alice', id: 'mt:!a1b2c3d4' }), 'MT@Alice: ');
  assert.is(attributionPrefix(DEFAULT_PREFIX.mc, { name: 'Bo:b\n', id: 'mc:ab' }), 'MC@Bob: ');
  assert.is(attributionPrefix(DEFAULT_PREFIX.mc, { id: 'mc:abcdef' }), 'MC@abcdef: ');
});

test('bridged text is recognised, with or without a channel name prefix', () => {
  assert.ok(looksBridged('MT@Alice: hi'));
  assert.ok(looksBridged('Relay7: MT@Alice: hi'));
  assert.ok(looksBridged('Relay7: (1/2) MC@Bob: long'));
  assert.not.ok(looksBridged('Alice: hi there'));
  assert.ok(looksBridged('[MT] Alice: hi', ['[MT] {name}: ']));
  assert.is(coreText('Relay7: MT@Alice: Hello There '), 'hello there');
  assert.is(coreText('Hello There'), 'hello there');
});

test('addressed DMs: plain, quoted, names with spaces, not addressed', () => {
  assert.equal(parseAddressed('@MC:Bob hello there'), { net: 'mc', target: 'Bob', text: 'hello there' });
  assert.equal(parseAddressed('@mt:"Alice Smith" hi'), { net: 'mt', target: 'Alice Smith', text: 'hi' });
  assert.equal(parseAddressed('@MC:Bob Smith hi', ['Bob', 'Bob Smith']), { net: 'mc', target: 'Bob Smith', text: 'hi' });
  assert.is(parseAddressed('hello @MC:Bob'), undefined);
});

test('resolution: unique, unknown, ambiguous, no key', () => {
  const nodes: KnownNode[] = [
    { address: 'mc:aa11', name: 'Bob', hasKey: true },
    { address: 'mc:bb22', name: 'Bobby', hasKey: true },
    { address: 'mc:cc33', name: 'Carol', hasKey: false },
  ];
  const bob = resolveTarget('mc', 'bob', nodes);
  assert.ok(bob.ok && bob.node.address === 'mc:aa11');
  const unk = resolveTarget('mc', 'Dave', nodes);
  assert.ok(!unk.ok && unk.reason === 'unknown' && unk.reply.includes('Dave'));
  const amb = resolveTarget('mc', 'Bo', nodes);
  assert.ok(!amb.ok && amb.reason === 'ambiguous' && amb.reply.includes('Bobby'));
  const nokey = resolveTarget('mc', 'Carol', nodes);
  assert.ok(!nokey.ok && nokey.reason === 'no-key');
});

test('echo window remembers content across prefixes and forgets after the ttl', () => {
  let t = 0;
  const w = new EchoWindow(1000, 3, () => t);
  w.remember('MT@Alice: Hello');
  assert.ok(w.has('Relay: MT@Alice: hello'));
  assert.ok(w.has('hello'));
  t = 2000;
  assert.not.ok(w.has('hello'));
  for (const s of ['a', 'b', 'c', 'd']) w.remember(s);
  assert.is(w.size, 3);
  assert.not.ok(w.has('a'));
});

test.run();
