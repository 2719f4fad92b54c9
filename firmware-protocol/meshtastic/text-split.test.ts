import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { splitUtf8 } from './text-split.js';

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

test.run();
