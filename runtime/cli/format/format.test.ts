import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatDuration, parseDuration, parseSince, relative } from './time.js';
import { cell, renderTable } from './table.js';

test('durations both ways', () => {
  const out: [number, string][] = [[0, '0s'], [42, '42s'], [65, '1m 5s'], [3600, '1h'], [3 * 86400 + 4 * 3600 + 59, '3d 4h'], [-5, '0s']];
  for (const [s, want] of out) assert.is(formatDuration(s), want, String(s));
  const inp: [string, number | undefined][] = [['90s', 90_000], ['10m', 600_000], ['2h', 7_200_000], ['7d', 604_800_000], ['1w', 604_800_000], ['1h30m', 5_400_000], ['250ms', 250], ['1.5h', 5_400_000], ['', undefined], ['10', undefined], ['5x', undefined], ['-1h', undefined]];
  for (const [t, want] of inp) assert.is(parseDuration(t), want, t);
  assert.is(relative(1000, 61_000), '1m ago');
  assert.is(relative(61_000, 1000), 'in 1m');
  assert.is(relative(1000, 1200), 'just now');
});

test('since: ago, epoch ms, ISO date', () => {
  const now = 1_700_000_000_000;
  assert.is(parseSince('1h', now), now - 3_600_000);
  assert.is(parseSince('1699999999000', now), 1_699_999_999_000);
  assert.is(parseSince('2023-11-14T22:13:20Z', now), 1_700_000_000_000);
  assert.is(parseSince('yesterday', now), undefined);
  assert.is(parseSince('2023-13-45', now), undefined);
});

test('tables align columns and keep rows on one line', () => {
  assert.is(renderTable(['A', 'LONGER'], [['xyz', '1'], ['', '22']]), 'A    LONGER\nxyz  1\n     22\n');
  assert.is(cell('a\nb'), 'a ⏎ b');
  assert.is(cell('abcdef', 4), 'abc…');
});

test.run();
