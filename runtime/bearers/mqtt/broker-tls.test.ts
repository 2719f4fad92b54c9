/**
 * `tls:` of a broker entry against a real mosquitto with a TLS listener and a certificate from a private CA made
 * here with openssl: with `tls.ca` the gateway's link connects and publishes; without it the certificate is refused
 * (rejectUnauthorized defaults to true) and the link says why; a missing file stops the build naming the key.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { defaultComponents } from '../../components/components.js';
import { parseConfig } from '../../config/parse-config.js';
import { generateIdentity } from '../../identity/identity.js';
import { setLogSink } from '../../log/logger.js';
import type { MqttBearer } from './mqtt-bearer.js';
import { mqttBearers } from './mqtt-from-config.js';
import { startMosquitto } from './testing/mosquitto.js';

setLogSink(() => undefined, 'silent');

function makeCa(dir: string): { ca: string; cert: string; key: string } {
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=lattice test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'));
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('san.ext'), '-out', f('server.pem'));
  // mosquitto started as root drops to its own user: it must be able to read the test's files.
  chmodSync(dir, 0o755);
  for (const n of ['ca.pem', 'server.pem', 'server.key']) chmodSync(f(n), 0o644);
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}

test('tls.ca: the lattice backhaul connects to a broker whose certificate a private CA signed; without it, refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mqtt-tls-'));
  const pki = makeCa(dir);
  const broker = await startMosquitto({ tls: { certfile: pki.cert, keyfile: pki.key } });
  const context = { identity: generateIdentity(), dataDir: dir, bearerNames: [] };
  const bearers: MqttBearer[] = [];
  try {
    const config = parseConfig({ mqtt: [{ url: broker.url, tls: { ca: pki.ca } }, { url: broker.url, name: 'plain' }] }, {}, { home: dir });
    for (const make of (await mqttBearers(config.mqtt, context)).bearers) bearers.push(make(defaultComponents()) as MqttBearer);
    for (const b of bearers) await b.start();
    await waitFor('the backhaul with the CA connects', () => (bearers[0]!.status().detail as { connected: boolean }).connected);
    assert.is((bearers[1]!.status().detail as { connected: boolean }).connected, false, 'an unknown CA is refused');
    const missing = parseConfig({ mqtt: [{ url: broker.url, tls: { ca: join(dir, 'nope.pem') } }] }, {}, { home: dir });
    try {
      await mqttBearers(missing.mqtt, context);
      assert.unreachable('a missing CA file must stop the build');
    } catch (err) {
      assert.match((err as Error).message, /mqtt\[0\]\.tls\.ca: cannot read .*nope\.pem: ENOENT/);
    }
  } finally {
    for (const b of bearers) await b.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
