/**
 * A scriptable PowerSensor for tests of what consumes readings (the runtime's state of charge, policies,
 * telemetry): set the volts and amps per role, make the next reads fail with any error, count a brown-out. It keeps
 * the PowerSensor contract (testing/power-sensor-contract.ts runs on it).
 */
import { I2cNakError, I2cTimeoutError, PowerSensorStateError } from '../errors.js';
import type { PowerChannelReading, PowerReading, PowerSensor } from '../power-sensor.js';
import type { Role } from './power-sensor-contract.js';

export class FakePowerSensor implements PowerSensor {
  readonly description: string;
  brownOuts = 0;
  inits = 0;
  reads = 0;
  private readonly values = new Map<Role, { volts: number; amps: number }>();
  private failure: (() => Error) | undefined;
  private lostProgramming = false;
  private state: 'new' | 'ready' | 'closed' = 'new';

  constructor(readonly roles: readonly Role[] = ['battery', 'panel', 'load'], private readonly now: () => number = Date.now) {
    this.description = `fake power sensor (${roles.join(', ')})`;
  }

  set(role: Role, input: { volts: number; amps: number }): void {
    this.values.set(role, { ...input });
  }

  /** Every init() and read() rejects with `make()` until fail(undefined). */
  fail(make: (() => Error) | undefined): void {
    this.failure = make;
  }

  nak(on: boolean): void {
    this.fail(on ? () => new I2cNakError('fake', 0x40, 0, 'read') : undefined);
  }

  hang(): void {
    this.fail(() => new I2cTimeoutError('fake', 0x40, 0, 'read', 0));
  }

  /** The next read finds the (imaginary) chip reset, programs it again and counts a brown-out. */
  brownOut(): void {
    this.lostProgramming = true;
  }

  async init(): Promise<void> {
    if (this.state === 'closed') throw new PowerSensorStateError('fake', 'closed');
    if (this.failure) throw this.failure();
    this.inits++;
    this.lostProgramming = false;
    this.state = 'ready';
  }

  async read(): Promise<PowerReading> {
    if (this.state !== 'ready') throw new PowerSensorStateError('fake', this.state === 'closed' ? 'closed' : 'not-initialised');
    if (this.failure) throw this.failure();
    if (this.lostProgramming) {
      this.brownOuts++;
      await this.init();
    }
    this.reads++;
    const reading: PowerReading = { at: this.now() };
    for (const role of this.roles) {
      const v = this.values.get(role) ?? { volts: 0, amps: 0 };
      const c: PowerChannelReading = { volts: v.volts, amps: v.amps, watts: v.volts * v.amps };
      reading[role] = c;
    }
    return reading;
  }

  async close(): Promise<void> {
    this.state = 'closed';
  }
}
