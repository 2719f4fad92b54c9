import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from './errors.js';
import { parseConfig } from './parse-config.js';
import { configFlagOptions } from './settings.js';
import { parseYamlConfig } from './yaml-config.js';
import { DEFAULTS } from './defaults.js';

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    assert.is((err as Error).name, 'ConfigError');
    return (err as ConfigError).issues;
  }
  assert.unreachable('expected a ConfigError');
  return [];
}

const HOME = { home: '/home/pi', cwd: '/srv' };

test('no file, no env, no flags: defaults, simulated neighbourhood on', () => {
  const c = parseConfig(undefined, {}, HOME);
  assert.equal(c.api, { host: '127.0.0.1', port: 8080 });
  assert.equal(c.metrics, { enabled: true, host: '127.0.0.1', port: 9090, path: '/metrics' });
  // The simulated default stays on this machine (sim-stays-local.test.ts): loopback, no discovery.
  assert.equal(c.ip, { enabled: true, listen: { host: '127.0.0.1', port: 9333 }, peers: [], discovery: false, heartbeatMs: 30000 });
  assert.equal(c.mqtt, []);
  assert.equal(c.vault, { lifetimeDays: 7, onDamage: 'recover' });
  assert.equal(c.shards, {
    enabled: true, cacheBytes: 64 * 1024 * 1024, diskBytes: 1024 ** 3, k: 3, m: 2, lifetimeDays: 30,
    challengeIntervalMs: 60_000, repairIntervalMs: 300_000, offlineGraceMs: 600_000,
  });
  assert.equal(c.log, { level: 'info', format: 'auto' });
  assert.is(c.dataDir, '/home/pi/.local/share/lattice');
  assert.is(c.sim.enabled, true);
  assert.is(c.configFile, undefined);
  // The defaults object itself is never mutated by a parse.
  parseConfig({ ip: { peers: ['a:1'] } }, {}, HOME);
  assert.equal(DEFAULTS.ip.peers, []);
});

test('data directory: balena, XDG, relative paths', () => {
  assert.is(parseConfig(undefined, { BALENA_DEVICE_UUID: 'abc' }, HOME).dataDir, '/data/lattice');
  assert.is(parseConfig(undefined, { XDG_DATA_HOME: '/x' }, HOME).dataDir, '/x/lattice');
  assert.is(parseConfig({ dataDir: 'state' }, {}, HOME).dataDir, '/srv/state');
  assert.is(parseConfig({ dataDir: 'state' }, {}, { ...HOME, configFile: '/etc/lattice/config.yaml' }).dataDir, '/etc/lattice/state');
  assert.is(parseConfig({ dataDir: 'state' }, {}, { ...HOME, configFile: 'conf/lattice.yaml' }).dataDir, '/srv/conf/state');
  assert.is(parseConfig({ dataDir: 'state' }, {}, { ...HOME, configFile: 'x.yaml', flags: { 'data-dir': 'mine' } }).dataDir, '/srv/mine');
  assert.is(parseConfig(undefined, { LATTICE_DATA_DIR: '/var/lib/lattice' }, HOME).dataDir, '/var/lib/lattice');
});

test('several bad keys are all reported at once, with paths', () => {
  const issues = issuesOf(() =>
    parseConfig(
      {
        api: { prot: 8080 },
        ip: { heartbeatMs: 5, peers: ['relay:notaport'] },
        lora: [{ hal: 'spu', txPowerDbm: 30 }],
        meshtastic: [{ name: 'Bad Name' }],
        shards: { cacheBytes: '64 parsecs' },
        log: { level: 'loud' },
      },
      {},
      HOME,
    ),
  );
  const paths = issues.map((i) => i.path);
  assert.equal(paths, [
    'api.prot',
    'ip.peers[0]',
    'ip.heartbeatMs',
    'meshtastic[0].name',
    'meshtastic[0].device',
    'lora[0].hal',
    'lora[0].txPowerDbm',
    'shards.cacheBytes',
    'log.level',
  ].sort((a, b) => paths.indexOf(a) - paths.indexOf(b)));
  assert.is(issues.length, 9);
  assert.ok(issues.find((i) => i.path === 'meshtastic[0].device')!.message.includes('required'));
});

