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

test('redact masks every broker\'s password and URL credentials, gateways too', () => {
  const mt0 = { name: 'mt0', protocol: 'meshtastic', hal: 'sim', air: '127.0.0.1:4680' };
  const c = parseConfig({ lora: [mt0], mqtt: [{ url: 'mqtt://u:inurl@b', password: 'first' }, { role: 'meshtastic', radio: 'mt0', password: 'second' }] }, {}, { home: '/home/pi', cwd: '/srv' });
  const shown = JSON.stringify(redact(c));
  for (const secret of ['inurl', 'first', 'second', 'large4cats']) assert.not.ok(shown.includes(secret), secret);
});

test.run();
