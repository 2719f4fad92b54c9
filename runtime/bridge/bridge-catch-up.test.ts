/**
 * Foreign text the router stored while the bridge was not listening (a crash between the two, a bridge restarted on
 * its own) is taken at the bridge's next start. The catch-up window is kept in the vault's receive times, so it holds
 * whatever clock the bridge runs on (here one far ahead of the vault's).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLink } from '../../firmware-protocol/meshtastic/sim/memory-link.js';
import { SimDevice as MtDevice } from '../../firmware-protocol/meshtastic/sim/sim-device.js';
import { connectMemoryLink } from '../../firmware-protocol/meshcore/sim/memory-link.js';
import { SimDevice as McDevice } from '../../firmware-protocol/meshcore/sim/sim-device.js';
import { SimMesh as McMesh } from '../../firmware-protocol/meshcore/sim/sim-mesh.js';
import type { BridgeConfig } from '../config/config.js';
import { DEFAULTS } from '../config/defaults.js';
import { generateIdentity } from '../identity/identity.js';
import { createLogger, setLogSink } from '../log/logger.js';
import { Router } from '../router/router.js';
import { waitFor } from '../../lib/testing/wait-for.js';
import { Vault } from '../vault/vault.js';
import { MeshtasticBearer } from '../bearers/meshtastic/meshtastic-bearer.js';
import { MeshCoreGateway } from '../bearers/meshcore/meshcore-gateway.js';
import { Bridge } from './bridge.js';
import { SkipClock } from '../../lib/testing/skip-clock.js';

setLogSink(() => undefined, 'silent');

const BOB = 0x22222222;

test('text stored while the bridge was not listening is taken at its next start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-catch-up-'));
  const t0 = performance.now();
  const mt = new MtDevice({ nodeNum: 0x5eed0201, airtimeMs: 1, ackDelayMs: 1, now: () => t0 + (performance.now() - t0) * 100 });
  mt.start();
  const mc = new McDevice();
  mc.persistent.prefs.nodeName = 'Relay';
  const mcMesh = new McMesh(mc);
  mcMesh.addNode({ name: 'Alice' }).advert();
  const log = createLogger('test');
  const bearers = [
    new MeshtasticBearer({ name: 'meshtastic0', device: 'sim', transport: 'serial', opener: async () => memoryLink(mt), session: { textIntervalMs: 25 } }),
    new MeshCoreGateway({ name: 'meshcore0', open: async () => connectMemoryLink(mc), pollIntervalMs: 0 }),
  ] as const;
  const identity = generateIdentity();
  const vault = new Vault({ path: join(dir, 'vault'), groupCommitMs: 2 });
  await vault.start();
  const router = new Router({ identity, vault, bearers: [...bearers], log, bloomIntervalMs: 3_600_000 });
  await router.start();
  for (const b of bearers) await b.start();
  const settings: BridgeConfig = { ...DEFAULTS.bridge, enabled: true, mappings: [{ meshtastic: 0, meshcore: 'public', direction: 'both' }] };
  // The bridge's clock runs a minute ahead of the vault's.
  const clock = new SkipClock();
  clock.skipped = 60_000;
  const bridge = () => new Bridge({ router, vault, identity, bearers: [...bearers], settings, log, dataDir: dir, clock });
  const heard = () => mcMesh.channelLog.map((m) => m.text);
  let b = bridge();
  try {
    await waitFor('radios up', () => bearers.every((x) => x.radio().link.state === 'up' && x.radio().channels.length > 0));
    await b.start();
    mt.injectText({ from: BOB, channel: 0, text: 'first, while listening' });
    await waitFor('bridged', () => heard().some((t) => t.endsWith('first, while listening')));
    await b.stop();
    // Stored by the router with nobody listening.
    const stored = new Promise<void>((resolve) => {
      const off = router.events.on('received', (e) => { if (e.created) { off(); resolve(); } });
    });
    mt.injectText({ from: BOB, channel: 0, text: 'second, while not listening' });
    await stored;
    b = bridge();
    await b.start();
    await waitFor('taken at start and bridged', () => heard().some((t) => t.endsWith('second, while not listening')));
    assert.equal(heard().filter((t) => t.includes('listening')), ['Relay: MT@Bob Handheld: first, while listening', 'Relay: MT@Bob Handheld: second, while not listening']);
  } finally {
    await b.stop();
    for (const x of [...bearers].reverse()) await x.stop();
    await router.stop();
    await vault.stop();
    mcMesh.stop();
    mc.powerOff();
    mt.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
