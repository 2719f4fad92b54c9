/** The LoraRadio contract suite on the SX126x driver over emulated chips (hil-tests run it on real boards). */
import { test } from 'uvu';
import { LatticeDefault } from '../../lib/lora/lattice-presets.js';
import { createEmulatedRadios } from './sim/emulated-radios.js';
import { registerLoraRadioSuite } from './testing/lora-radio-suite.js';

registerLoraRadioSuite(test, {
  modulation: { ...LatticeDefault, spreadingFactor: 7 },
  transmit: true,
  async open() {
    const sim = createEmulatedRadios({ nodes: ['dut', 'peer'], timeScale: 0.05 });
    return { radio: sim.radios[0]!, peer: sim.radios[1]!, close: () => sim.close() };
  },
});

test.run();
