/**
 * What `lattice sim meshtastic --pty | --tcp PORT` runs: starts the simulated radio, prints where to connect, logs
 * what the relay sends on air and what the mesh says (a node chats on the primary channel every
 * `trafficIntervalMs`; Alice echoes DMs), and stops cleanly when `signal` aborts (Ctrl-C).
 */
import { startMeshtasticSim, type MeshtasticSim, type MeshtasticSimOptions } from './start-meshtastic-sim.js';

export interface SimCommandOptions extends MeshtasticSimOptions {
  /** Writes one line for the user (the CLI passes a stdout writer). */
  print: (line: string) => void;
  signal: AbortSignal;
  /** Also print the simulated firmware's debug lines. */
  verbose?: boolean;
}

/** Runs until `signal` aborts; resolves after the simulator stopped. `onStarted` sees the running simulator. */
export async function runMeshtasticSimCommand(options: SimCommandOptions, onStarted?: (sim: MeshtasticSim) => void): Promise<void> {
  const { print, signal, verbose, ...simOptions } = options;
  const sim = await startMeshtasticSim({
    trafficIntervalMs: 45_000,
    // Several apps at once, like the native node; `tcpClients: 'one'` gives the firmware's single client.
    tcpClients: 'many',
    ...simOptions,
    log: (line) => {
      if (verbose || line.startsWith('air:') || line.includes('TCP connection') || line.includes('unplugged')) print(line);
    },
  });
  for (const line of sim.banner()) print(line);
  print('nodes: ' + [...sim.device.mesh.nodes.values()].map((n) => `${n.longName} !${n.num.toString(16).padStart(8, '0')}${n.online ? '' : ' (offline)'}${n.publicKey ? '' : ' (no key)'}`).join(', '));
  onStarted?.(sim);
  if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await sim.stop();
  print('simulator stopped');
}
