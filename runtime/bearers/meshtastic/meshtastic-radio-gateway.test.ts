/**
 * The RadioGateway contract suite on the Meshtastic gateway, against the simulated firmware over TCP (the firmware's
 * port 4403 serves one client: another one displaces the gateway). The simulated radio's clock runs 100× fast so its
 * 2 s text rate limit does not make the suite wait (the session's text interval is shortened to match).
 */
import { startMeshtasticSim } from '../../../firmware-protocol/meshtastic/sim/start-meshtastic-sim.js';
import { radioGatewaySuite } from '../../bearer/testing/radio-gateway-suite.js';
import { setLogSink } from '../../log/logger.js';
import { meshtasticOpener } from './device-opener.js';
import { MeshtasticBearer } from './meshtastic-bearer.js';

setLogSink(() => undefined, 'silent');

const SELF = 0x5eed0101;
const BOB = 0x22222222; // "Bob Handheld" in the simulator's default mesh, on channel 0, key known
const BROADCAST = 0xffffffff;

radioGatewaySuite('meshtastic gateway on the simulated radio over TCP', async () => {
  const t0 = performance.now();
  const sim = await startMeshtasticSim({
    tcpPort: 0, nodeNum: SELF, longName: 'Suite MT', seed: 3,
    now: () => t0 + (performance.now() - t0) * 100, airtimeMs: 5, ackDelayMs: 10, retryMs: 40,
  });
  const device = `127.0.0.1:${sim.tcpPort}`;
  const gateway = new MeshtasticBearer({
    name: 'meshtastic0', device, transport: 'tcp', opener: meshtasticOpener(device),
    session: { textIntervalMs: 40, handshakeTimeoutMs: 10_000 },
    backoffMs: { initial: 50, max: 200 }, displacement: { initialMs: 300, maxMs: 1000 },
  });
  const received = () => sim.device.mesh.received.filter((r) => r.node === BOB && r.text !== undefined);
  return {
    gateway,
    self: { address: 'mt:!5eed0101', name: 'Suite MT' },
    // An unnamed primary channel shows as its preset's name in the apps.
    channel: { index: 0, name: 'LongFast' },
    node: { address: 'mt:!22222222', name: 'Bob Handheld' },
    unknownNode: 'mt:!55555555',
    foreignAddress: 'mc:ch:0',
    modulation: { spreadingFactor: 11, bandwidthHz: 250_000, codingRate: 5 },
    tcpPort: sim.tcpPort!,
    heardOnChannel: () => received().filter((r) => r.to === BROADCAST && r.channel === 0).map((r) => r.text!),
    heardByNode: () => received().filter((r) => r.to === BOB).map((r) => r.text!),
    sayOnChannel: (text) => void sim.device.injectText({ from: BOB, channel: 0, text }),
    sayToUs: (text) => void sim.device.injectText({ from: BOB, to: SELF, text }),
    dropLinkWhenSent: (text) => {
      const off = sim.device.mesh.onReceived((r) => {
        if (r.text !== text) return;
        off();
        sim.tcp!.dropClient();
      });
    },
    close: () => sim.stop(),
  };
}).run();
