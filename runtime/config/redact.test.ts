import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from './parse-config.js';
import { redact } from './redact.js';

test('redact masks the IP domain key (and leaves the config it was given alone)', () => {
  const psk = 'c0ffee'.repeat(8);
  const c = parseConfig({ ip: { psk } }, {}, { home: '/home/pi', cwd: '/srv' });
  const shown = redact(c);
  assert.is(shown.ip.psk, '********');
  assert.not.ok(JSON.stringify(shown).includes(psk));
  assert.is(c.ip.psk, psk);
  assert.is(redact(parseConfig(undefined, {}, { home: '/home/pi', cwd: '/srv' })).ip.psk, undefined);
});

test.run();
