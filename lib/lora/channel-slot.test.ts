import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { channelFrequencyHz, meshtasticChannelHash } from './channel-slot.js';

test('djb2 as uint32 over UTF-8 bytes: the empty name is 5381, one byte is 5381·33 + b, long names wrap', () => {
  assert.is(meshtasticChannelHash(''), 5381);
  assert.is(meshtasticChannelHash('a'), 5381 * 33 + 0x61);
  const h = meshtasticChannelHash('a much longer channel name than fits in 32 bits');
  assert.ok(Number.isInteger(h) && h >= 0 && h < 2 ** 32);
  assert.is(meshtasticChannelHash('é'), ((5381 * 33 + 0xc3) * 33 + 0xa9) >>> 0);
});

test('slot rule: US 902–928 MHz at 250 kHz has 104 slots; LongFast is slot 19 = 906.875 MHz', () => {
  const us = { lowHz: 902_000_000, highHz: 928_000_000 };
  assert.is(meshtasticChannelHash('LongFast') % 104, 19);
  assert.is(channelFrequencyHz(us, 250_000, 'LongFast'), 902_000_000 + 125_000 + 19 * 250_000);
});

test('spacing widens each step; a band narrower than one channel is a RangeError', () => {
  const band = { lowHz: 0, highHz: 1_000_000, spacingHz: 250_000 };
  const f = channelFrequencyHz(band, 250_000, 'x');
  assert.ok([125_000, 625_000].includes(f), String(f));
  assert.throws(() => channelFrequencyHz({ lowHz: 0, highHz: 100_000 }, 125_000, 'x'), (e: Error) => e instanceof RangeError && /does not fit/.test(e.message));
});

test.run();
