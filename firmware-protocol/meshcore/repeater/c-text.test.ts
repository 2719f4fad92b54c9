/**
 * The CLI's number formatting against the firmware's own: each row was printed by StrHelper::ftoa / ftoa3 and the
 * `get dutycycle` arithmetic of src/helpers/TxtDataHelpers.cpp / CommonCLI.cpp compiled with g++ on this machine
 * (a scratch build outside the tree, not committed).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { atof, atoi, atoiDigits, formatClock, fromHex, ftoa, ftoa3, parseTextParts, toHex } from './c-text.js';
import { formatDutyCycle } from './cli-get.js';

const FIRMWARE: [number, string, string, string][] = [
  [869.618, '869.6179809', '869.618', '0.1%'],
  [0, '0.0', '0', '100.0%'],
  [1, '1.0', '1', '50.0%'],
  [0.5, '0.5', '0.5', '66.7%'],
  [62.5, '62.5', '62.5', '1.6%'],
  [-1.25, '-1.25', '-1.25', '-400.0%'],
  [10, '10.0', '10', '9.1%'],
  [7.8, '7.8000001', '7.8', '11.4%'],
  [125, '125.0', '125', '0.8%'],
  [250, '250.0', '250', '0.4%'],
  [0.3, '0.3', '0.3', '76.9%'],
  [0.25, '0.25', '0.25', '80.0%'],
  [915, '915.0', '915', '0.1%'],
  [433.175, '433.1749877', '433.175', '0.2%'],
  [52.5123, '52.5122985', '52.512', '1.9%'],
  [-0.001, '-0.0009999', '0.001', '100.1%'],
  [123456.789, '123456.7890625', '123456.792', '0.0%'],
  [1e-9, '0', '0', '100.0%'],
  [9, '9.0', '9', '10.0%'],
  [2, '2.0', '2', '33.3%'],
  [0.123456789, '0.1234567', '0.123', '89.0%'],
  [51.5074, '51.5074005', '51.507', '1.9%'],
  [-0.1278, '-0.1277999', '0.128', '114.7%'],
  [100, '100.0', '100', '0.10%'],
  [869.525, '869.5250244', '869.525', '0.1%'],
  [0.0000002, '0.0000001', '0', '99.10%'],
];

test('ftoa, ftoa3 and the duty-cycle text match the firmware build', () => {
  for (const [v, f, f3, dc] of FIRMWARE) {
    assert.is(ftoa(v), f, `ftoa(${v})`);
    assert.is(ftoa3(v), f3, `ftoa3(${v})`);
    assert.is(formatDutyCycle(v), dc, `dutycycle(${v})`);
  }
});

test('C parsing: atoi stops at the first non-digit, _atoi takes no sign, atof reads a prefix', () => {
  assert.is(atoi('  42abc'), 42);
  assert.is(atoi('-7'), -7);
  assert.is(atoi('x1'), 0);
  assert.is(atoiDigits('-7'), 0);
  assert.is(atoiDigits('120 h'), 120);
  assert.is(atof('869.5x'), 869.5);
  assert.is(atof('.5'), 0.5);
  assert.is(atof('abc'), 0);
});

test('parseTextParts splits at every separator and caps the count', () => {
  assert.equal(parseTextParts('region  list allowed', 4, ' '), ['region', '', 'list', 'allowed']);
  assert.equal(parseTextParts('869.5,62.5,8,5', 4), ['869.5', '62.5', '8', '5']);
  assert.equal(parseTextParts('a b c d e', 2, ' '), ['a', 'b']);
});

test('hex as Utils::toHex / fromHex, and the CLI clock text', () => {
  assert.is(toHex(Uint8Array.of(0xab, 0x01)), 'AB01');
  assert.equal(fromHex('ab01', 2), Uint8Array.of(0xab, 0x01));
  assert.is(fromHex('ab0', 2), undefined);
  assert.is(formatClock(1715770351), '10:52 - 15/5/2024 UTC');
});

test.run();
