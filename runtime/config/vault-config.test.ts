/** vault.maxBytes: a byte size, and not so small that the empty vault alone would fill it. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from './parse-config.js';

test('vault.maxBytes takes units, refuses a budget the empty vault would fill, with a path: message', () => {
  assert.is(parseConfig({ vault: { maxBytes: '64MiB' } }, {}).vault.maxBytes, 64 * 2 ** 20);
  try {
    parseConfig({ vault: { maxBytes: '100KiB' } }, {});
    assert.unreachable('accepted 100 KiB');
  } catch (err) {
    const issues = (err as { issues?: Array<{ path: string; message: string }> }).issues ?? [];
    assert.is((err as Error).name, 'ConfigError');
    assert.ok(issues.some((i) => i.path === 'vault.maxBytes' && /at least 262144 bytes/.test(i.message)), JSON.stringify(issues));
  }
});

test.run();
