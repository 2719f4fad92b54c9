/** The session contract suite against the simulated radio over a real PTY (serialport) and over TCP. */
import { suite } from 'uvu';
import { startMeshtasticSim, type MeshtasticSim } from '../../../firmware-protocol/meshtastic/sim/start-meshtastic-sim.js';
import { registerSessionSuite } from '../../../firmware-protocol/meshtastic/testing/session-suite.js';
import { meshtasticOpener } from './device-opener.js';
import { SkipClock } from '../../../lib/testing/skip-clock.js';

let sim: MeshtasticSim;
// The sessions' text pacing skips; the simulated radio's rate limit reads the same clock and sees it kept.
const clock = new SkipClock();

const pty = suite('session suite over a PTY');
pty.before(async () => {
  sim = await startMeshtasticSim({ pty: true, tcpPort: 0, seed: 5, now: () => clock.now() });
});
registerSessionSuite(pty, {
  open: () => meshtasticOpener(sim.ptyPath!)(),
  sim: () => sim.device,
  transmit: true,
  channel: 0,
  clock,
});
pty.run();

const tcp = suite('session suite over TCP');
registerSessionSuite(tcp, {
  open: () => meshtasticOpener(`127.0.0.1:${sim.tcpPort}`)(),
  sim: () => sim.device,
  transmit: true,
  channel: 1,
  clock,
});
tcp.after(async () => {
  await sim.stop();
});
tcp.run();
