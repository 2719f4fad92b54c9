/**
 * INA226 (TI SBOS547): one shunt (±81.92 mV), bus voltage on its own VBUS pin, Current and Power from the
 * Calibration register, identity registers, a conversion-ready flag. Reports the battery channel.
 *
 * Sign: Shunt and Current are positive for current from IN+ to IN−; wire IN+ on the charger side so charging reads
 * positive (`negate: ['battery']` otherwise).
 */
import { ina2xxAdcWord, type Ina2xxAdcOptions } from './adc-config.js';
import { ina226Calibration, type Calibration } from './calibration.js';
import { checkAddress } from './ina219.js';
import { InaSensor, signed16, type InaSensorOptions } from './ina-sensor.js';
import type { PowerReading } from './power-sensor.js';
import { Ina226, Ina2xxConfig } from './registers.js';

export interface Ina226Options extends InaSensorOptions, Ina2xxAdcOptions {
  shuntOhms: number;
  maxCurrentA: number;
}

export class Ina226Sensor extends InaSensor {
  readonly calibration: Calibration;
  readonly config: number;
  private readonly conversionMs: number;

  constructor(options: Ina226Options) {
    super('ina226', options);
    checkAddress(options.address, Ina226.addresses, 'ina226');
    this.calibration = ina226Calibration(options.shuntOhms, options.maxCurrentA);
    const word = ina2xxAdcWord(options);
    // Bit 14 is reserved and reads 1 (reset value 4127h).
    this.config = Ina226.CONFIG_FIXED_BITS | word.bits;
    this.conversionMs = word.conversionMs;
  }

  protected async program(): Promise<void> {
    const r = Ina226.reg;
    await this.checkIdentity(r.MANUFACTURER_ID, r.DIE_ID, Ina226.DIE_ID);
    await this.write16(r.CONFIG, Ina2xxConfig.RST);
    await this.writeChecked(r.CONFIG, this.config);
    await this.writeChecked(r.CALIBRATION, this.calibration.cal);
    // CVRF (Mask/Enable bit 3) sets when a conversion and its averaging complete; reading Mask/Enable clears it.
    await this.waitConversion(this.conversionMs, async () => ((await this.read16(r.MASK_ENABLE)) & Ina226.MASK_CVRF) !== 0);
  }

  protected async readChannels(): Promise<PowerReading> {
    const r = Ina226.reg;
    const bus = await this.read16(r.BUS_VOLTAGE);
    const current = signed16(await this.read16(r.CURRENT));
    const power = await this.read16(r.POWER);
    const volts = bus * Ina226.BUS_LSB_V;
    const amps = current * this.calibration.currentLsbA;
    return { at: this.clock.now(), battery: this.channel('battery', volts, amps, power * this.calibration.powerLsbW) };
  }

  protected async lostProgramming(): Promise<boolean> {
    // After a power-on reset Calibration reads 0000h and Configuration 4127h (Table 7-1).
    const cal = await this.read16(Ina226.reg.CALIBRATION);
    const config = await this.read16(Ina226.reg.CONFIG);
    return cal !== this.calibration.cal || config !== this.config;
  }
}
