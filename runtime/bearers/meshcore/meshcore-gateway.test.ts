/** The gateway contract suite against the simulator over a real PTY (SerialLink) and over TCP (TcpLink). */
import { startMeshCoreSim } from '../../../firmware-protocol/meshcore/sim/start-sim.js';
import { meshCoreGatewaySuite } from './testing/gateway-suite.js';
import { meshCoreOpener } from './device-opener.js';

const NODES = [{ name: 'Alice', hops: 2 }, { name: 'Bob', hops: 1 }];
// A fast preset keeps the radio's est_timeout (and so the retry timing) short.
const RADIO = { bwHz: 500000, sf: 7, cr: 5 };

meshCoreGatewaySuite('meshcore gateway over TCP', async () => {
  const sim = await startMeshCoreSim({ tcpPort: 0, nodes: NODES, radio: RADIO, nodeName: 'Roof' });
  return { sim, open: meshCoreOpener(`127.0.0.1:${sim.tcpPort}`), stop: () => sim.stop() };
}).run();

meshCoreGatewaySuite('meshcore gateway over a PTY', async () => {
  // A build with 8 channel slots (MAX_GROUP_CHANNELS is a build option): every case's handshake reads each slot, and
  // the 40-slot default build's handshake is covered over TCP above; 32 fewer reads per case here.
  const sim = await startMeshCoreSim({ pty: true, nodes: NODES, radio: RADIO, nodeName: 'Roof', device: { maxChannels: 8 } });
  return { sim, open: meshCoreOpener(sim.ptyPath!), stop: () => sim.stop() };
  // A PTY whose far end closes while the line is idle is not always reported by serialport's poller (a USB unplug
  // is: the device node goes away); the keepalive poll is what notices it then, as it would a hung radio. Every
  // 0.5 s: at 2 s a drop the poller missed held the link-drop cases up to 2 s longer (a GET_BATT is a few bytes).
}, { pollIntervalMs: 500 }).run();
