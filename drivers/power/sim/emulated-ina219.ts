/**
 * Byte-level INA219 (TI SBOS448G): register map and power-on values of Table 2, the void Calibration bit 0, RST,
 * the PGA and bus ranges, the arithmetic of §8.5.1 (Current = Shunt × Cal / 4096, Power = Current × Bus / 5000,
 * truncated), CNVR (set when a conversion completes, cleared by reading Power or writing a converting MODE) and OVF
 * (math overflow). One channel: input 1, with the shunt resistance the board carries.
 */
import { ina219ConversionMs } from '../adc-config.js';
import { Ina219 } from '../registers.js';
import { clampInt, RegisterChip, u16, type EmulatedChipOptions, type RegisterSpec } from './register-chip.js';

const R = Ina219.reg;
const RO = 0;

const SPECS: ReadonlyMap<number, RegisterSpec> = new Map([
  // Bit 14 is unused and reads 0 (Figure 19).
  [R.CONFIG, { reset: Ina219.CONFIG_RESET, writeMask: 0xbfff }],
  [R.SHUNT_VOLTAGE, { reset: 0, writeMask: RO }],
  [R.BUS_VOLTAGE, { reset: 0, writeMask: RO }],
  [R.POWER, { reset: 0, writeMask: RO }],
  [R.CURRENT, { reset: 0, writeMask: RO }],
  [R.CALIBRATION, { reset: 0, writeMask: Ina219.CAL_WRITE_MASK }],
]);

export interface EmulatedIna219Options extends EmulatedChipOptions {
  /** The board's shunt; 0.1 Ω on the common breakouts. */
  shuntOhms?: number;
}

export class EmulatedIna219 extends RegisterChip {
  readonly shuntOhms: number;

  constructor(options: EmulatedIna219Options = {}) {
    super(SPECS, options);
    this.shuntOhms = options.shuntOhms ?? 0.1;
  }

  protected onPowerOn(): void {
    this.startConversions(Ina219.CONFIG_RESET & 7, this.conversionMs());
  }

  protected conversionMs(): number {
    return ina219ConversionMs(this.regs.get(R.CONFIG)!);
  }

  protected afterWrite(register: number, value: number): void {
    if (register === R.CONFIG) {
      if (value & Ina219.config.RST) return this.powerOn(); // self-clearing reset of every register
      const mode = value & 7;
      // CNVR clears on writing a MODE other than power-down (000) or ADC off (100) (§8.6.3.2).
      if (mode !== 0 && mode !== 4) this.regs.set(R.BUS_VOLTAGE, this.regs.get(R.BUS_VOLTAGE)! & ~Ina219.BUS_CNVR);
      this.startConversions(mode, this.conversionMs());
    } else if (register === R.CALIBRATION) {
      this.derive();
    }
  }

  protected afterRead(register: number): void {
    if (register === R.POWER) this.regs.set(R.BUS_VOLTAGE, this.regs.get(R.BUS_VOLTAGE)! & ~Ina219.BUS_CNVR);
  }

  protected convert(): void {
    const config = this.regs.get(R.CONFIG)!;
    const { volts, amps } = this.input(1);
    const pgaFs = Ina219.PGA_FULL_SCALE_V[(config >> Ina219.config.PG_SHIFT) & 3]!;
    const limit = Math.round(pgaFs / Ina219.SHUNT_LSB_V);
    this.regs.set(R.SHUNT_VOLTAGE, u16(clampInt((amps * this.shuntOhms) / Ina219.SHUNT_LSB_V, -limit, limit)));
    // BRNG 32 V: BD12:BD0; 16 V: BD12 reads 0 (full scale 4000 = 16 V) (§8.6.3.2).
    const busMax = config & Ina219.config.BRNG_32V ? 0x1fff : 0x0fff;
    const bus = clampInt(volts / Ina219.BUS_LSB_V, 0, busMax);
    this.regs.set(R.BUS_VOLTAGE, (bus << 3) | Ina219.BUS_CNVR);
    this.derive();
  }

  /** Current and Power from Shunt, Bus and Calibration (§8.5.1 Equations 4 and 5), OVF on overflow. */
  private derive(): void {
    const shunt = ((this.regs.get(R.SHUNT_VOLTAGE)! << 16) >> 16);
    const cal = this.regs.get(R.CALIBRATION)!;
    const busReg = this.regs.get(R.BUS_VOLTAGE)!;
    const current = Math.trunc((shunt * cal) / Ina219.CURRENT_DIVISOR);
    const currentReg = Math.max(-0x8000, Math.min(0x7fff, current));
    const power = Math.trunc((Math.abs(currentReg) * (busReg >> 3)) / Ina219.POWER_DIVISOR);
    const overflow = currentReg !== current || power > 0xffff;
    this.regs.set(R.CURRENT, u16(currentReg));
    this.regs.set(R.POWER, Math.min(power, 0xffff));
    this.regs.set(R.BUS_VOLTAGE, (busReg & ~Ina219.BUS_OVF) | (overflow ? Ina219.BUS_OVF : 0));
  }
}
