/** `lora:` entries with `protocol: meshtastic` and their `meshtastic:` block, through the one config schema. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/parse-config.js';
import { parseYamlConfig } from '../../config/yaml-config.js';

const HOME = { home: '/home/pi', cwd: '/srv' };

function issuesOf(input: unknown): Array<[string, string]> {
  try {
    parseConfig(input, {}, HOME);
  } catch (err) {
    assert.is((err as Error).name, 'ConfigError');
    return (err as ConfigError).issues.map((i) => [i.path, i.message]);
  }
  assert.unreachable('expected a ConfigError');
  return [];
}

test("the issue's example parses, with the firmware's defaults for what it leaves out", () => {
  const doc = parseYamlConfig(`
lora:
  - name: mt0
    protocol: meshtastic
    preset: LongFast
    region: EU_868
    hal: spi
    meshtastic:
      role: ROUTER
      longName: Rooftop relay
      shortName: ROOF
      channels: [{ name: LongFast, psk: AQ== }]
      api: 127.0.0.1:4403
`);
  const c = parseConfig(doc, {}, HOME);
  assert.equal(c.lora[0], {
    protocol: 'meshtastic', preset: 'LongFast', region: 'EU_868', hal: 'spi', pins: {}, name: 'mt0',
    meshtastic: { role: 'ROUTER', longName: 'Rooftop relay', shortName: 'ROOF', channels: [{ name: 'LongFast', psk: 'AQ==' }], api: { host: '127.0.0.1', port: 4403 }, hopLimit: 3 },
  });
  // An entry with only `protocol: meshtastic`: a CLIENT on the default channel, API on loopback 4403.
  const bare = parseConfig({ lora: [{ protocol: 'meshtastic', meshtastic: { nodeNum: '!a1b2c3d4', api: false } }] }, {}, HOME).lora[0]!;
  assert.equal(bare.meshtastic, { role: 'CLIENT', channels: [{ name: '', psk: 'AQ==' }], hopLimit: 3, nodeNum: 0xa1b2c3d4 });
  assert.equal(parseConfig({ lora: [{ protocol: 'meshtastic' }] }, {}, HOME).lora[0]!.meshtastic!.api, { host: '127.0.0.1', port: 4403 });
  // A Lattice radio stays as it was: protocol lattice, no meshtastic block.
  const lattice = parseConfig({ lora: [{ preset: 'Lattice' }] }, {}, HOME).lora[0]!;
  assert.is(lattice.protocol, 'lattice');
  assert.is(lattice.meshtastic, undefined);
});

test('every firmware preset, by display or enum name, and the regions EU_868, US, EU_433, ANZ, IN', () => {
  const presets = ['ShortTurbo', 'ShortFast', 'ShortSlow', 'MediumFast', 'MediumSlow', 'LongFast', 'LongMod', 'LongModerate', 'LongSlow', 'LongTurbo', 'LONG_FAST', 'SHORT_TURBO', 'LONG_MODERATE'];
  for (const preset of presets) {
    for (const region of ['EU_868', 'US', 'EU_433', 'ANZ', 'IN']) {
      const c = parseConfig({ lora: [{ protocol: 'meshtastic', preset, region }] }, {}, HOME);
      assert.is(c.lora[0]!.preset, preset);
    }
  }
});

test('a meshcore block or MeshCore keys on a meshtastic radio are refused; a misspelled protocol too', () => {
  const issues = issuesOf({ lora: [{ protocol: 'meshtastic', meshcore: { name: 'x' }, sf: 8 }] });
  assert.equal(issues.map(([p]) => p).sort(), ['lora[0].meshcore', 'lora[0].sf']);
  assert.match(issues[0]![1], /only read with protocol: meshcore/);
  assert.equal(issuesOf({ lora: [{ protocol: 'meshcorr' }] }).map(([p]) => p), ['lora[0].protocol']);
});

test('every problem of every entry at once', () => {
  const issues = issuesOf({
    lora: [
      {
        protocol: 'meshtastic', preset: 'LongFats', region: 'EU_869',
        meshtastic: {
          role: 'ROUTER_CLIENT', longName: 'x'.repeat(40), shortName: 'ROOFS', nodeNum: 2, hopLimit: 8, api: 'localhost:99999',
          channels: [{ name: 'a channel name too long', psk: 'AQI=' }, { name: 'ok', psk: 'not base64!' }, { name: 'nokey' }],
          colour: 'red',
        },
      },
      { preset: 'LONG_FAST', region: 'IN', meshtastic: { role: 'ROUTER' } },
      { protocol: 'meshtastic', meshtastic: { channels: [] } },
      { protocol: 'meshtastic', preset: 'Lattice', region: 'EU_868' },
    ],
  });
  const paths = issues.map(([p]) => p);
  for (const p of [
    'lora[0].preset', 'lora[0].region', 'lora[0].meshtastic.role', 'lora[0].meshtastic.longName', 'lora[0].meshtastic.shortName',
    'lora[0].meshtastic.nodeNum', 'lora[0].meshtastic.hopLimit', 'lora[0].meshtastic.api', 'lora[0].meshtastic.channels[0].name',
    'lora[0].meshtastic.channels[0].psk', 'lora[0].meshtastic.channels[1].psk', 'lora[0].meshtastic.channels[2].psk',
    'lora[0].meshtastic.colour',
    'lora[1].meshtastic', 'lora[1].preset', 'lora[1].region',
    'lora[2].meshtastic.channels', 'lora[3].preset',
  ]) assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
  const message = (p: string) => issues.find(([q]) => q === p)![1];
  assert.match(message('lora[0].meshtastic.channels[0].psk'), /decodes to 2 bytes/);
  assert.match(message('lora[0].meshtastic.nodeNum'), /reserved/);
  assert.match(message('lora[1].meshtastic'), /only read with protocol: meshtastic/);
  assert.match(message('lora[0].meshtastic.colour'), /unknown key/);
  assert.match(message('lora[0].preset'), /did you mean "LongFast"/);
  assert.match(message('lora[3].preset'), /no Meshtastic modem preset/);
});

test('two native nodes cannot share a client API address; a native node is the Meshtastic radio of the bridge', () => {
  const issues = issuesOf({
    lora: [
      { name: 'a', protocol: 'meshtastic', meshtastic: { api: 4403 } },
      { name: 'b', protocol: 'meshtastic', meshtastic: { api: '127.0.0.1:4403' } },
    ],
  });
  assert.equal(issues.map(([p]) => p), ['lora[1].meshtastic.api']);
  const c = parseConfig({ lora: [{ name: 'mt0', protocol: 'meshtastic' }], meshcore: ['/dev/ttyACM0'], bridge: { enabled: true } }, {}, HOME);
  assert.is(c.bridge.enabled, true);
  assert.equal(issuesOf({ lora: [{ name: 'mt0' }], meshcore: ['/dev/ttyACM0'], bridge: { enabled: true } }).map(([p]) => p), ['bridge.enabled']);
});

test.run();
