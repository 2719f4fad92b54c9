/** `lora:` entries with `protocol: meshcore` and their `meshcore:` block, through the one config schema. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/parse-config.js';
import { parseYamlConfig } from '../../config/yaml-config.js';
import { hashtagChannelSecret, PUBLIC_CHANNEL_SECRET } from '../../../firmware-protocol/meshcore/channel-secret.js';
import { mcNativeSettings } from './mc-settings.js';
import { subBandFor } from '../../../lib/lora/regions.js';

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

test("the issue's example parses, and its settings are MeshCore's air format on EU_NARROW", () => {
  const doc = parseYamlConfig(`
lora:
  - name: mc0
    protocol: meshcore
    preset: EU_NARROW
    region: EU_868
    hal: spi
    meshcore:
      role: repeater
      name: Rooftop relay
      channels: [{ name: public }]
      companion: 127.0.0.1:5000
      adminPassword: change-me
      region: null
`);
  const c = parseConfig(doc, {}, HOME);
  assert.equal(c.lora[0], {
    protocol: 'meshcore', preset: 'EU_NARROW', region: 'EU_868', hal: 'spi', pins: {}, name: 'mc0',
    meshcore: { role: 'repeater', name: 'Rooftop relay', channels: [{ name: 'public' }], companion: { host: '127.0.0.1', port: 5000 }, adminPassword: 'change-me', region: null },
  });
  const s = mcNativeSettings(c.lora[0]!);
  assert.equal(s.modulation, {
    frequencyHz: 869_618_000, bandwidthHz: 62_500, spreadingFactor: 8, codingRate: 8, preambleLength: 32, syncWord: 0x12,
    crcOn: true, invertIq: false, explicitHeader: true, txPowerDbm: 22,
  });
  assert.equal(s.channels, [{ index: 0, name: 'Public', secret: PUBLIC_CHANNEL_SECRET }]);
  // Band P of EN 300 220 (10 %): the sub-band a native Meshtastic node and a Lattice radio in EU_868 book too.
  assert.is(subBandFor(s.rules, s.modulation.frequencyHz, s.modulation.bandwidthHz).id, 'eu868-p');
  assert.is(s.floodScope, null);
  assert.is(s.adminPassword, 'change-me');
});

test('defaults: only `protocol: meshcore` is a repeater on EU_NARROW with the public channel and port 5000', () => {
  const l = parseConfig({ lora: [{ protocol: 'meshcore' }] }, {}, HOME).lora[0]!;
  assert.is(l.preset, 'EU_NARROW');
  assert.equal(l.meshcore, { role: 'repeater', channels: [{ name: 'public' }], companion: { host: '127.0.0.1', port: 5000 }, region: null });
  const off = parseConfig({ lora: [{ protocol: 'meshcore', meshcore: { companion: false } }] }, {}, HOME).lora[0]!;
  assert.is(off.meshcore!.companion, undefined);
});

test('US and legacy EU presets, explicit keys over a preset, channels of every kind, guest password', () => {
  const us = mcNativeSettings(parseConfig({ lora: [{ protocol: 'meshcore', preset: 'US', region: 'US' }] }, {}, HOME).lora[0]!);
  assert.equal([us.modulation.frequencyHz, us.modulation.bandwidthHz, us.modulation.spreadingFactor, us.modulation.codingRate, us.modulation.preambleLength], [910_525_000, 62_500, 7, 5, 32]);
  const legacy = mcNativeSettings(parseConfig({ lora: [{ protocol: 'meshcore', preset: 'EU_LEGACY' }] }, {}, HOME).lora[0]!);
  // SF11: the firmware's preamble above SF8 is 16 symbols.
  assert.equal([legacy.modulation.frequencyHz, legacy.modulation.bandwidthHz, legacy.modulation.spreadingFactor, legacy.modulation.preambleLength], [869_525_000, 250_000, 11, 16]);
  const key = '00112233445566778899aabbccddeeff';
  const custom = mcNativeSettings(parseConfig({ lora: [{
    protocol: 'meshcore', preset: 'EU_NARROW', freqHz: 869_432_000, sf: 7, cr: 5,
    meshcore: { channels: ['public', '#hike', { name: 'ops', key }, { name: 'b64', key: Buffer.from(key, 'hex').toString('base64') }], guestPassword: 'guest', adminPassword: 'admin' },
  }] }, {}, HOME).lora[0]!);
  assert.equal([custom.preset, custom.modulation.frequencyHz, custom.modulation.bandwidthHz, custom.modulation.spreadingFactor, custom.modulation.codingRate], ['custom', 869_432_000, 62_500, 7, 5]);
  assert.equal(custom.channels.map((c) => c.name), ['Public', '#hike', 'ops', 'b64']);
  assert.equal(custom.channels[1]!.secret, hashtagChannelSecret('#hike'));
  assert.equal(Buffer.from(custom.channels[2]!.secret).toString('hex'), key);
  assert.equal(custom.channels[3]!.secret, custom.channels[2]!.secret);
  assert.is(custom.guestPassword, 'guest');
});

test('every problem of every entry at once (key errors; then the rules across keys of entries whose keys are valid)', () => {
  const issues = issuesOf({
    lora: [
      {
        protocol: 'meshcore', preset: 'LongFats', region: 'EU_869', sf: 13, cr: 9, bwHz: 100_000, freqHz: 1e9,
        meshcore: {
          role: 'room', name: 'x'.repeat(32), companion: 'localhost:99999', adminPassword: 'p'.repeat(16), region: 'de',
          channels: [{ name: 'ops' }, { name: 'bad', key: 'zz' }, 'public', 'Public'], colour: 'red',
        },
      },
      { protocol: 'meshcore', meshcore: { role: 'companion', adminPassword: 'x' } },
      { protocol: 'meshcore', meshcore: { adminPassword: 'same', guestPassword: 'same' } },
      { protocol: 'meshcore', meshcore: { channels: ['public', 'public'] } },
    ],
  });
  const paths = issues.map(([p]) => p);
  for (const p of [
    'lora[0].preset', 'lora[0].region', 'lora[0].sf', 'lora[0].cr', 'lora[0].bwHz', 'lora[0].freqHz',
    'lora[0].meshcore.role', 'lora[0].meshcore.name', 'lora[0].meshcore.companion', 'lora[0].meshcore.adminPassword',
    'lora[0].meshcore.region', 'lora[0].meshcore.channels[0].key', 'lora[0].meshcore.channels[1].key', 'lora[0].meshcore.colour',
    'lora[1].meshcore.adminPassword', 'lora[2].meshcore.guestPassword', 'lora[3].meshcore.channels[1]',
  ]) assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
  const message = (p: string) => issues.find(([q]) => q === p)![1];
  assert.match(message('lora[0].meshcore.name'), /31 bytes/);
  assert.match(message('lora[0].meshcore.adminPassword'), /15 bytes/);
  assert.not.match(message('lora[0].meshcore.adminPassword'), /pppp/);
  assert.match(message('lora[0].meshcore.channels[0].key'), /required for channel "ops"/);
  assert.match(message('lora[1].meshcore.adminPassword'), /companion takes no remote login/);
  assert.match(message('lora[3].meshcore.channels[1]'), /listed twice/);

  const across = issuesOf({
    lora: [
      { protocol: 'meshcore', meshtastic: { role: 'ROUTER' }, preset: 'LongFast' },
      { protocol: 'meshcore', preset: 'US' },
      { preset: 'EU_NARROW', meshcore: { name: 'x' }, sf: 8 },
      { protocol: 'meshcore', region: 'US', freqHz: 869_618_000 },
    ],
  });
  const at = (p: string) => across.find(([q]) => q === p)?.[1] ?? assert.unreachable(`${p} in ${across.map(([q]) => q).join(', ')}`);
  assert.match(at('lora[0].meshtastic') as string, /only read with protocol: meshtastic/);
  assert.match(at('lora[0].preset') as string, /no MeshCore preset/);
  assert.match(at('lora[1].preset') as string, /outside region EU_868/);
  assert.match(at('lora[2].preset') as string, /MeshCore spelling/);
  assert.match(at('lora[2].meshcore') as string, /only read with protocol: meshcore/);
  assert.ok(at('lora[2].sf'));
  assert.match(at('lora[3].freqHz') as string, /outside region US/);
});

test('companion ports are unique across native nodes; a native MeshCore node is the MeshCore radio of the bridge', () => {
  const issues = issuesOf({
    lora: [
      { name: 'mt0', protocol: 'meshtastic', meshtastic: { api: 5000 } },
      { name: 'mc0', protocol: 'meshcore', meshcore: { companion: '127.0.0.1:5000' } },
    ],
  });
  assert.equal(issues.map(([p]) => p), ['lora[1].meshcore.companion']);
  const c = parseConfig({ lora: [{ name: 'mt0', protocol: 'meshtastic' }, { name: 'mc0', protocol: 'meshcore' }], bridge: { enabled: true, meshcore: 'mc0' } }, {}, HOME);
  assert.is(c.bridge.meshcore, 'mc0');
  assert.equal(issuesOf({ lora: [{ name: 'mt0', protocol: 'meshtastic' }], bridge: { enabled: true } }).map(([p]) => p), ['bridge.enabled']);
});

test.run();
