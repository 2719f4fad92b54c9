import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from 'node:net';
import { runMeshtasticSimCommand } from './sim-command.js';
import type { MeshtasticSim } from './start-meshtastic-sim.js';
import { waitFor } from '../../../lib/testing/wait-for.js';

test('sim command prints where to connect, serves TCP and a PTY, and stops on abort', async () => {
  const lines: string[] = [];
  const ac = new AbortController();
  let sim: MeshtasticSim | undefined;
  const done = runMeshtasticSimCommand({ pty: true, tcpPort: 0, print: (l) => lines.push(l), signal: ac.signal }, (s) => (sim = s));
  await waitFor('the simulator to start', () => sim);
  assert.ok(sim, 'started');
  assert.ok(lines.some((l) => l.includes(sim!.ptyPath!)), 'PTY path printed');
  assert.ok(lines.some((l) => l.includes(`127.0.0.1:${sim!.tcpPort}`)), 'TCP port printed');
  const socket = connect({ host: '127.0.0.1', port: sim!.tcpPort! });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  socket.destroy();
  ac.abort();
  await done;
  assert.is(lines.at(-1), 'simulator stopped');
});

test.run();
