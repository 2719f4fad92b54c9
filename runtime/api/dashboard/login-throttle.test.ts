/** LoginThrottle alone: per address, the window slides, the refusal doubles per strike up to its cap, a success
 * clears the address, strikes are forgotten after a quiet spell, and the map stays bounded. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LoginThrottle } from './login-throttle.js';

test('per address; failures older than the window do not count', () => {
  let now = 0;
  const t = new LoginThrottle({ maxFailures: 3, windowMs: 1000, now: () => now });
  t.failed('a');
  t.failed('a');
  now = 1500; // the first two slid out of the window
  assert.is(t.failed('a'), 0);
  assert.is(t.failed('b'), 0);
  assert.is(t.retryAfterMs('a'), 0);
  assert.is(t.failed('a'), 0);
  assert.is(t.failed('a'), 1000, 'three within the window');
  assert.is(t.retryAfterMs('a'), 1000);
  assert.is(t.retryAfterMs('b'), 0, 'another address is not held up');
});

test('each further strike doubles the refusal, capped; a success clears it; a quiet spell forgets the strikes', () => {
  let now = 0;
  const t = new LoginThrottle({ maxFailures: 2, windowMs: 1000, maxBlockMs: 3000, now: () => now });
  const strike = (): number => (t.failed('a'), t.failed('a'));
  assert.is(strike(), 1000);
  now += 1000;
  assert.is(strike(), 2000);
  now += 2000;
  assert.is(strike(), 3000, 'capped');
  now += 3000;
  assert.is(strike(), 3000);
  t.succeeded('a');
  assert.is(t.retryAfterMs('a'), 0);
  assert.is(strike(), 1000, 'afresh after a success');
  now += 1000 + 3000; // unblocked, and no failure for maxBlockMs
  assert.is(strike(), 1000, 'strikes forgotten');
});

test('bounded: the least recently failing address is forgotten first', () => {
  const t = new LoginThrottle({ maxFailures: 1, maxAddresses: 3, now: () => 0 });
  for (const a of ['a', 'b', 'c']) t.failed(a);
  t.failed('a'); // a moves to the back
  t.failed('d');
  assert.is(t.size, 3);
  assert.is(t.retryAfterMs('b'), 0, 'b forgotten');
  assert.ok(t.retryAfterMs('a') > 0 && t.retryAfterMs('c') > 0 && t.retryAfterMs('d') > 0);
});

test.run();
