/**
 * `lattice run --meshtastic HOST:PORT --meshcore HOST:PORT` end to end, as a user would run it: the real CLI as a
 * process, the two firmware simulators on TCP. The radios come up in /status, bundles addressed to their channels
 * and nodes go out through them, and what the meshes say comes back into the inbox with the sender's name.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshtasticSim, type MeshtasticSim } from '../../firmware-protocol/meshtastic/sim/start-meshtastic-sim.js';
import { startMeshCoreSim, type MeshCoreSim } from '../../firmware-protocol/meshcore/sim/start-sim.js';
import { DEFAULT_SIM_NODES } from '../../firmware-protocol/meshcore/sim/start-sim.js';
import { RelayProcess, eventually, freePort } from './testing/relay-process.js';

let root = '';
let mt: MeshtasticSim;
let mc: MeshCoreSim;
let relay: RelayProcess;

test.before(async () => {
  root = mkdtempSync(join(tmpdir(), 'lattice-companions-'));
  mt = await startMeshtasticSim({ tcpPort: await freePort() });
  mc = await startMeshCoreSim({ tcpPort: await freePort(), nodes: DEFAULT_SIM_NODES });
  relay = new RelayProcess({
    dataDir: join(root, 'relay'),
    extraArgs: ['--meshtastic', `127.0.0.1:${mt.tcpPort}`, '--meshcore', `127.0.0.1:${mc.tcpPort}`],
  });
  await relay.start();
});

test.after(async () => {
  await relay?.stop();
  await mt?.stop();
  await mc?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('both radios come up in /status with their firmware details', async () => {
  const s = await eventually('both radios up', async () => {
    const st = await relay.get('/status');
    const up = (name: string) => st.bearers.find((b: { name: string; state: string }) => b.name === name)?.state === 'up';
    return up('meshtastic0') && up('meshcore0') ? st : undefined;
  });
  const m = s.bearers.find((b: { name: string }) => b.name === 'meshtastic0');
  const c = s.bearers.find((b: { name: string }) => b.name === 'meshcore0');
  assert.ok(JSON.stringify(m.detail).includes('2.7'), 'meshtastic firmware version shown');
  assert.ok(JSON.stringify(c.detail).includes('1.17'), 'meshcore firmware version shown');
  assert.ok(s.peers.some((p: { id: string }) => p.id.startsWith('mt:')), 'meshtastic mesh nodes/channels listed as peers');
  assert.ok(s.peers.some((p: { id: string }) => p.id.startsWith('mc:')), 'meshcore contacts/channels listed as peers');
});

test('a bundle to each mesh channel goes out through its radio', async () => {
  for (const to of ['mt:ch:0', 'mc:ch:0']) {
    const id = await relay.send(to, `hello ${to}`);
    await eventually(`${to} delivered`, async () => ['delivered'].includes((await relay.get(`/bundles/${id}`)).state));
  }
});

test('a DM to a Meshtastic node is answered, and the answer lands in the inbox with the sender name', async () => {
  const id = await relay.send('mt:!11111111', 'ping from the relay');
  await eventually('DM delivered', async () => (await relay.get(`/bundles/${id}`)).state === 'delivered');
  const entry = await eventually('echo in the inbox', async () => {
    const { entries } = await relay.get('/inbox');
    return (entries as { from: string; fromName?: string; text: string }[]).find((e) => e.from === 'mt:!11111111' && e.text.includes('ping from the relay'));
  });
  assert.match(entry.fromName ?? '', /Alice/);
});

test.run();
