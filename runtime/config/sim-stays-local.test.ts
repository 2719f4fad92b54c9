/**
 * `lattice run` with no config runs the simulated default, a demo: it must stay on this machine (no LAN discovery
 * broadcasts, the IP bearer on loopback) unless the user asks for the LAN.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IpBearer } from '../bearers/ip/ip-bearer.js';
import { generateIdentity } from '../identity/identity.js';
import { createMetrics } from '../metrics/metrics.js';
import { parseConfig } from './parse-config.js';

test('the simulated default: discovery off, IP on loopback', () => {
  const c = parseConfig({}, {});
  assert.ok(c.sim.enabled);
  assert.is(c.ip.discovery, false);
  assert.equal(c.ip.listen, { host: '127.0.0.1', port: 9333 });
  // A port alone (as tests and a second demo on one machine give) keeps loopback.
  assert.equal(parseConfig({}, {}, { flags: { 'ip-listen': '9400' } }).ip.listen, { host: '127.0.0.1', port: 9400 });
});

test('the user asks for the LAN: discovery or a listen host is honoured', () => {
  let c = parseConfig({}, { LATTICE_DISCOVERY: 'true' });
  assert.ok(c.sim.enabled);
  assert.is(c.ip.discovery, true);
  assert.is(c.ip.listen.host, '127.0.0.1', 'discovery alone does not open the listener');
  c = parseConfig({}, {}, { flags: { 'ip-listen': '0.0.0.0:9333' } });
  assert.equal([c.sim.enabled, c.ip.listen.host, c.ip.discovery], [true, '0.0.0.0', false]);
  c = parseConfig({ sim: true, ip: { peers: ['relay.lan:9333'], discovery: true } }, {});
  assert.equal([c.sim.enabled, c.ip.listen.host, c.ip.discovery], [true, '0.0.0.0', true]);
});

test('a real relay (a config file, a bearer, or --no-sim) keeps the LAN defaults', () => {
  for (const c of [
    parseConfig({ dataDir: '/tmp/x' }, {}, { configFile: '/etc/lattice.yaml' }),
    parseConfig({}, {}, { flags: { 'no-sim': true } }),
    parseConfig({}, {}, { flags: { meshtastic: ['/dev/ttyUSB0'] } }),
  ]) {
    assert.is(c.sim.enabled, false);
    assert.is(c.ip.discovery, true);
    assert.is(c.ip.listen.host, '0.0.0.0');
  }
});

test('the IP bearer built from the simulated default neither broadcasts nor listens beyond loopback', () => {
  const c = parseConfig({}, {});
  const bearer = new IpBearer({ identity: generateIdentity(), listen: c.ip.listen, staticPeers: [], discovery: c.ip.discovery, metrics: createMetrics({ defaultMetrics: false }) });
  const detail = bearer.status().detail as { discovery: boolean; listen: { host: string } };
  assert.is(detail.discovery, false);
  assert.is(detail.listen.host, '127.0.0.1');
});

test.run();
