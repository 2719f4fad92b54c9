/**
 * The LoraRadio contract suite (drivers/sx126x/testing/lora-radio-suite.ts) on FakeLoraAir's radios, the same suite
 * the SX126x driver passes on emulated chips and real boards: the bearer tests' fake may not be kinder than the
 * driver it stands in for.
 */
import { test } from 'uvu';
import { LatticeDefault } from '../../../../lib/lora/lattice-presets.js';
import { registerLoraRadioSuite } from '../../../../drivers/sx126x/testing/lora-radio-suite.js';
import { FakeLoraAir } from './fake-lora-air.js';

registerLoraRadioSuite(test, {
  modulation: { ...LatticeDefault, spreadingFactor: 7 },
  transmit: true,
  async open() {
    const air = new FakeLoraAir(() => true, 0.01);
    return { radio: air.radio(), peer: air.radio(), close: async () => undefined };
  },
});

test.run();
