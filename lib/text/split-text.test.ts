import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { splitText } from './split-text.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

test('short text: one part, no marker', () => {
  assert.equal(splitText('hi', { maxBytes: 160, prefix: 'MT@Alice: ' }), ['MT@Alice: hi']);
});

test('long text with emoji: every part fits, nothing is lost, no emoji is torn', () => {
  const family = '👨‍👩‍👧‍👦';
  const text = `Sunrise over the ridge ${family} relay 7 is up again after the storm 🌩️⚡ — batteries at 87 %, ` +
    `solar 12.4 V, the north link is flaky but holding. Ünïcödé wörds and 日本語のテキスト too. ${family}${family} end.`;
  for (const max of [60, 80, 160, 200]) {
    const parts = splitText(text, { maxBytes: max, prefix: 'MT@Alice: ' });
    assert.ok(parts.length > 1 || bytes(text) < max);
    for (const p of parts) {
      assert.ok(bytes(p) <= max, `${bytes(p)} > ${max}: ${p}`);
      assert.ok(p.startsWith('MT@Alice: '));
      assert.not.ok(p.includes('\uFFFD'));
    }
    const rebuilt = parts.map((p) => p.slice('MT@Alice: '.length).replace(/^\(\d+\/\d+\) /, '')).join('');
    assert.is(rebuilt, text);
    for (const p of parts) {
      // A ZWJ family is only ever present whole.
      assert.is((p.match(/👨/g) ?? []).length, (p.match(/👦/g) ?? []).length);
    }
    parts.forEach((p, i) => parts.length > 1 && assert.ok(p.includes(`(${i + 1}/${parts.length}) `)));
  }
});

test('too many parts is an error, not a silent cut', () => {
  try {
    splitText('x'.repeat(5000), { maxBytes: 100, maxParts: 4 });
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'TextTooLongError');
  }
});

test.run();
