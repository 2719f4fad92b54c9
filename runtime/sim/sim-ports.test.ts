/**
 * The simulated default's client ports (Meshtastic client API 4403, MeshCore companion 5000) when another process
 * takes them between the moment the sim builds its node and the moment the node binds: what happens when two relays
 * run the simulated default at once (parallel test files). The node must come up on a port the system picks instead
 * of dying with EADDRINUSE (it did: the sim probed the port, then bound it later).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultComponents } from '../components/components.js';
import { createLogger } from '../log/logger.js';
import { SimNativeMesh } from './sim-native-mesh.js';
import { SimNativeMeshCore } from './sim-native-meshcore.js';

/** Holds 127.0.0.1:`port` as another relay would; undefined when another process holds it already (just as good). */
async function hold(port: number): Promise<Server | undefined> {
  const s = createServer();
  return new Promise((resolve, reject) => {
    s.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err)));
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

async function taken(port: number): Promise<boolean> {
  const s = await hold(port);
  if (!s) return true;
  await new Promise((r) => s.close(r));
  return false;
}

test('Meshtastic client API: 4403 taken after the sim built its node → the node comes up on another port', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lattice-sim-ports-'));
  const sim = new SimNativeMesh({ dataDir: root, log: createLogger('sim') });
  const main = await sim.mainBearer(defaultComponents());
  const other = await hold(4403);
  try {
    await main.start();
    assert.ok(main.apiPort, 'listening');
    assert.is.not(main.apiPort, 4403);
    assert.ok(await taken(main.apiPort!), 'the reported port is the one it listens on');
  } finally {
    await main.stop().catch(() => undefined);
    await sim.stop();
    await sim.close();
    await new Promise((r) => (other ? other.close(r) : r(undefined)));
    rmSync(root, { recursive: true, force: true });
  }
});

test('MeshCore companion: 5000 taken after the sim built its node → the node comes up on another port', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lattice-sim-ports-'));
  const sim = new SimNativeMeshCore({ dataDir: root, log: createLogger('sim') });
  const main = await sim.mainBearer(defaultComponents());
  const other = await hold(5000);
  try {
    await main.start();
    assert.ok(main.companionPort, 'listening');
    assert.is.not(main.companionPort, 5000);
    assert.ok(await taken(main.companionPort!), 'the reported port is the one it listens on');
  } finally {
    await main.stop().catch(() => undefined);
    await sim.stop();
    await sim.close();
    await new Promise((r) => (other ? other.close(r) : r(undefined)));
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