test('ConfigError lines are `path: message`', () => {
  try {
    parseConfig({ api: { port: 0 }, bogus: 1 }, {}, HOME);
    assert.unreachable();
  } catch (err) {
    const lines = (err as ConfigError).lines();
    assert.equal(lines, ['api.port: must be ≥ 1, got 0', 'bogus: unknown key (known: dataDir, api, metrics, ip, mqtt, meshtastic, meshcore, lora, vault, bloom, shards, bridge, power, sim, log)']);
  }
});

test('unknown keys suggest the closest known key', () => {
  const issues = issuesOf(() => parseConfig({ metrcis: {}, ip: { discovry: false }, shards: { K: 3 }, api: { tokn: 'x' } }, {}, HOME));
  assert.equal(issues.map((i) => i.path), ['metrcis', 'ip.discovry', 'shards.K', 'api.tokn']);
  assert.ok(issues[0].message.startsWith('unknown key; did you mean "metrics"?'));
  assert.is(issues[1].message, 'unknown key; did you mean "discovery"?');
  assert.is(issues[2].message, 'unknown key; did you mean "k"?');
  assert.is(issues[3].message, 'unknown key; did you mean "token"?');
});

test('a non-mapping document is one clear issue', () => {
  const issues = issuesOf(() => parseConfig(['a'], {}, HOME));
  assert.is(issues.length, 1);
  assert.is(issues[0].path, '');
});

test('environment variables map onto the config', () => {
  const c = parseConfig(
    undefined,
    {
      LATTICE_DATA_DIR: '/data/x',
      LATTICE_API: '0.0.0.0:8181',
      LATTICE_API_TOKEN: 'abcdefghijklmnop0123',
      LATTICE_METRICS: '0.0.0.0:9100',
      LATTICE_IP_LISTEN: '[::]:9444',
      LATTICE_IP_PEERS: 'relay-a.example.org:9333, 10.0.0.2:9400,relay-c',
      LATTICE_DISCOVERY: 'false',
      LATTICE_MQTT_URL: 'mqtts://broker.example.org',
      LATTICE_MQTT_PREFIX: 'lat',
      LATTICE_MQTT_USERNAME: 'u',
      LATTICE_MQTT_PASSWORD: 'p',
      LATTICE_MESHTASTIC: '/dev/ttyUSB0,tcp://192.168.1.5',
      LATTICE_MESHCORE: 'ble://MeshCore-1',
      LATTICE_LOG_LEVEL: 'info,router=debug',
      LATTICE_LOG_FORMAT: 'json',
      LATTICE_SIM: 'no',
      LATTICE_CONFIG: '/ignored/here.yaml',
      LATTICE_HIL_MESHTASTIC: '/dev/ttyACM0',
      PATH: '/usr/bin',
    },
    HOME,
  );
  assert.is(c.dataDir, '/data/x');
  assert.equal(c.api, { host: '0.0.0.0', port: 8181, token: 'abcdefghijklmnop0123' });
  assert.equal(c.metrics, { enabled: true, host: '0.0.0.0', port: 9100, path: '/metrics' });
  assert.equal(c.ip.listen, { host: '::', port: 9444 });
  assert.equal(c.ip.peers, [{ host: 'relay-a.example.org', port: 9333 }, { host: '10.0.0.2', port: 9400 }, { host: 'relay-c', port: 9333 }]);
  assert.is(c.ip.discovery, false);
  assert.equal(c.mqtt, [{ prefix: 'lat', url: 'mqtts://broker.example.org', username: 'u', password: 'p', name: 'mqtt', role: 'lattice' }]);
  assert.equal(c.meshtastic, [{ device: '/dev/ttyUSB0', name: 'meshtastic0' }, { device: 'tcp://192.168.1.5', name: 'meshtastic1' }]);
  assert.equal(c.meshcore, [{ device: 'ble://MeshCore-1', name: 'meshcore0' }]);
  assert.equal(c.log, { level: 'info,router=debug', format: 'json' });
  assert.is(c.sim.enabled, false);
});

