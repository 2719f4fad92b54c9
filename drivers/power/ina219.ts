/**
 * INA219 (TI SBOS448G): one shunt, bus voltage at IN−, Current and Power computed by the chip from the Calibration
 * register. Reports the battery channel (a single-channel monitor sits in the battery lead).
 *
 * Sign: the Shunt and Current registers are positive when current flows from IN+ to IN− (§8.6.3.1). Wire IN+ to the
 * charger/panel side and IN− to the battery's + so charging reads positive; `negate: ['battery']` flips it.
 */
import { ina219ConfigWord, type Ina219AdcOptions } from './adc-config.js';
import { ina219Calibration, type Ina219Calibration } from './calibration.js';
import { PowerSensorConfigError, PowerSensorOverflowError } from './errors.js';
import { InaSensor, signed16, type InaSensorOptions } from './ina-sensor.js';
import type { PowerReading } from './power-sensor.js';
import { Ina219 } from './registers.js';

export interface Ina219Options extends InaSensorOptions, Ina219AdcOptions {
  shuntOhms: number;
  maxCurrentA: number;
}

export class Ina219Sensor extends InaSensor {
  readonly calibration: Ina219Calibration;
  readonly config: number;
  private readonly conversionMs: number;

  constructor(options: Ina219Options) {
    super('ina219', options);
    checkAddress(options.address, Ina219.addresses, 'ina219');
    this.calibration = ina219Calibration(options.shuntOhms, options.maxCurrentA);
    const word = ina219ConfigWord(this.calibration.pga, options);
    this.config = word.bits;
    this.conversionMs = word.conversionMs;
  }

  protected async program(): Promise<void> {
    const r = Ina219.reg;
    // RST (bit 15) restores every register, Calibration included, then self-clears (§8.6.2.1).
    await this.write16(r.CONFIG, Ina219.config.RST);
    await this.writeChecked(r.CONFIG, this.config);
    await this.writeChecked(r.CALIBRATION, this.calibration.cal);
    // CNVR (Bus Voltage bit 1) is set when a conversion, its averaging and the multiplications are done (§8.6.3.2).
    await this.waitConversion(this.conversionMs, async () => ((await this.read16(r.BUS_VOLTAGE)) & Ina219.BUS_CNVR) !== 0);
  }

  protected async readChannels(): Promise<PowerReading> {
    const r = Ina219.reg;
    const bus = await this.read16(r.BUS_VOLTAGE);
    const current = signed16(await this.read16(r.CURRENT));
    // Reading Power also clears CNVR (§8.6.3.2).
    const power = await this.read16(r.POWER);
    if (bus & Ina219.BUS_OVF) throw new PowerSensorOverflowError(this.chip);
    const volts = (bus >> 3) * Ina219.BUS_LSB_V;
    const amps = current * this.calibration.currentLsbA;
    return { at: this.clock.now(), battery: this.channel('battery', volts, amps, power * this.calibration.powerLsbW) };
  }

  protected async lostProgramming(): Promise<boolean> {
    // A reset chip reads Calibration 0000h and Configuration 399Fh (Table 2).
    const cal = await this.read16(Ina219.reg.CALIBRATION);
    const config = await this.read16(Ina219.reg.CONFIG);
    return cal !== this.calibration.cal || config !== this.config;
  }
}

export function checkAddress(address: number, range: readonly [number, number], chip: string): void {
  if (!Number.isInteger(address) || address < range[0] || address > range[1]) {
    throw new PowerSensorConfigError('address', `an ${chip} answers at 0x${range[0].toString(16)}–0x${range[1].toString(16)} (its address pins), got ${typeof address === 'number' ? `0x${address.toString(16)}` : String(address)}`);
  }
}
