/**
 * The RadioGateway contract suite on the MeshCore gateway, against the simulated companion radio over TCP (the Wi-Fi
 * companion's port serves one client: another one displaces the gateway).
 */
import { startMeshCoreSim } from '../../../firmware-protocol/meshcore/sim/start-sim.js';
import { toHex } from '../../../firmware-protocol/meshcore/bytes.js';
import { radioGatewaySuite } from '../../bearer/testing/radio-gateway-suite.js';
import { meshCoreOpener } from './device-opener.js';
import { MeshCoreGateway } from './meshcore-gateway.js';

radioGatewaySuite('meshcore gateway on the simulated companion radio over TCP', async () => {
  // A fast preset keeps the radio's timeouts short; 'Roof' prefixes what it sends on channels.
  const sim = await startMeshCoreSim({ tcpPort: 0, nodes: [{ name: 'Alice', hops: 1 }], radio: { bwHz: 500000, sf: 7, cr: 5 }, nodeName: 'Roof', tcpSingleClient: true });
  const alice = sim.mesh.node('Alice');
  const gateway = new MeshCoreGateway({
    name: 'meshcore0', open: meshCoreOpener(`127.0.0.1:${sim.tcpPort}`), pollIntervalMs: 0,
    reconnect: { initialMs: 50, maxMs: 200 }, displacement: { initialMs: 300, maxMs: 1000 },
    dmRetry: { minAckWaitMs: 300, ackWaitFactor: 0.5, backoffBaseMs: 100, backoffMaxMs: 1000 },
  });
  return {
    gateway,
    self: { address: `mc:${toHex(sim.device.publicKey)}`, name: 'Roof' },
    channel: { index: 0, name: 'Public' },
    node: { address: `mc:${alice.hex}`, name: 'Alice' },
    unknownNode: `mc:${'ab'.repeat(32)}`,
    foreignAddress: 'mt:ch:0',
    modulation: { spreadingFactor: 7, bandwidthHz: 500_000, codingRate: 5 },
    tcpPort: sim.tcpPort!,
    heardOnChannel: () => sim.mesh.channelLog.map((m) => m.text),
    heardByNode: () => alice.inbox.map((m) => m.text),
    sayOnChannel: (text) => void alice.sendChannel('Public', text),
    sayToUs: (text) => void alice.sendDirect(text),
    dropLinkWhenSent: (text) => {
      const off = sim.mesh.onHeard((h) => {
        if (h.kind !== 'channel' || !h.message.text.endsWith(text)) return;
        off();
        void sim.disconnect({ downMs: 100 });
      });
    },
    close: () => sim.stop(),
  };
}).run();
