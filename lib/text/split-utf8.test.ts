import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { splitUtf8 } from './split-utf8.js';

const bytes = (s: string) => new TextEncoder().encode(s).length;

test('short text stays whole', () => {
  assert.equal(splitUtf8('hello', 10), ['hello']);
});

test('breaks after whitespace near the end of a piece', () => {
  assert.equal(splitUtf8('aaaa bbbb cccc', 10), ['aaaa bbbb ', 'cccc']);
});

test('never splits a code point', () => {
  const parts = splitUtf8('€€€€', 5); // 3 bytes each
  assert.equal(parts, ['€', '€', '€', '€']);
});

test('rejects silly limits', () => {
  assert.throws(() => splitUtf8('x', 3), (e: Error) => e instanceof RangeError);
});

test('fuzz: pieces fit, join back to the original', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.integer({ min: 4, max: 240 }), (s, max) => {
      const parts = splitUtf8(s, max);
      assert.is(parts.join(''), s);
      for (const p of parts) assert.ok(bytes(p) <= max);
    }),
    { numRuns: 300 },
  );
});

test('never tears an emoji: ZWJ families, flags and skin tones stay whole in one piece', () => {
  const family = '👨‍👩‍👧‍👦'; // 25 bytes: 4 people joined by 3 ZWJ
  const text = `${family} ok 🇺🇦🇪🇺 👍🏽 ${family}${family}`;
  for (const max of [25, 26, 30, 40, 64]) {
    const parts = splitUtf8(text, max);
    assert.is(parts.join(''), text);
    for (const p of parts) {
      assert.ok(bytes(p) <= max, `${bytes(p)} > ${max}`);
      assert.is((p.match(/👨/g) ?? []).length, (p.match(/👦/g) ?? []).length, `family torn at ${max}: ${JSON.stringify(p)}`);
      assert.not.ok(/^[\u{1F3FB}-\u{1F3FF}\u200D]/u.test(p), `piece starts inside a grapheme at ${max}: ${JSON.stringify(p)}`);
      assert.is(([...p].filter((c) => /\p{Regional_Indicator}/u.test(c)).length) % 2, 0, `flag torn at ${max}`);
    }
  }
});

test('breaks after any whitespace (newline, tab), and only where at least half the budget is used', () => {
  assert.equal(splitUtf8('line one\nline two', 12), ['line one\n', 'line two']);
  assert.equal(splitUtf8('a bcdefghijkl', 8), ['a bcdefg', 'hijkl']);
});

test('a single grapheme over the budget is cut between its code points, nothing lost', () => {
  const zalgo = `a${'\u0301'.repeat(10)}`; // one grapheme of 21 bytes
  const parts = splitUtf8(zalgo, 8);
  assert.is(parts.join(''), zalgo);
  for (const p of parts) assert.ok(bytes(p) <= 8);
});

test.run();
