import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DUTY_CYCLE_WINDOW_MS, TxBudget } from './tx-budget.js';

test('the bucket starts full at window × 1/(1+factor) and refills by elapsed × duty, capped', () => {
  const b = new TxBudget(() => 9, 0);
  assert.is(b.remainingMs, DUTY_CYCLE_WINDOW_MS / 10);
  assert.is(b.spend(0, 300_000), 0);
  assert.is(b.remainingMs, 60_000);
  b.update(100_000);
  assert.is(b.remainingMs, 70_000);
  b.update(10_000_000);
  assert.is(b.remainingMs, 360_000);
});

test('a frame waits until the bucket holds half a 255-byte frame; after a spend below 100 ms the next waits for the refill', () => {
  const b = new TxBudget(() => 1, 0, 10_000); // duty 0.5, 5 s bucket
  assert.is(b.waitBeforeSend(0, 2000), 0);
  // Spend all but 40 ms: (100 − 40) / 0.5 = 120 ms before the next.
  assert.is(b.spend(0, 4960), 120);
  // Needs 1000 ms of budget: (1000 − 40) / 0.5.
  assert.is(b.waitBeforeSend(0, 2000), 1920);
  assert.is(b.waitBeforeSend(1920, 2000), 0);
  // More than the bucket holds empties it, never below zero.
  assert.is(b.spend(1920, 99_999), 200);
  assert.is(b.remainingMs, 0);
});

test('factor 0 is 100 % duty; a negative or NaN factor counts as 0', () => {
  assert.is(new TxBudget(() => 0, 0).duty(), 1);
  assert.is(new TxBudget(() => -3, 0).duty(), 1);
  assert.is(new TxBudget(() => Number.NaN, 0).duty(), 1);
});

test.run();
