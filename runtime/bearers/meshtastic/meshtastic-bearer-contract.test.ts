/**
 * The Bearer contract suite on the Meshtastic gateway, driving the simulated firmware (SimDevice and its mesh) over
 * the in-memory link and over TCP. The simulated radio's clock runs 100× fast so its 2 s text rate limit does not make the
 * suite wait (the session's text interval is shortened to match).
 */
import { memoryLink } from '../../../firmware-protocol/meshtastic/sim/memory-link.js';
import { SimDevice, type SimDeviceOptions } from '../../../firmware-protocol/meshtastic/sim/sim-device.js';
import { startMeshtasticSim } from '../../../firmware-protocol/meshtastic/sim/start-meshtastic-sim.js';
import type { ByteLink, LinkOpener } from '../../../firmware-protocol/framing/byte-link.js';
import { bearerSuite } from '../../bearer/testing/bearer-suite.js';
import { setLogSink } from '../../log/logger.js';
import { meshtasticOpener } from './device-opener.js';
import { MeshtasticBearer } from './meshtastic-bearer.js';

setLogSink(() => undefined, 'silent');

const BOB = 0x22222222;

/** A simulated radio whose clock runs 100× fast, with quick airtime and ACKs. */
function fastDevice(): SimDeviceOptions {
  const t0 = performance.now();
  return { seed: 3, now: () => t0 + (performance.now() - t0) * 100, airtimeMs: 5, ackDelayMs: 10, retryMs: 40 };
}

function gateway(open: LinkOpener, links: ByteLink[], transport: 'serial' | 'tcp'): MeshtasticBearer {
  return new MeshtasticBearer({
    name: 'meshtastic0', device: 'sim', transport,
    opener: async (options) => {
      const link = await open(options);
      links.push(link);
      return link;
    },
    session: { textIntervalMs: 40, handshakeTimeoutMs: 10_000 },
    backoffMs: { initial: 50, max: 200 },
  });
}

bearerSuite('meshtastic gateway on the simulated radio', { carries: 'foreign', acks: false }, async () => {
  const device = new SimDevice(fastDevice());
  const links: ByteLink[] = [];
  const bearer = gateway(async () => memoryLink(device), links, 'serial');
  return {
    carries: 'foreign', bearer, peer: 'mt:ch:0', unknownPeer: 'mt:!44444444',
    heard: () => device.mesh.textsReceivedBy(BOB),
    say: (text) => void device.injectText({ from: BOB, text, channel: 0 }),
    holdsIo: () => links.some((l) => l.isOpen),
    close: async () => device.stop(),
  };
}).run();

bearerSuite('meshtastic gateway on the simulated radio over TCP', { carries: 'foreign', acks: false }, async () => {
  const sim = await startMeshtasticSim({ ...fastDevice(), tcpPort: 0 });
  const links: ByteLink[] = [];
  const bearer = gateway(meshtasticOpener(`127.0.0.1:${sim.tcpPort}`), links, 'tcp');
  return {
    carries: 'foreign', bearer, peer: 'mt:ch:0', unknownPeer: 'mt:!44444444',
    heard: () => sim.device.mesh.textsReceivedBy(BOB),
    say: (text) => void sim.device.injectText({ from: BOB, text, channel: 0 }),
    holdsIo: () => links.some((l) => l.isOpen),
    close: () => sim.stop(),
  };
}).run();
