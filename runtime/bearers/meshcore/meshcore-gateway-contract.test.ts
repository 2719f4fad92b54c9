/**
 * The Bearer contract suite on the MeshCore gateway, driving the simulated companion radio (SimDevice and its
 * mesh) over the in-memory link. MeshCore-specific behaviour (handshake, DM retries, link drops, reboots, garbage
 * on the line) is the gateway suite's (testing/gateway-suite.ts), over a PTY and TCP.
 */
import { connectMemoryLink } from '../../../firmware-protocol/meshcore/sim/memory-link.js';
import { SimDevice } from '../../../firmware-protocol/meshcore/sim/sim-device.js';
import { SimMesh } from '../../../firmware-protocol/meshcore/sim/sim-mesh.js';
import type { ByteLink } from '../../../firmware-protocol/framing/byte-link.js';
import { bearerSuite } from '../../bearer/testing/bearer-suite.js';
import { startMeshCoreSim } from '../../../firmware-protocol/meshcore/sim/start-sim.js';
import { meshCoreOpener } from './device-opener.js';
import { MeshCoreGateway } from './meshcore-gateway.js';

bearerSuite('meshcore gateway on the simulated companion radio', { carries: 'foreign', acks: false }, async () => {
  const device = new SimDevice();
  // A fast preset keeps the radio's timeouts short; 'Roof' prefixes what it sends on channels.
  Object.assign(device.persistent.prefs, { bwHz: 500000, sf: 7, cr: 5, nodeName: 'Roof' });
  const mesh = new SimMesh(device);
  const alice = mesh.addNode({ name: 'Alice' });
  alice.advert();
  const links: ByteLink[] = [];
  const bearer = new MeshCoreGateway({
    name: 'meshcore0', pollIntervalMs: 0, reconnect: { initialMs: 50, maxMs: 200 },
    open: async () => {
      const link = connectMemoryLink(device);
      links.push(link);
      return link;
    },
  });
  return {
    carries: 'foreign', bearer, peer: 'mc:ch:0', unknownPeer: `mc:${'ab'.repeat(32)}`,
    heard: () => mesh.channelLog.map((m) => m.text),
    say: (text) => void alice.sendChannel('Public', text),
    holdsIo: () => links.some((l) => l.isOpen),
    close: async () => mesh.stop(),
  };
}).run();

bearerSuite('meshcore gateway on the simulated companion radio over TCP', { carries: 'foreign', acks: false }, async () => {
  const sim = await startMeshCoreSim({ tcpPort: 0, nodes: [{ name: 'Alice', hops: 1 }], radio: { bwHz: 500000, sf: 7, cr: 5 }, nodeName: 'Roof' });
  const open = meshCoreOpener(`127.0.0.1:${sim.tcpPort}`);
  const links: ByteLink[] = [];
  const bearer = new MeshCoreGateway({
    name: 'meshcore0', pollIntervalMs: 0, reconnect: { initialMs: 50, maxMs: 200 },
    open: async (options) => {
      const link = await open(options);
      links.push(link);
      return link;
    },
  });
  return {
    carries: 'foreign', bearer, peer: 'mc:ch:0', unknownPeer: `mc:${'ab'.repeat(32)}`,
    heard: () => sim.mesh.channelLog.map((m) => m.text),
    say: (text) => void sim.mesh.node('Alice').sendChannel('Public', text),
    holdsIo: () => links.some((l) => l.isOpen),
    close: () => sim.stop(),
  };
}).run();
