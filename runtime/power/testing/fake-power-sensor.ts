/**
 * Test support: a scriptable PowerSensor (drivers/power/power-sensor.ts). Readings come from `source` (a fixed
 * reading or a function of the clock, such as the battery model in battery-model.ts); `fail` makes the next calls
 * misbehave the ways real buses do: reject with a named error (a chip that NAKs or is gone), never answer (a bus held
 * low), or answer with what no battery gives.
 */
import type { Clock } from '../../../lib/clock/clock.js';
import type { PowerReading, PowerSensor } from '../../../drivers/power/power-sensor.js';

export type FakeFault = 'none' | 'nak' | 'hang' | 'garbage';

/** The error a NAKing chip gives (the drivers name theirs alike; the monitor only reads `name`). */
export class FakeNakError extends Error {
  override readonly name = 'I2cNakError';
  constructor() {
    super('no ACK from 0x40');
  }
}

export class FakePowerSensor implements PowerSensor {
  readonly description: string;
  fault: FakeFault = 'none';
  inits = 0;
  reads = 0;
  closed = false;

  constructor(private readonly clock: Clock, private source: PowerReading | ((at: number) => PowerReading), description = 'fake ina3221') {
    this.description = description;
  }

  setSource(source: PowerReading | ((at: number) => PowerReading)): void {
    this.source = source;
  }

  async init(): Promise<void> {
    this.inits++;
    await this.misbehave();
  }

  async read(): Promise<PowerReading> {
    this.reads++;
    await this.misbehave();
    const at = this.clock.now();
    if (this.fault === 'garbage') return { at, battery: { volts: 31.9, amps: 163.8, watts: 5225 } };
    const r = typeof this.source === 'function' ? this.source(at) : this.source;
    return { ...r, at };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private misbehave(): Promise<void> {
    if (this.fault === 'nak') return Promise.reject(new FakeNakError());
    if (this.fault === 'hang') return new Promise<void>(() => undefined);
    return Promise.resolve();
  }
}
