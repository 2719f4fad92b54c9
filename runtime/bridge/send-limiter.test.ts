import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SendLimiter } from './send-limiter.js';

test('message rate: a burst up to the per-minute count, then one every 60/N s', () => {
  let t = 0;
  const l = new SendLimiter({ messagesPerMinute: 6 }, () => t);
  for (let i = 0; i < 6; i++) {
    assert.is(l.waitFor(10), 0);
    l.take(10);
  }
  assert.is(l.waitFor(10), 10_000);
  t += 10_000;
  assert.is(l.waitFor(10), 0);
});

test('airtime budget per rolling hour', () => {
  let t = 0;
  const l = new SendLimiter({ messagesPerMinute: 1000, airtimeMsPerHour: 1000, airtimeOf: (b) => b * 10 }, () => t);
  l.take(60); // 600 ms
  t += 1000;
  l.take(30); // 300 ms -> 900 used
  assert.is(l.waitFor(10), 0); // 100 more fits
  assert.ok(l.waitFor(20) > 0); // 200 does not...
  assert.is(l.waitFor(20), 3_599_000); // ...until the first 600 ms (sent at t=0) leave the hour
});

test('burst: back to back up to the bucket size, then the rate', () => {
  let t = 0;
  const l = new SendLimiter({ messagesPerMinute: 60, burst: 1 }, () => t);
  assert.is(l.waitFor(10), 0);
  l.take(10);
  assert.is(l.waitFor(10), 1000);
  t += 1000;
  assert.is(l.waitFor(10), 0);
});

test.run();
