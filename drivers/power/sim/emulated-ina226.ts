/**
 * Byte-level INA226 (TI SBOS547): Table 7-1's registers and power-on values (Configuration 4127h with reserved bit
 * 14 reading 1, Manufacturer ID 5449h, Die ID 2260h), Calibration FS14:FS0, Current = Shunt × CAL / 2048 and
 * Power = Current × Bus / 20000 (Equations 3–4, truncated), Mask/Enable CVRF (bit 3: set when a conversion and its
 * averaging complete, cleared by reading Mask/Enable or writing Configuration) and OVF (bit 2). One channel.
 */
import { ina2xxConversionMs } from '../adc-config.js';
import { Ina226, Ina2xxConfig } from '../registers.js';
import { clampInt, RegisterChip, u16, type EmulatedChipOptions, type RegisterSpec } from './register-chip.js';

const R = Ina226.reg;
const RO = 0;

const SPECS: ReadonlyMap<number, RegisterSpec> = new Map([
  // Bits 14:12 are reserved (read 100b); RST and the ADC/MODE fields are writable.
  [R.CONFIG, { reset: Ina226.CONFIG_RESET, writeMask: 0x8fff }],
  [R.SHUNT_VOLTAGE, { reset: 0, writeMask: RO }],
  [R.BUS_VOLTAGE, { reset: 0, writeMask: RO }],
  [R.POWER, { reset: 0, writeMask: RO }],
  [R.CURRENT, { reset: 0, writeMask: RO }],
  [R.CALIBRATION, { reset: 0, writeMask: Ina226.CAL_WRITE_MASK }],
  [R.MASK_ENABLE, { reset: 0, writeMask: Ina226.MASK_WRITE_MASK }],
  [R.ALERT_LIMIT, { reset: 0, writeMask: 0xffff }],
  [R.MANUFACTURER_ID, { reset: 0x5449, writeMask: RO }],
  [R.DIE_ID, { reset: Ina226.DIE_ID, writeMask: RO }],
]);

export interface EmulatedIna226Options extends EmulatedChipOptions {
  shuntOhms?: number;
}

export class EmulatedIna226 extends RegisterChip {
  readonly shuntOhms: number;

  constructor(options: EmulatedIna226Options = {}) {
    super(SPECS, options);
    this.shuntOhms = options.shuntOhms ?? 0.1;
  }

  protected onPowerOn(): void {
    this.startConversions(Ina226.CONFIG_RESET & 7, this.conversionMs());
  }

  protected conversionMs(): number {
    return ina2xxConversionMs(this.regs.get(R.CONFIG)!);
  }

  protected afterWrite(register: number, value: number): void {
    if (register === R.CONFIG) {
      if (value & Ina2xxConfig.RST) return this.powerOn();
      this.setFlags(Ina226.MASK_CVRF, false);
      this.startConversions(value & 7, this.conversionMs());
    } else if (register === R.CALIBRATION) {
      this.derive();
    }
  }

  protected afterRead(register: number): void {
    if (register === R.MASK_ENABLE) this.setFlags(Ina226.MASK_CVRF, false);
  }

  protected convert(): void {
    const { volts, amps } = this.input(1);
    this.regs.set(R.SHUNT_VOLTAGE, u16(clampInt((amps * this.shuntOhms) / Ina226.SHUNT_LSB_V, -0x8000, 0x7fff)));
    this.regs.set(R.BUS_VOLTAGE, clampInt(volts / Ina226.BUS_LSB_V, 0, 0x7fff));
    this.derive();
    this.setFlags(Ina226.MASK_CVRF, true);
  }

  private derive(): void {
    const shunt = (this.regs.get(R.SHUNT_VOLTAGE)! << 16) >> 16;
    const current = Math.trunc((shunt * this.regs.get(R.CALIBRATION)!) / Ina226.CURRENT_DIVISOR);
    const currentReg = Math.max(-0x8000, Math.min(0x7fff, current));
    const power = Math.trunc((Math.abs(currentReg) * this.regs.get(R.BUS_VOLTAGE)!) / Ina226.POWER_DIVISOR);
    this.regs.set(R.CURRENT, u16(currentReg));
    this.regs.set(R.POWER, Math.min(power, 0xffff));
    this.setFlags(Ina226.MASK_OVF, currentReg !== current || power > 0xffff);
  }

  private setFlags(mask: number, on: boolean): void {
    const v = this.regs.get(R.MASK_ENABLE)!;
    this.regs.set(R.MASK_ENABLE, on ? v | mask : v & ~mask);
  }
}
