/**
 * INA260 (TI SBOS656C): an INA226-like monitor with its 2 mΩ shunt inside (±15 A), so no Calibration register:
 * Current 1.25 mA/LSB, Bus 1.25 mV/LSB, Power 10 mW/LSB are fixed (§8.5.1). Reports the battery channel.
 *
 * Brown-out: with no calibration to lose, a reset shows as the Configuration register back at 6127h. The driver's
 * configuration must therefore differ from it, which is why averaging 1 with both conversion times at 1.1 ms (the
 * power-on setting) is refused.
 *
 * Sign: Current is positive from IN+ to IN−; IN+ on the charger side reads charging positive.
 */
import { ina2xxAdcWord, type Ina2xxAdcOptions } from './adc-config.js';
import { checkIna260Current } from './calibration.js';
import { PowerSensorConfigError } from './errors.js';
import { checkAddress } from './ina219.js';
import { InaSensor, signed16, type InaSensorOptions } from './ina-sensor.js';
import type { PowerReading } from './power-sensor.js';
import { Ina260, Ina2xxConfig } from './registers.js';

export interface Ina260Options extends InaSensorOptions, Ina2xxAdcOptions {
  /** Checked against the chip's ±15 A; the LSB is fixed. Default 15. */
  maxCurrentA?: number;
}

export class Ina260Sensor extends InaSensor {
  readonly config: number;
  private readonly conversionMs: number;

  constructor(options: Ina260Options) {
    super('ina260', options);
    checkAddress(options.address, Ina260.addresses, 'ina260');
    checkIna260Current(options.maxCurrentA ?? Ina260.MAX_CURRENT_A);
    const word = ina2xxAdcWord(options);
    this.config = Ina260.CONFIG_FIXED_BITS | word.bits;
    if (this.config === Ina260.CONFIG_RESET) throw new PowerSensorConfigError('averages', 'averaging 1 with 1.1 ms conversions is the INA260\'s power-on configuration, which would hide a brown-out reset; average at least 4 samples');
    this.conversionMs = word.conversionMs;
  }

  protected async program(): Promise<void> {
    const r = Ina260.reg;
    await this.checkIdentity(r.MANUFACTURER_ID, r.DIE_ID, Ina260.DIE_ID);
    await this.write16(r.CONFIG, Ina2xxConfig.RST);
    await this.writeChecked(r.CONFIG, this.config);
    await this.waitConversion(this.conversionMs, async () => ((await this.read16(r.MASK_ENABLE)) & Ina260.MASK_CVRF) !== 0);
  }

  protected async readChannels(): Promise<PowerReading> {
    const r = Ina260.reg;
    const bus = await this.read16(r.BUS_VOLTAGE);
    const current = signed16(await this.read16(r.CURRENT));
    const power = await this.read16(r.POWER);
    return { at: this.clock.now(), battery: this.channel('battery', bus * Ina260.BUS_LSB_V, current * Ina260.CURRENT_LSB_A, power * Ina260.POWER_LSB_W) };
  }

  protected async lostProgramming(): Promise<boolean> {
    return (await this.read16(Ina260.reg.CONFIG)) !== this.config;
  }
}
