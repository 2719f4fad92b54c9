import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULTS } from '../../config/defaults.js';
import { generateIdentity } from '../../identity/identity.js';
import { mqttBearerFromConfig } from './mqtt-from-config.js';

const identity = generateIdentity();

test('mqtt config: no url gives no bearer; url, prefix and credentials map onto options', () => {
  assert.is(mqttBearerFromConfig(DEFAULTS.mqtt, { identity }), undefined);
  const m = mqttBearerFromConfig({ url: 'mqtt://user:secret@broker.example:1883', prefix: 'site', username: 'u', password: 'p' }, { identity })!;
  const d = m.status().detail as { broker: string; prefix: string };
  assert.is(d.prefix, 'site');
  assert.not.match(d.broker, /secret/, 'credentials never reach status');
});

test.run();