test('LATTICE_METRICS=off, a bare port, and empty variables', () => {
  const c = parseConfig(undefined, { LATTICE_METRICS: 'off', LATTICE_API: '9001', LATTICE_MQTT_URL: '' }, HOME);
  assert.is(c.metrics.enabled, false);
  assert.equal(c.api, { host: '127.0.0.1', port: 9001 });
  assert.equal(c.mqtt, []);
});

test('bad and unknown environment variables are named', () => {
  const issues = issuesOf(() => parseConfig(undefined, { LATTICE_DISCOVER: 'false', LATTICE_SIM: 'maybe', LATTICE_IP_PEERS: 'a:1,b:0', LATTICE_MQTT_URL: 'http://x' }, HOME));
  assert.equal(issues.map((i) => i.path), ['LATTICE_DISCOVER', 'LATTICE_SIM', 'LATTICE_IP_PEERS (ip.peers[1])', 'LATTICE_MQTT_URL (mqtt.url)']);
  assert.ok(issues[0].message.includes('did you mean "LATTICE_DISCOVERY"'));
});

test('precedence: flags > env > file > defaults', () => {
  const file = { api: { host: '127.0.0.2', port: 7000 }, ip: { peers: ['file-peer:1'], heartbeatMs: 10000 }, log: { level: 'warn' } };
  const env = { LATTICE_API: '127.0.0.3:7001', LATTICE_IP_PEERS: 'env-peer:2', LATTICE_LOG_LEVEL: 'debug' };
  const flags = { api: '127.0.0.4:7002', 'log-level': 'trace' };
  const fileOnly = parseConfig(file, {}, HOME);
  assert.equal(fileOnly.api, { host: '127.0.0.2', port: 7000 });
  const withEnv = parseConfig(file, env, HOME);
  assert.equal(withEnv.api, { host: '127.0.0.3', port: 7001 });
  assert.equal(withEnv.ip.peers, [{ host: 'env-peer', port: 2 }]);
  assert.is(withEnv.ip.heartbeatMs, 10000);
  assert.is(withEnv.log.level, 'debug');
  const all = parseConfig(file, env, { ...HOME, flags: { ...flags, 'ip-peer': ['flag-peer:3', 'flag-peer:4'] } });
  assert.equal(all.api, { host: '127.0.0.4', port: 7002 });
  assert.equal(all.ip.peers, [{ host: 'flag-peer', port: 3 }, { host: 'flag-peer', port: 4 }]);
  assert.is(all.log.level, 'trace');
  // A partial override keeps the rest of the lower layer: a bare port keeps the file's host.
  assert.equal(parseConfig(file, {}, { ...HOME, flags: { api: '7005' } }).api, { host: '127.0.0.2', port: 7005 });
});

test('negative flags and their declarations', () => {
  const opts = configFlagOptions();
  assert.equal(opts['no-discovery'], { type: 'boolean' });
  assert.equal(opts['ip-peer'], { type: 'string', multiple: true });
  assert.equal(opts['meshtastic'], { type: 'string', multiple: true });
  assert.equal(opts['api'], { type: 'string' });
  const c = parseConfig({ ip: { discovery: true } }, { LATTICE_SIM: 'true' }, { ...HOME, flags: { 'no-discovery': true, 'no-sim': true } });
  assert.is(c.ip.discovery, false);
  assert.is(c.sim.enabled, false);
});

test('simulated default: off with a file or any bearer, explicit setting wins', () => {
  assert.is(parseConfig({}, {}, { ...HOME, configFile: '/etc/lattice.yaml' }).sim.enabled, false);
  assert.is(parseConfig(undefined, { LATTICE_MESHTASTIC: '/dev/ttyUSB0' }, HOME).sim.enabled, false);
  assert.is(parseConfig(undefined, {}, { ...HOME, flags: { 'ip-peer': ['a:1'] } }).sim.enabled, false);
  assert.is(parseConfig(undefined, {}, { ...HOME, flags: { mqtt: 'mqtt://b' } }).sim.enabled, false);
  assert.is(parseConfig({ sim: true }, {}, { ...HOME, configFile: 'x.yaml' }).sim.enabled, true);
});

