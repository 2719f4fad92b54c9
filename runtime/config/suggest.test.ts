import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closest, editDistance } from './suggest.js';

test('edit distance counts a transposition as one edit', () => {
  const table: [string, string, number][] = [
    ['', '', 0], ['a', '', 1], ['kitten', 'sitting', 3], ['metrcis', 'metrics', 1], ['discovry', 'discovery', 1], ['API', 'api', 0],
  ];
  for (const [a, b, d] of table) assert.is(editDistance(a, b), d, `${a} → ${b}`);
});

test('closest only offers plausible typos', () => {
  assert.is(closest('stauts', ['status', 'send', 'inbox']), 'status');
  assert.is(closest('inbx', ['status', 'send', 'inbox']), 'inbox');
  assert.is(closest('frobnicate', ['status', 'send', 'inbox']), undefined);
  assert.is(closest('x', ['y', 'z']), 'y');
  assert.is(closest('x', []), undefined);
});

test.run();
