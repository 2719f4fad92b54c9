import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tmpdir } from 'node:os';
import { defaultComponents } from '../../components/components.js';
import { DEFAULTS } from '../../config/defaults.js';
import { generateIdentity } from '../../identity/identity.js';
import type { MqttBearer } from './mqtt-bearer.js';
import { mqttBearers } from './mqtt-from-config.js';

const context = { identity: generateIdentity(), dataDir: tmpdir(), bearerNames: ['mqtt'] };

test('mqtt config: no url gives no bearer; url, prefix and credentials map onto options', async () => {
  assert.equal((await mqttBearers(DEFAULTS.mqtt, context)).bearers, []);
  const [make] = (await mqttBearers([{ name: 'mqtt', role: 'lattice', url: 'mqtt://user:secret@broker.example:1883', prefix: 'site', username: 'u', password: 'p' }], context)).bearers;
  const m = make!(defaultComponents()) as MqttBearer;
  const d = m.status().detail as { broker: string; prefix: string };
  assert.is(d.prefix, 'site');
  assert.not.match(d.broker, /secret/, 'credentials never reach status');
});

test.run();