test('non-loopback API without a token is refused, with loopback it is fine', () => {
  const issues = issuesOf(() => parseConfig({ api: '0.0.0.0:8080' }, {}, HOME));
  assert.equal(issues.map((i) => i.path), ['api.token']);
  assert.ok(issues[0].message.includes('LATTICE_API_TOKEN'));
  parseConfig({ api: '127.0.0.1:8080' }, {}, HOME);
  parseConfig({ api: '[::1]:8080' }, {}, HOME);
  parseConfig({ api: { host: '0.0.0.0', token: 'x'.repeat(16) } }, {}, HOME);
  assert.equal(issuesOf(() => parseConfig({ api: { token: 'short' } }, {}, HOME)).map((i) => i.path), ['api.token']);
});

test('cross-section checks: duplicate bearer names and devices, metrics port clash, mqtt credentials', () => {
  const issues = issuesOf(() =>
    parseConfig(
      {
        meshtastic: [{ device: '/dev/ttyUSB0', name: 'radio' }],
        meshcore: [{ device: '/dev/ttyUSB0', name: 'radio' }, { device: '/dev/ttyACM0', name: 'ip' }],
        metrics: { port: 8080 },
        mqtt: { username: 'u' },
      },
      {},
      HOME,
    ),
  );
  assert.equal(issues.map((i) => i.path), ['metrics.port', 'mqtt.url', 'meshcore[0].name', 'meshcore[1].name', 'meshcore[0].device']);
});

test('shorthands and byte sizes', () => {
  const c = parseConfig(
    { metrics: false, ip: false, mqtt: 'mqtt://localhost:1883', log: 'debug', meshcore: ['/dev/ttyACM0'], shards: { cacheBytes: '16MiB', diskBytes: '2GB' }, vault: { maxBytes: '512 KiB' }, lora: [{ hal: 'emulated', preset: 'MediumSlow', region: 'US', pins: { reset: 18, busy: 20 } }] },
    {},
    HOME,
  );
  assert.is(c.metrics.enabled, false);
  assert.is(c.ip.enabled, false);
  assert.is(c.mqtt[0]!.url, 'mqtt://localhost:1883');
  assert.is(c.log.level, 'debug');
  assert.is(c.shards.cacheBytes, 16 * 1024 * 1024);
  assert.is(c.shards.diskBytes, 2e9);
  assert.is(c.vault.maxBytes, 512 * 1024);
  assert.equal(c.lora, [{ protocol: 'lattice', preset: 'MediumSlow', region: 'US', hal: 'emulated', pins: { reset: 18, busy: 20 }, name: 'lora0' }]);
  const loraIssues = issuesOf(() => parseConfig({ lora: [{ preset: 'LongFats', region: 'EU868' }] }, {}, HOME));
  assert.equal(loraIssues.map((i) => i.path), ['lora[0].preset', 'lora[0].region']);
  assert.match(loraIssues[0].message, /did you mean "LongFast"\?/);
  assert.match(loraIssues[1].message, /did you mean "EU_868"\?/);
  assert.equal(issuesOf(() => parseConfig({ lora: [{ pins: { dio: 1 } }] }, {}, HOME)).map((i) => [i.path, i.message]), [['lora[0].pins.dio', 'unknown key; did you mean "dio1"?']]);
});

test('companion radio devices: the forms the device openers take', () => {
  const good = ['/dev/ttyUSB0', '/dev/serial/by-id/usb-Heltec-if00', './pty0', 'COM3', 'meshtastic.local', 'meshtastic.local:4403', '192.168.1.30', 'tcp://192.168.1.30:5000', '[fe80::1]:4403', 'ble://AA:BB:CC:DD:EE:FF', 'ble://MeshCore-1'];
  const c = parseConfig({ meshtastic: good.slice(0, 6), meshcore: good.slice(6) }, {}, HOME);
  assert.equal([...c.meshtastic, ...c.meshcore].map((m) => m.device), good);
  const bad = ['ttyUSB0', 'ftp://x', 'tcp://', 'host:99999', ':4403', 'bad host', 'serial:///dev/ttyUSB0'];
  const issues = issuesOf(() => parseConfig({ meshtastic: bad }, {}, HOME));
  assert.equal(issues.map((i) => i.path), bad.map((_, i) => `meshtastic[${i}].device`));
  assert.match(issues[0].message, /give its path, e\.g\. \/dev\/ttyUSB0/);
});

