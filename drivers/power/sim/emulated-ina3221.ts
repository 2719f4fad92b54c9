/**
 * Byte-level INA3221 (TI SBOS576C §7.6): Configuration 7127h with CH1en–CH3en, three shunt (40 µV/LSB, 13 bits in
 * 15:3, ±163.8 mV) and bus (8 mV/LSB in 15:3) register pairs, the alert limits (7FF8h), the shunt-voltage sum of
 * the channels SCC1–SCC3 select (bits 15:1, same 40 µV steps), the sum limit (7FFEh), Mask/Enable (0002h; CVRF bit
 * 0, set when every enabled channel is converted; reading clears CVRF and the alert flags 9:3), power-valid limits
 * (2710h = 10 V, 2328h = 9 V), Manufacturer ID 5449h and Die ID 3220h. Channels 1–3 are inputs 1–3, each with its
 * own shunt resistance.
 */
import { ina2xxConversionMs } from '../adc-config.js';
import { busRegister3221, Ina2xxConfig, Ina3221, shuntRegister3221 } from '../registers.js';
import { clampInt, RegisterChip, u16, type EmulatedChipOptions, type RegisterSpec } from './register-chip.js';

const R = Ina3221.reg;
const RO = 0;
const CHANNELS = [1, 2, 3] as const;

const SPECS: ReadonlyMap<number, RegisterSpec> = new Map<number, RegisterSpec>([
  [R.CONFIG, { reset: Ina3221.CONFIG_RESET, writeMask: 0xffff }],
  ...CHANNELS.flatMap((ch): Array<[number, RegisterSpec]> => [
    [shuntRegister3221(ch), { reset: 0, writeMask: RO }],
    [busRegister3221(ch), { reset: 0, writeMask: RO }],
    [R.CRITICAL_LIMIT_1 + 2 * (ch - 1), { reset: Ina3221.LIMIT_RESET, writeMask: 0xfff8 }],
    [R.WARNING_LIMIT_1 + 2 * (ch - 1), { reset: Ina3221.LIMIT_RESET, writeMask: 0xfff8 }],
  ]),
  [R.SHUNT_VOLTAGE_SUM, { reset: 0, writeMask: RO }],
  [R.SHUNT_VOLTAGE_SUM_LIMIT, { reset: Ina3221.SUM_LIMIT_RESET, writeMask: 0xfffe }],
  // SCC1–3 (14:12), WEN (11), CEN (10) are writable; the flags below are read-only.
  [R.MASK_ENABLE, { reset: Ina3221.MASK_RESET, writeMask: 0x7c00 }],
  [R.POWER_VALID_UPPER, { reset: Ina3221.POWER_VALID_UPPER_RESET, writeMask: 0x7ff8 }],
  [R.POWER_VALID_LOWER, { reset: Ina3221.POWER_VALID_LOWER_RESET, writeMask: 0x7ff8 }],
  [R.MANUFACTURER_ID, { reset: 0x5449, writeMask: RO }],
  [R.DIE_ID, { reset: Ina3221.DIE_ID, writeMask: RO }],
]);

/** Mask/Enable bits a read clears: CF1–3, SF, WF1–3 (9:3) and CVRF (0). */
const CLEAR_ON_READ = 0x03f8 | Ina3221.MASK_CVRF;

export interface EmulatedIna3221Options extends EmulatedChipOptions {
  /** Shunt per channel; 0.1 Ω on the common three-channel boards. */
  shuntOhms?: number | readonly [number, number, number];
}

export class EmulatedIna3221 extends RegisterChip {
  readonly shuntOhms: readonly [number, number, number];

  constructor(options: EmulatedIna3221Options = {}) {
    super(SPECS, options);
    const s = options.shuntOhms ?? 0.1;
    this.shuntOhms = typeof s === 'number' ? [s, s, s] : s;
  }

  protected onPowerOn(): void {
    this.startConversions(Ina3221.CONFIG_RESET & 7, this.conversionMs());
  }

  private enabled(): Array<1 | 2 | 3> {
    const config = this.regs.get(R.CONFIG)!;
    return CHANNELS.filter((ch) => config & Ina3221.channelEnable(ch));
  }

  protected conversionMs(): number {
    return ina2xxConversionMs(this.regs.get(R.CONFIG)!) * this.enabled().length;
  }

  protected afterWrite(register: number, value: number): void {
    if (register !== R.CONFIG) return;
    if (value & Ina2xxConfig.RST) return this.powerOn();
    this.regs.set(R.MASK_ENABLE, this.regs.get(R.MASK_ENABLE)! & ~Ina3221.MASK_CVRF);
    this.startConversions(value & 7, this.conversionMs());
  }

  protected afterRead(register: number): void {
    if (register === R.MASK_ENABLE) this.regs.set(R.MASK_ENABLE, this.regs.get(R.MASK_ENABLE)! & ~CLEAR_ON_READ);
  }

  protected convert(): void {
    const shuntFs = Math.round(Ina3221.SHUNT_FULL_SCALE_V / Ina3221.SHUNT_LSB_V); // 4095
    for (const ch of this.enabled()) {
      const { volts, amps } = this.input(ch);
      const shunt = clampInt((amps * this.shuntOhms[ch - 1]!) / Ina3221.SHUNT_LSB_V, -shuntFs - 1, shuntFs);
      this.regs.set(shuntRegister3221(ch), u16(shunt << 3));
      this.regs.set(busRegister3221(ch), u16(clampInt(volts / Ina3221.BUS_LSB_V, 0, 0x0fff) << 3));
    }
    const mask = this.regs.get(R.MASK_ENABLE)!;
    let sum = 0;
    for (const ch of CHANNELS) if (mask & (1 << (15 - ch))) sum += (this.regs.get(shuntRegister3221(ch))! << 16) >> 19;
    this.regs.set(R.SHUNT_VOLTAGE_SUM, u16(sum << 1) & 0xfffe);
    this.regs.set(R.MASK_ENABLE, mask | Ina3221.MASK_CVRF);
  }
}
