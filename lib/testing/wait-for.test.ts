import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from './wait-for.js';

test('returns the first truthy value of the check, sync or async', async () => {
  let n = 0;
  assert.is(await waitFor('n to reach 3', () => ++n >= 3 && n, 5_000, 1), 3);
  let m = 0;
  assert.equal(await waitFor('an object', async () => (++m > 2 ? { m } : undefined), 5_000, 1), { m: 3 });
});

test('a throwing check counts as not yet', async () => {
  let n = 0;
  const v = await waitFor('the server to listen', () => {
    if (++n < 3) throw new Error('ECONNREFUSED');
    return 'up';
  }, 5_000, 1);
  assert.is(v, 'up');
});

test('the timeout error names what it waited for and the last error of the check', async () => {
  try {
    await waitFor('the radio to come up', () => false, 30, 5);
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /timed out after 30 ms waiting for the radio to come up$/);
  }
  const refused = new Error('connect ECONNREFUSED 127.0.0.1:9');
  try {
    await waitFor('the API', () => {
      throw refused;
    }, 30, 5);
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /waiting for the API: connect ECONNREFUSED/);
    assert.is((err as Error).cause, refused);
  }
});

test.run();