test('YAML syntax errors are issues with line and column', () => {
  try {
    parseYamlConfig('api:\n  port: 1\n  port: 2\nip: [\n', 'lattice.yaml');
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'ConfigError');
    const issues = (err as ConfigError).issues;
    assert.ok(issues.length >= 2);
    assert.ok(issues.every((i) => /^lattice\.yaml:\d+:\d+$/.test(i.path)));
  }
  assert.equal(parseYamlConfig('api:\n  port: 9000\nmeshtastic:\n  - /dev/ttyUSB0\n'), { api: { port: 9000 }, meshtastic: ['/dev/ttyUSB0'] });
  assert.is(parseYamlConfig(''), null);
  assert.equal(parseConfig(parseYamlConfig('# nothing\n'), {}, HOME).api.port, 8080);
});

test('shards: false, LATTICE_SHARDS=off and --no-shards turn the shard store off; bad timers are named', () => {
  assert.is(parseConfig({ shards: false }, {}, HOME).shards.enabled, false);
  assert.is(parseConfig({ shards: false }, {}, HOME).shards.k, 3);
  assert.is(parseConfig(undefined, { LATTICE_SHARDS: 'off' }, HOME).shards.enabled, false);
  assert.is(parseConfig(undefined, {}, { ...HOME, flags: { 'no-shards': true } }).shards.enabled, false);
  assert.is(parseConfig({ shards: { offlineGraceMs: 5000 } }, {}, HOME).shards.offlineGraceMs, 5000);
  try {
    parseConfig({ shards: { repairIntervalMs: 10 } }, {}, HOME);
    assert.unreachable('should throw');
  } catch (err) {
    assert.is((err as Error).name, 'ConfigError');
    assert.ok((err as { issues: { path: string }[] }).issues.some((i) => i.path === 'shards.repairIntervalMs'));
  }
});

test('ip.psk from the file or LATTICE_IP_PSK; a bad one is named and never repeated', () => {
  const psk = 'c0ffee'.repeat(8);
  assert.is(parseConfig({ ip: { psk } }, {}, HOME).ip.psk, psk);
  assert.is(parseConfig(undefined, { LATTICE_IP_PSK: psk }, HOME).ip.psk, psk);
  assert.is(parseConfig(undefined, {}, HOME).ip.psk, undefined);
  for (const bad of ['tooshort-secret', 'with space '.repeat(4), 'tab\tx'.repeat(8), 'é'.repeat(40), 'x'.repeat(300)]) {
    const issues = issuesOf(() => parseConfig(undefined, { LATTICE_IP_PSK: bad }, HOME));
    assert.equal(issues.map((i) => i.path), ['LATTICE_IP_PSK (ip.psk)']);
    assert.not.ok(JSON.stringify(issues).includes(bad.trim().slice(0, 8)), `the message repeats ${bad}`);
  }
  assert.equal(issuesOf(() => parseConfig({ ip: { psk: 12345 } }, {}, HOME)).map((i) => i.message), ['must be a string, got number']);
});

test('vault.onDamage: recover (default) or refuse, from the file or LATTICE_VAULT_ON_DAMAGE', () => {
  assert.is(parseConfig({ vault: { onDamage: 'refuse' } }, {}, HOME).vault.onDamage, 'refuse');
  assert.is(parseConfig(undefined, { LATTICE_VAULT_ON_DAMAGE: 'refuse' }, HOME).vault.onDamage, 'refuse');
  const issues = issuesOf(() => parseConfig({ vault: { onDamage: 'ignore' } }, { LATTICE_VAULT_ON_DAMAGE: 'refuze' }, HOME));
  assert.equal(issues.map((i) => i.path), ['vault.onDamage', 'LATTICE_VAULT_ON_DAMAGE (vault.onDamage)']);
  assert.match(issues[1]!.message, /must be one of recover, refuse, got "refuze"; did you mean "refuse"\?/);
});

