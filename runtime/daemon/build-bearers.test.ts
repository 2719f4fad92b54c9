/**
 * The composition root builds every configured bearer kind from the registry (runtime/bearers/bearer-kinds.ts) with
 * the relay's components, and the IP bearer announces all of them (the `bearers` capability list the daemon's own
 * mapping used to drop).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../lib/testing/wait-for.js';
import { IpBearer } from '../bearers/ip/ip-bearer.js';
import { defaultComponents } from '../components/components.js';
import { parseConfig } from '../config/parse-config.js';
import { generateIdentity } from '../identity/identity.js';
import { createLogger, setLogSink } from '../log/logger.js';
import { createMetrics } from '../metrics/metrics.js';
import { buildBearers } from './build-bearers.js';
import { freePort } from './testing/relay-process.js';

setLogSink(() => undefined, 'silent');

async function config(dir: string) {
  return parseConfig({
    dataDir: dir,
    ip: { listen: `127.0.0.1:${await freePort()}`, discovery: false },
    // Built, never started: nothing listens there.
    mqtt: { url: 'mqtt://127.0.0.1:1' },
    meshtastic: ['/dev/ttyUSB9'],
    meshcore: [{ device: '127.0.0.1:1', name: 'roof' }],
    log: { level: 'warn' },
  });
}

test('every configured kind is built in the registry order, with the relay\'s metrics and loggers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'build-bearers-'));
  try {
    const metrics = createMetrics({ defaultMetrics: false });
    const loggers: string[] = [];
    const components = defaultComponents({ metrics, logger: { forComponent: (name) => (loggers.push(name), createLogger(name)) } });
    const built = await buildBearers(await config(dir), generateIdentity(), components);
    assert.equal(built.bearers.map((b) => b.name), ['ip', 'mqtt', 'meshtastic0', 'roof']);
    assert.equal(built.bearers.map((b) => b.status().state), ['stopped', 'stopped', 'stopped', 'stopped'], 'built, not started');
    assert.equal(loggers, ['ip', 'mqtt', 'meshtastic0', 'roof']);
    // Each kind registered its own metrics on the relay's Metrics.
    for (const name of ['lattice_ip_peers', 'lattice_meshtastic_link_up', 'lattice_meshcore_link_up']) assert.ok(await metrics.read(name), name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the IP bearer tells its peers every bearer the relay runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'build-bearers-'));
  const identity = generateIdentity();
  const c = await config(dir);
  const ip = (await buildBearers(c, identity, defaultComponents())).bearers.find((b) => b.name === 'ip')!;
  await ip.start();
  const other = new IpBearer({ identity: generateIdentity(), listen: { host: '127.0.0.1', port: 0 }, staticPeers: [`127.0.0.1:${c.ip.listen.port}`], discovery: false });
  await other.start();
  try {
    type PeerDetail = { nodeId: string; bearers?: string[] };
    const announced = () => (other.status().detail as { peers: PeerDetail[] }).peers.find((p) => p.nodeId === identity.nodeIdHex)?.bearers;
    await waitFor('a HELLO from the relay', () => announced(), 15_000);
    assert.equal(announced(), ['ip', 'mqtt', 'meshtastic0', 'roof']);
  } finally {
    await other.stop();
    await ip.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a radio that cannot be opened fails the build with its reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'build-bearers-'));
  try {
    const c = parseConfig({ dataDir: dir, ip: false, lora: [{ hal: 'serial', device: '/nonexistent/tty-lora' }], log: { level: 'warn' } });
    await buildBearers(c, generateIdentity(), defaultComponents()).then(
      () => assert.unreachable('built without its radio'),
      (err: Error) => assert.match(err.message, /tty-lora/),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an MQTT gateway built before its radio finds it by name at start, and shows its gateway id in status', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'build-bearers-gw-'));
  const { startAirServer } = await import('../../drivers/sx126x/sim/air-server.js');
  const { startMosquitto } = await import('../bearers/mqtt/testing/mosquitto.js');
  const air = await startAirServer({ host: '127.0.0.1', port: 0 });
  const broker = await startMosquitto();
  const built = await buildBearers(parseConfig({
    dataDir: dir,
    ip: false,
    lora: [{ name: 'mt0', protocol: 'meshtastic', preset: 'ShortFast', region: 'EU_868', hal: 'sim', air: `127.0.0.1:${air.port}`, meshtastic: { api: false } }],
    mqtt: [{ role: 'meshtastic', radio: 'mt0', url: broker.url, uplink: true }],
  }), generateIdentity(), defaultComponents());
  try {
    assert.equal(built.bearers.map((b) => b.name), ['mqtt0', 'mt0'], 'the mqtt kind first, as the registry orders it');
    for (const b of built.bearers) await b.start();
    const gw = built.bearers[0]!;
    const detail = await waitFor('the gateway connected', () => {
      const d = gw.status().detail as { connected: boolean; gatewayId?: string };
      return d.connected ? d : undefined;
    });
    const num = (built.bearers[1] as unknown as { radio(): { self?: { nodeNum?: number } } }).radio().self!.nodeNum!;
    assert.is(detail.gatewayId, `!${num.toString(16).padStart(8, '0')}`);
  } finally {
    for (const b of [...built.bearers].reverse()) await b.stop();
    for (const c of built.cleanups) await c();
    await broker.stop();
    await air.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
