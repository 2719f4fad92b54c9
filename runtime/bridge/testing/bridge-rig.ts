/**
 * Test rig for the bridge end to end: a relay (the real Daemon, in process) whose Meshtastic and MeshCore
 * companion radios are the two firmware simulators on real PTYs (socat), each with its simulated mesh of users.
 * Tests talk as those users (a Meshtastic node's channel text or DM, a MeshCore node's channel text or DM) and read
 * what the users heard.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshtasticSim, type MeshtasticSim } from '../../../firmware-protocol/meshtastic/sim/start-meshtastic-sim.js';
import { DEFAULT_SIM_NODES, startMeshCoreSim, type MeshCoreSim } from '../../../firmware-protocol/meshcore/sim/start-sim.js';
import { parseConfig } from '../../config/parse-config.js';
import type { Config } from '../../config/config.js';
import { Daemon, type DaemonOptions } from '../../daemon/daemon.js';
import { isRadioGateway, type MeshKind } from '../../bearer/radio-gateway.js';
import { freePort } from '../../daemon/testing/relay-process.js';
import type { Clock } from '../../../lib/clock/clock.js';

export interface RigRelay {
  config: Config;
  daemon: Daemon;
  mt: MeshtasticSim;
  mc: MeshCoreSim;
}

/** `clock`: the relay's (a SkipClock), so that the simulated Meshtastic radio's rate limit sees the paces the gateway
 * skipped (its airtime and ACK delays stay real). */
export async function startRadios(name: string, mtNodeNum: number, clock?: Clock): Promise<{ mt: MeshtasticSim; mc: MeshCoreSim }> {
  const mt = await startMeshtasticSim({ pty: true, nodeNum: mtNodeNum, longName: `${name} MT`, ...(clock ? { now: () => clock.now() } : {}) });
  // The MeshCore simulator on a fast setting (SF7 / 500 kHz): its users' DMs, ACKs and repeated floods take tens of
  // milliseconds on its air instead of most of a second; what the bridge does with them does not depend on it.
  const mc = await startMeshCoreSim({ pty: true, nodes: DEFAULT_SIM_NODES, nodeName: `${name}-mc`, radio: { bwHz: 500_000, sf: 7, cr: 5 } });
  return { mt, mc };
}

/** A relay config using both simulators' PTYs and a bridge with the given overrides. */
export async function relayConfig(dataDir: string, mt: MeshtasticSim, mc: MeshCoreSim, bridge: Record<string, unknown>): Promise<Config> {
  return parseConfig({
    dataDir,
    api: { host: '127.0.0.1', port: await freePort() },
    metrics: false,
    ip: false,
    sim: false,
    meshtastic: [mt.ptyPath],
    meshcore: [mc.ptyPath],
    bridge: { enabled: true, mappings: [{ meshtastic: 0, meshcore: 'public' }], ...bridge },
    log: { level: 'warn' },
  });
}

export async function startRelay(config: Config, options: DaemonOptions = {}): Promise<Daemon> {
  const d = new Daemon(config, options);
  await d.start();
  return d;
}

/** Whether the relay's radio of that mesh is up (its typed view). */
export function bearerUp(d: Daemon, mesh: MeshKind): boolean {
  return d.bearers.some((b) => isRadioGateway(b) && b.mesh === mesh && b.radio().link.state === 'up');
}

export function tempRoot(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export { waitFor as until } from '../../../lib/testing/wait-for.js';
export { SkipClock } from '../../../lib/testing/skip-clock.js';
