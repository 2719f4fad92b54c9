/**
 * The `mqtt:` section as a list of brokers (issue 17): the old single mapping still means one lattice entry, the
 * issue's example parses to its keys with the firmware's public broker defaults, every mistake is reported at once
 * with its path, and LATTICE_MQTT_* patch the lattice entry of a list instead of replacing the list.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/parse-config.js';

const HOME = { home: '/home/pi', cwd: '/srv' };
const mt0 = { name: 'mt0', protocol: 'meshtastic', hal: 'sim', air: '127.0.0.1:4680', preset: 'LongFast', region: 'EU_868' };

function issuesOf(fn: () => unknown): Array<{ path: string; message: string }> {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

test('today\'s single mapping and URL forms are one lattice entry named mqtt', () => {
  assert.equal(parseConfig({ mqtt: { url: 'mqtts://b.example:8883', prefix: 'site' } }, {}, HOME).mqtt, [{ url: 'mqtts://b.example:8883', prefix: 'site', name: 'mqtt', role: 'lattice' }]);
  assert.equal(parseConfig({ mqtt: 'mqtt://b' }, {}, HOME).mqtt, [{ url: 'mqtt://b', prefix: 'lattice', name: 'mqtt', role: 'lattice' }]);
});

test('the issue\'s example: three brokers, each with its role\'s keys and defaults', () => {
  const c = parseConfig({
    lora: [mt0],
    mqtt: [
      { url: 'mqtts://broker.example.org:8883', role: 'lattice' },
      { url: 'mqtt://mqtt.meshtastic.org:1883', role: 'meshtastic', radio: 'mt0', root: 'msh/EU_868', username: 'meshdev', password: 'large4cats', uplink: true, downlink: false, channels: [{ name: 'LongFast', uplink: true, downlink: false }], mapReports: { enabled: false, intervalS: 3600, precisionBits: 14 } },
    ],
  }, {}, HOME);
  assert.equal(c.mqtt.map((b) => [b.name, b.role]), [['mqtt', 'lattice'], ['mqtt1', 'meshtastic']]);
  assert.equal(c.mqtt[1], {
    queue: 256, uplink: true, downlink: false, decryptedUplink: false, channels: [{ name: 'LongFast', uplink: true, downlink: false }],
    mapReports: { enabled: false, intervalS: 3600, precisionBits: 14 },
    url: 'mqtt://mqtt.meshtastic.org:1883', role: 'meshtastic', radio: 'mt0', root: 'msh/EU_868', username: 'meshdev', password: 'large4cats', name: 'mqtt1',
  });
});

test('role meshtastic without a url: the firmware\'s public broker and credentials, nothing switched on', () => {
  const [b] = parseConfig({ lora: [mt0], mqtt: [{ role: 'meshtastic', radio: 'mt0' }] }, {}, HOME).mqtt;
  assert.equal([b!.url, b!.username, b!.password, b!.uplink, b!.downlink, b!.mapReports!.enabled], ['mqtt://mqtt.meshtastic.org:1883', 'meshdev', 'large4cats', false, false, false]);
  const [own] = parseConfig({ lora: [mt0], mqtt: [{ role: 'meshtastic', radio: 'mt0', url: 'mqtt://10.0.0.5' }] }, {}, HOME).mqtt;
  assert.is(own!.username, undefined, 'the public credentials never go to another broker');
});

test('every mistake at once, each with its path', () => {
  const issues = issuesOf(() => parseConfig({
    lora: [mt0, { name: 'lat0', hal: 'sim', air: '127.0.0.1:4680' }],
    mqtt: [
      { role: 'meshtastic', radio: 'lat0', iata: 'AMS', mapReports: { precisionBits: 20 } },
      { role: 'meshcore-observer', url: 'mqtts://mqtt-eu-v1.letsmesh.net:443', radio: 'nope', iata: 'ams' },
      { role: 'lattice', radio: 'mt0', uplink: true, queue: 5 },
      { role: 'meshtastic', radio: 'mt0', channels: [{ name: 'LongFast' }, { name: 'LongFast' }], queue: 0 },
    ],
  }, {}, HOME));
  const paths = issues.map((i) => i.path);
  for (const p of ['mqtt[0].iata', 'mqtt[0].mapReports.precisionBits', 'mqtt[1].iata', 'mqtt[2].uplink', 'mqtt[2].radio', 'mqtt[2].queue', 'mqtt[3].channels[1].name', 'mqtt[3].queue']) assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
});

test('radios are checked against lora: the right protocol, an existing name', () => {
  const issues = issuesOf(() => parseConfig({ lora: [{ name: 'lat0', hal: 'sim', air: '127.0.0.1:4680' }], mqtt: [{ role: 'meshtastic', radio: 'lat0' }, { role: 'meshtastic', radio: 'ghost' }, { role: 'meshcore-observer', url: 'wss://x.example', iata: 'AMS' }] }, {}, HOME));
  assert.equal(issues.map((i) => i.path), ['mqtt[0].radio', 'mqtt[1].radio', 'mqtt[2].radio']);
  assert.match(issues[0]!.message, /protocol lattice; role meshtastic needs a lora: radio with protocol meshtastic/);
});

test('LATTICE_MQTT_URL patches the lattice entry of a list and keeps the gateways', () => {
  const c = parseConfig({ lora: [mt0], mqtt: [{ role: 'lattice', url: 'mqtt://file' }, { role: 'meshtastic', radio: 'mt0', uplink: true }] }, { LATTICE_MQTT_URL: 'mqtt://env', LATTICE_MQTT_PASSWORD: 'pw' }, HOME);
  assert.equal(c.mqtt.map((b) => [b.role, b.url]), [['lattice', 'mqtt://env'], ['meshtastic', 'mqtt://mqtt.meshtastic.org:1883']]);
  assert.is(c.mqtt[0]!.password, 'pw');
});

test('a single mapping cannot be a gateway: that is a list entry', () => {
  const issues = issuesOf(() => parseConfig({ mqtt: { role: 'meshtastic', radio: 'mt0' } }, {}, HOME));
  assert.equal(issues.map((i) => i.path), ['mqtt.role']);
});

test.run();