test('a YAML alias bomb is one `file: message` issue, not a stack trace', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdef'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`)].join('\n');
  const issues = issuesOf(() => parseYamlConfig(bomb, 'bomb.yaml'));
  assert.is(issues.length, 1);
  assert.is(issues[0]!.path, 'bomb.yaml');
  assert.match(issues[0]!.message, /aliases/);
});

test('addresses are validated where they are parsed: impossible IPv4, numeric hosts, NUL bytes', () => {
  const cases: [unknown, NodeJS.ProcessEnv, string, RegExp][] = [
    [undefined, { LATTICE_IP_LISTEN: '300.1.1.1:9333' }, 'LATTICE_IP_LISTEN (ip.listen)', /"300\.1\.1\.1" is not a valid IPv4 address/],
    [undefined, { LATTICE_IP_PEERS: '10.0.0.1,1.2.3.4.5' }, 'LATTICE_IP_PEERS (ip.peers[1])', /"1\.2\.3\.4\.5" is not a valid IPv4 address/],
    [{ ip: { peers: ['1234:9333'] } }, {}, 'ip.peers[0]', /"1234" is not a valid IPv4 address/],
    [{ ip: { listen: { host: 'a\0b', port: 9333 } } }, {}, 'ip.listen.host', /NUL/],
    [{ ip: { peers: [{ host: '256.0.0.1', port: 9333 }] } }, {}, 'ip.peers[0].host', /IPv4/],
    [{ api: { host: 'a\0b' } }, {}, 'api.host', /NUL/],
    [{ metrics: { host: '999.1.1.1' } }, {}, 'metrics.host', /IPv4/],
    [{ dataDir: '/var/lib/a\0b' }, {}, 'dataDir', /NUL/],
    [{ meshtastic: ['/dev/ttyUSB0\0'] }, {}, 'meshtastic[0].device', /NUL/],
    [{ meshtastic: ['300.1.1.1:4403'] }, {}, 'meshtastic[0].device', /IPv4/],
  ];
  for (const [input, env, path, message] of cases) {
    const issues = issuesOf(() => parseConfig(input, env, HOME));
    const hit = issues.find((i) => i.path === path);
    assert.ok(hit, `${path}: ${JSON.stringify(issues)}`);
    assert.match(hit!.message, message);
    assert.not.match(hit!.message, /\0/, 'a NUL byte is never echoed raw');
  }
  // Still fine: hostnames with digits, IPv6, bracketed IPv6 for the API, 0.0.0.0.
  const c = parseConfig({ api: { host: '::1' }, metrics: { host: '[::1]' }, ip: { listen: '0.0.0.0:9333', peers: ['relay-2.lan', '10.0.0.7:9400', '[fe80::1]:9333', '1host:1'] } }, {}, HOME);
  assert.is(c.api.host, '::1');
  assert.is(c.metrics.host, '::1');
  assert.equal(c.ip.peers.map((p) => p.host), ['relay-2.lan', '10.0.0.7', 'fe80::1', '1host']);
});

test('secrets are never echoed in issues: an invalid token, password or broker URL', () => {
  const token = 'secret token with spaces!!';
  for (const [input, env] of [
    [undefined, { LATTICE_API_TOKEN: token }],
    [{ api: { token } }, {}],
    [{ api: { token: 12345678901234567890 } }, {}],
    [{ mqtt: { url: 'mqtt://user:pw123secret@bad host:1883' } }, {}],
    [{ mqtt: { url: 'http://user:pw123secret@broker' } }, {}],
    [{ mqtt: { url: 'mqtt://broker', password: 12345 } }, {}],
  ] as [unknown, NodeJS.ProcessEnv][]) {
    const issues = issuesOf(() => parseConfig(input, env, HOME));
    const text = issues.map((i) => `${i.path}: ${i.message}`).join('\n');
    assert.ok(issues.length > 0);
    assert.not.match(text, /secret token|pw123secret|12345/, text);
  }
});

test.run();
