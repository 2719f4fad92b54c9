/**
 * Byte-level INA260 (TI SBOS656C §8.6): Configuration 6127h (bits 14:13 reserved, read 1), Current 1.25 mA/LSB
 * through the integrated 2 mΩ shunt, Bus 1.25 mV/LSB, Power 10 mW/LSB (the product of the two, truncated:
 * |Current| × Bus / 6400), Mask/Enable CVRF bit 3 and OVF bit 2, Manufacturer ID 5449h, Die ID 2270h. No
 * Calibration register: a write to 05h is recorded as a driver fault.
 */
import { ina2xxConversionMs } from '../adc-config.js';
import { Ina260, Ina2xxConfig } from '../registers.js';
import { clampInt, RegisterChip, u16, type EmulatedChipOptions, type RegisterSpec } from './register-chip.js';

const R = Ina260.reg;
const RO = 0;

const SPECS: ReadonlyMap<number, RegisterSpec> = new Map([
  [R.CONFIG, { reset: Ina260.CONFIG_RESET, writeMask: 0x8fff }],
  [R.CURRENT, { reset: 0, writeMask: RO }],
  [R.BUS_VOLTAGE, { reset: 0, writeMask: RO }],
  [R.POWER, { reset: 0, writeMask: RO }],
  [R.MASK_ENABLE, { reset: 0, writeMask: Ina260.MASK_WRITE_MASK }],
  [R.ALERT_LIMIT, { reset: 0, writeMask: 0xffff }],
  [R.MANUFACTURER_ID, { reset: 0x5449, writeMask: RO }],
  [R.DIE_ID, { reset: Ina260.DIE_ID, writeMask: RO }],
]);

/** Current × Bus LSBs (1.25 mA × 1.25 mV) per Power LSB (10 mW). */
const POWER_RATIO = Ina260.POWER_LSB_W / (Ina260.CURRENT_LSB_A * Ina260.BUS_LSB_V);

export class EmulatedIna260 extends RegisterChip {
  constructor(options: EmulatedChipOptions = {}) {
    super(SPECS, options);
  }

  protected onPowerOn(): void {
    this.startConversions(Ina260.CONFIG_RESET & 7, this.conversionMs());
  }

  protected conversionMs(): number {
    return ina2xxConversionMs(this.regs.get(R.CONFIG)!);
  }

  protected afterWrite(register: number, value: number): void {
    if (register !== R.CONFIG) return;
    if (value & Ina2xxConfig.RST) return this.powerOn();
    this.setFlags(Ina260.MASK_CVRF, false);
    this.startConversions(value & 7, this.conversionMs());
  }

  protected afterRead(register: number): void {
    if (register === R.MASK_ENABLE) this.setFlags(Ina260.MASK_CVRF, false);
  }

  protected convert(): void {
    const { volts, amps } = this.input(1);
    const raw = Math.round(amps / Ina260.CURRENT_LSB_A);
    const current = Math.max(-0x8000, Math.min(0x7fff, raw));
    const bus = clampInt(volts / Ina260.BUS_LSB_V, 0, 0x7fff);
    const power = Math.floor((Math.abs(current) * bus) / Math.round(POWER_RATIO));
    this.regs.set(R.CURRENT, u16(current));
    this.regs.set(R.BUS_VOLTAGE, bus);
    this.regs.set(R.POWER, Math.min(power, 0xffff));
    this.setFlags(Ina260.MASK_OVF, current !== raw || power > 0xffff);
    this.setFlags(Ina260.MASK_CVRF, true);
  }

  private setFlags(mask: number, on: boolean): void {
    const v = this.regs.get(R.MASK_ENABLE)!;
    this.regs.set(R.MASK_ENABLE, on ? v | mask : v & ~mask);
  }
}
