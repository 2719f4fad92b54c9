/**
 * `lattice sim meshcore --pty | --tcp [PORT] [--name NAME] [--traffic SECONDS] [--queue N]`: argument handling and
 * the lines to print, for the CLI to call (the CLI owns stdout; this only returns text through `print`).
 */
import { DEFAULT_SIM_NODES, startMeshCoreSim, type MeshCoreSim } from './start-sim.js';
import { SimUsageError } from './errors.js';

export { SimUsageError };

export const SIM_MESHCORE_USAGE =
  'usage: lattice sim meshcore (--pty | --tcp [PORT]) [--host ADDRESS] [--name NAME] [--traffic SECONDS] [--queue N]';

export interface SimCliOptions {
  pty: boolean;
  tcpPort?: number;
  /** Where the TCP port listens: loopback unless asked (as the Meshtastic simulator). */
  host: string;
  name: string;
  trafficSeconds: number;
  offlineQueueSize: number;
}

export function parseSimMeshCoreArgs(argv: string[]): SimCliOptions {
  const o: SimCliOptions = { pty: false, host: '127.0.0.1', name: 'SimRadio', trafficSeconds: 0, offlineQueueSize: 16 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new SimUsageError(`${a} needs a value\n${SIM_MESHCORE_USAGE}`);
      return v;
    };
    if (a === '--pty') o.pty = true;
    else if (a === '--tcp') {
      const next = argv[i + 1];
      o.tcpPort = next !== undefined && /^\d+$/.test(next) ? Number(argv[++i]) : 5000;
      if (o.tcpPort > 65535) throw new SimUsageError(`port ${o.tcpPort} out of range`);
    } else if (a === '--host') o.host = value();
    else if (a === '--name') o.name = value();
    else if (a === '--traffic') o.trafficSeconds = Number(value());
    else if (a === '--queue') o.offlineQueueSize = Number(value());
    else throw new SimUsageError(`unknown option ${a}\n${SIM_MESHCORE_USAGE}`);
  }
  if (!o.pty && o.tcpPort === undefined) throw new SimUsageError(`give --pty or --tcp\n${SIM_MESHCORE_USAGE}`);
  if (!(o.trafficSeconds >= 0) || !(o.offlineQueueSize >= 1)) throw new SimUsageError(`bad --traffic or --queue\n${SIM_MESHCORE_USAGE}`);
  if (Buffer.byteLength(o.name) > 31) throw new SimUsageError('--name is at most 31 bytes (the firmware node_name)');
  return o;
}

/** Starts the simulator and reports where to connect through `print`. Stop it with the returned sim.stop(). */
export async function runSimMeshCore(argv: string[], print: (line: string) => void, signal?: AbortSignal): Promise<MeshCoreSim> {
  const o = parseSimMeshCoreArgs(argv);
  const sim = await startMeshCoreSim({
    pty: o.pty, tcpPort: o.tcpPort, tcpHost: o.host, nodeName: o.name, nodes: DEFAULT_SIM_NODES,
    device: { offlineQueueSize: o.offlineQueueSize }, trafficIntervalMs: o.trafficSeconds * 1000, signal,
  });
  print(`MeshCore companion simulator "${o.name}" (firmware ${sim.device.config.firmwareVersion}, key ${Buffer.from(sim.device.publicKey).toString('hex')})`);
  if (sim.ptyPath) print(`serial: ${sim.ptyPath}`);
  if (sim.tcpPort !== undefined) print(`tcp: ${sim.tcpPort}${o.host === '127.0.0.1' ? '' : ` on ${o.host}`}`);
  print(`mesh: ${sim.mesh.nodes.map((n) => n.name).join(', ')}${o.trafficSeconds ? `; Public channel traffic every ${o.trafficSeconds} s` : ''}`);
  return sim;
}
