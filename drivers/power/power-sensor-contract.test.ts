/**
 * The PowerSensor contract on every driver over its byte-level emulator (through the time-limited bus, in virtual
 * time so conversion waits and the hang timeout cost nothing), and on the fake.
 */
import { VirtualClock } from '../../lib/testing/virtual-clock.js';
import { Ina219Sensor } from './ina219.js';
import { Ina226Sensor } from './ina226.js';
import { Ina260Sensor } from './ina260.js';
import { Ina3221Sensor } from './ina3221.js';
import type { InaSensor, InaSensorOptions } from './ina-sensor.js';
import { EmulatedI2cBus } from './sim/emulated-i2c-bus.js';
import { EmulatedIna219 } from './sim/emulated-ina219.js';
import { EmulatedIna226 } from './sim/emulated-ina226.js';
import { EmulatedIna260 } from './sim/emulated-ina260.js';
import { EmulatedIna3221 } from './sim/emulated-ina3221.js';
import type { RegisterChip } from './sim/register-chip.js';
import { FakePowerSensor } from './testing/fake-power-sensor.js';
import { registerPowerSensorContract, type PowerSensorHarness, type Role } from './testing/power-sensor-contract.js';
import { TimedI2cBus } from './timed-i2c-bus.js';

function emulated(
  makeChip: (clock: VirtualClock) => RegisterChip,
  makeSensor: (common: InaSensorOptions) => InaSensor,
  channelOf: Partial<Record<Role, number>>,
  tolerance: PowerSensorHarness['tolerance'],
  address = 0x40,
): () => Promise<PowerSensorHarness> {
  return async () => {
    const clock = new VirtualClock();
    const chip = makeChip(clock);
    const bus = new EmulatedI2cBus().attach(address, chip);
    const timed = new TimedI2cBus(bus, { path: bus.path, timeoutMs: 100, clock });
    const sensor = makeSensor({ bus: timed, address, clock, busName: bus.path, ownsBus: true });
    return {
      sensor,
      roles: Object.keys(channelOf) as Role[],
      set: (role, input) => chip.setInput(channelOf[role]!, input),
      settle: () => clock.sleep(500),
      tolerance,
      faults: {
        brownOut: () => chip.brownOut(),
        nak: (on) => { chip.nak = on; },
        hang: () => bus.hang(),
        release: () => bus.release(),
      },
      dispose: () => sensor.close(),
    };
  };
}

registerPowerSensorContract('ina219 on its emulator', emulated(
  (clock) => new EmulatedIna219({ clock, shuntOhms: 0.1 }),
  (c) => new Ina219Sensor({ ...c, shuntOhms: 0.1, maxCurrentA: 3.2 }),
  { battery: 1 },
  { volts: 0.004, amps: 0.0005, watts: 0.01 },
));

registerPowerSensorContract('ina226 on its emulator', emulated(
  (clock) => new EmulatedIna226({ clock, shuntOhms: 0.1 }),
  (c) => new Ina226Sensor({ ...c, shuntOhms: 0.1, maxCurrentA: 0.8 }),
  { battery: 1 },
  { volts: 0.002, amps: 0.0002, watts: 0.005 },
  0x45,
));

registerPowerSensorContract('ina260 on its emulator', emulated(
  (clock) => new EmulatedIna260({ clock }),
  (c) => new Ina260Sensor({ ...c }),
  { battery: 1 },
  { volts: 0.002, amps: 0.002, watts: 0.02 },
));

registerPowerSensorContract('ina3221 on its emulator (battery 1, panel 2, load 3)', emulated(
  (clock) => new EmulatedIna3221({ clock, shuntOhms: 0.1 }),
  (c) => new Ina3221Sensor({ ...c, shuntOhms: 0.1, maxCurrentA: 1.6, channels: { battery: 1, panel: 2, load: 3 } }),
  { battery: 1, panel: 2, load: 3 },
  { volts: 0.008, amps: 0.0005, watts: 0.01 },
  0x41,
));

registerPowerSensorContract('ina3221 on its emulator (load 1, battery 3, no panel)', emulated(
  (clock) => new EmulatedIna3221({ clock, shuntOhms: [0.05, 0.1, 0.1] }),
  (c) => new Ina3221Sensor({ ...c, shuntOhms: { load: 0.05, battery: 0.1 }, maxCurrentA: 1.6, channels: { load: 1, battery: 3 } }),
  { load: 1, battery: 3 },
  { volts: 0.008, amps: 0.001, watts: 0.01 },
));

registerPowerSensorContract('FakePowerSensor', async () => {
  const fake = new FakePowerSensor(['battery', 'panel', 'load']);
  return {
    sensor: fake,
    roles: fake.roles,
    set: (role, input) => fake.set(role, input),
    settle: async () => undefined,
    tolerance: { volts: 0, amps: 0, watts: 1e-12 },
    faults: {
      brownOut: () => fake.brownOut(),
      nak: (on) => fake.nak(on),
      hang: () => fake.hang(),
      release: () => fake.fail(undefined),
    },
    dispose: () => fake.close(),
  };
});
