/**
 * What the four INA drivers share: the init/read/close life cycle, identity checks, programming with read-back,
 * waiting for the first conversion, and brown-out recovery.
 *
 * Brown-out: the chips keep configuration and calibration in volatile registers and reset them to power-on values
 * when their supply dips below the power-on-reset threshold (SBOS448G §8.5.4, SBOS547 "Default settings": "these
 * registers are volatile ... must be re-programmed at every device power-up"). After a reset an INA219/INA226 has
 * Calibration 0000h and reads 0 A; an INA260/INA3221 is back at its power-on configuration. Every read() checks for
 * that after reading the data; if so it counts a brown-out, programs the chip again and reads again, so the caller
 * never gets the zeros of a reset chip.
 */
import type { Clock } from '../../lib/clock/clock.js';
import { systemClock } from '../../lib/clock/clock.js';
import { PowerSensorConversionTimeoutError, PowerSensorIdentityError, PowerSensorProgramError, PowerSensorStateError } from './errors.js';
import type { I2cBus } from './i2c-bus.js';
import type { PowerChannelReading, PowerReading, PowerSensor } from './power-sensor.js';
import { TI_MANUFACTURER_ID } from './registers.js';

export type ChannelRole = 'battery' | 'panel' | 'load';
export const CHANNEL_ROLES: readonly ChannelRole[] = ['battery', 'panel', 'load'];

export interface InaSensorOptions {
  bus: I2cBus;
  address: number;
  /** Names the bus in the description, e.g. /dev/i2c-1. */
  busName?: string;
  clock?: Clock;
  /** Roles whose current sign is flipped, for a shunt wired the other way round (IN+ on the battery side). */
  negate?: readonly ChannelRole[];
  /** Close the bus with the sensor (the factory's buses); default false. */
  ownsBus?: boolean;
}

export const signed16 = (w: number) => (w & 0x8000 ? (w & 0xffff) - 0x10000 : w & 0xffff);
const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

export abstract class InaSensor implements PowerSensor {
  readonly description: string;
  brownOuts = 0;
  protected readonly bus: I2cBus;
  protected readonly address: number;
  protected readonly clock: Clock;
  private readonly negated: ReadonlySet<ChannelRole>;
  private readonly ownsBus: boolean;
  private state: 'new' | 'ready' | 'closed' = 'new';
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly chip: string, options: InaSensorOptions) {
    this.bus = options.bus;
    this.address = options.address;
    this.clock = options.clock ?? systemClock;
    this.negated = new Set(options.negate ?? []);
    this.ownsBus = options.ownsBus ?? false;
    this.description = `${chip} @${hex(options.address)} on ${options.busName ?? 'I2C'}`;
  }

  init(): Promise<void> {
    return this.exclusive(async () => {
      if (this.state === 'closed') throw new PowerSensorStateError(this.chip, 'closed');
      await this.program();
      this.state = 'ready';
    });
  }

  read(): Promise<PowerReading> {
    return this.exclusive(async () => {
      if (this.state !== 'ready') throw new PowerSensorStateError(this.chip, this.state === 'closed' ? 'closed' : 'not-initialised');
      let reading = await this.readChannels();
      if (await this.lostProgramming()) {
        this.brownOuts++;
        await this.program();
        reading = await this.readChannels();
      }
      return reading;
    });
  }

  /** One init() or read() at a time: two overlapping reads must not both find the brown-out and program twice. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.then(() => undefined, () => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.ownsBus) await this.bus.close();
  }

  /** Identity (where the chip has one), reset, configuration, calibration, read-back, first conversion. */
  protected abstract program(): Promise<void>;
  /** One reading of every configured channel, signs as the wiring gives them (before `negate`). */
  protected abstract readChannels(): Promise<PowerReading>;
  /** True when the chip's registers are back at power-on values (a brown-out reset it). */
  protected abstract lostProgramming(): Promise<boolean>;

  protected read16(register: number): Promise<number> {
    return this.bus.readWord(this.address, register);
  }

  protected write16(register: number, value: number): Promise<void> {
    return this.bus.writeWord(this.address, register, value & 0xffff);
  }

  /** Manufacturer ID (FEh) is TI's 5449h and the Die ID's device field (bits 15:4) is the chip's; the revision
   * nibble (3:0) may differ between fabs, so it is not compared. */
  protected async checkIdentity(manufacturerReg: number, dieReg: number, dieId: number): Promise<void> {
    const mfr = await this.read16(manufacturerReg);
    if (mfr !== TI_MANUFACTURER_ID) throw new PowerSensorIdentityError(this.chip, this.address, manufacturerReg, TI_MANUFACTURER_ID, mfr);
    const die = await this.read16(dieReg);
    if ((die & 0xfff0) !== (dieId & 0xfff0)) throw new PowerSensorIdentityError(this.chip, this.address, dieReg, dieId, die);
  }

  /** Writes a register and reads it back; `readMask` drops bits that read differently by design (void bits). */
  protected async writeChecked(register: number, value: number, expected = value): Promise<void> {
    await this.write16(register, value);
    const back = await this.read16(register);
    if (back !== expected) throw new PowerSensorProgramError(this.chip, register, value, back);
  }

  /** Polls `ready` at a quarter of the conversion time until it holds; gives up after 4 conversion times + 50 ms. */
  protected async waitConversion(conversionMs: number, ready: () => Promise<boolean>): Promise<void> {
    const limit = 4 * conversionMs + 50;
    const step = Math.max(1, Math.ceil(conversionMs / 4));
    const start = this.clock.now();
    for (;;) {
      if (await ready()) return;
      const waited = this.clock.now() - start;
      if (waited >= limit) throw new PowerSensorConversionTimeoutError(this.chip, waited);
      await this.clock.sleep(step);
    }
  }

  protected channel(role: ChannelRole, volts: number, amps: number, watts = Math.abs(volts * amps)): PowerChannelReading {
    const a = this.negated.has(role) ? -amps : amps;
    // Power is the magnitude on every chip (the INA2xx Power registers are unsigned); its sign follows the current.
    return { volts, amps: a, watts: a < 0 ? -Math.abs(watts) : Math.abs(watts) };
  }
}
