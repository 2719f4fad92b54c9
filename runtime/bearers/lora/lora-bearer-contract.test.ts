/**
 * The Bearer contract suite on the LoRa bearer, twice: on FakeLoraAir (the bearer tests' small air) and on the
 * emulated SX1262 chips behind the real driver (the air lora-emulated.test.ts uses). Unicast frames carry the link
 * ACK, which the far side sends only once it settled the frame as durable: the bearer has acknowledgements.
 */
import type { LoraRadio } from '../../../drivers/sx126x/lora-radio.js';
import { createEmulatedRadios } from '../../../drivers/sx126x/sim/emulated-radios.js';
import { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import { EU868 } from '../../../lib/lora/regions.js';
import { bearerSuite, type FramesRig } from '../../bearer/testing/bearer-suite.js';
import { generateIdentity } from '../../identity/identity.js';
import { setLogSink } from '../../log/logger.js';
import { LoraBearer } from './lora-bearer.js';
import { latticeModulation } from '../../../lib/lora/lattice-presets.js';
import { FakeLoraAir } from './testing/fake-lora-air.js';

setLogSink(() => undefined, 'silent');

const TIME_SCALE = 0.01;

function rig(radios: () => { radio: LoraRadio; farRadio: LoraRadio; receiving(): boolean; close(): Promise<void> }): () => Promise<FramesRig> {
  return async () => {
    const air = radios();
    const { modulation } = latticeModulation({ preset: 'ShortFast', region: 'EU_868' });
    const make = (radio: LoraRadio, name: string, i: number) => {
      const identity = generateIdentity();
      const bearer = new LoraBearer({
        name, radio, nodeId: identity.nodeId, modulation, region: EU868, ledger: new AirtimeLedger(),
        // Adverts only when asked (introduce); one quick retry so refused payloads answer soon.
        advertIntervalMs: 0, advertOnStart: false, advertOnNewNeighbour: false, advertJitterMs: 50,
        linkAck: { retries: 1, storeMs: 100 }, timeScale: TIME_SCALE, random: () => (i + 1) / 3,
      });
      return { bearer, id: identity.nodeIdHex };
    };
    const a = make(air.radio, 'lora0', 0);
    const b = make(air.farRadio, 'lora1', 1);
    return {
      carries: 'frames', bearer: a.bearer, far: b.bearer, id: a.id, farId: b.id,
      // An advert each way, one after the other (the air is half-duplex and they would collide).
      async introduce() {
        await a.bearer.advertise();
        await b.bearer.advertise();
      },
      holdsIo: () => air.receiving(),
      async close() {
        await b.bearer.stop();
        await air.close();
      },
    };
  };
}

bearerSuite('lora on FakeLoraAir', { carries: 'frames', acks: true }, rig(() => {
  const air = new FakeLoraAir(() => true, TIME_SCALE);
  const radio = air.radio();
  const farRadio = air.radio();
  return { radio, farRadio, receiving: () => radio.receiving, close: async () => undefined };
})).run();

bearerSuite('lora on emulated SX1262 chips', { carries: 'frames', acks: true }, rig(() => {
  const emulated = createEmulatedRadios({ nodes: [{ name: 'A', x: 0 }, { name: 'B', x: 1000 }], timeScale: TIME_SCALE });
  return {
    radio: emulated.radios[0]!, farRadio: emulated.radios[1]!,
    // In RX, or briefly TX/CAD on its way back to RX; standby once stopped.
    receiving: () => ['rx', 'tx', 'cad', 'fs'].includes(emulated.nodes[0]!.chip.chipMode),
    close: () => emulated.close(),
  };
})).run();
