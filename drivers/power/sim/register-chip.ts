/**
 * The register file all the emulated INA chips share: a pointer register set by the first byte of every write
 * (SBOS448G §8.5.6, SBOS547 §7.5: a read returns the register the last pointer names), 16-bit registers sent MSB
 * first, power-on values, read-only registers and void bits, and conversions timed on a clock and driven by a
 * physical model of volts and amps per channel.
 *
 * Faults: `brownOut()` (the supply dipped: every register back at its power-on value, calibration 0) and `nak`
 * (the chip stops acknowledging). What a driver does that a real chip silently ignores (writes to a read-only
 * register, to an address no register has) is recorded in `driverFaults` for tests to assert on.
 */
import type { I2cTargetDevice } from './emulated-i2c-bus.js';

/** Volts at the channel's bus input and amps through its shunt from IN+ to IN−. */
export interface ChannelInput {
  volts: number;
  amps: number;
}

/** The physical world at a channel (1-based) at a clock time. */
export type ChannelSource = (channel: number, atMs: number) => ChannelInput;

export interface RegisterSpec {
  reset: number;
  /** Bits a write changes; the others keep their value (0 = read-only). */
  writeMask: number;
}

export interface EmulatedChipOptions {
  clock?: { now(): number };
  source?: ChannelSource;
}

export abstract class RegisterChip implements I2cTargetDevice {
  /** Fault: the chip does not acknowledge (held in reset, unpowered, a broken wire). */
  nak = false;
  readonly driverFaults: string[] = [];
  /** Brown-outs injected, for tests. */
  brownOuts = 0;
  protected regs = new Map<number, number>();
  protected pointer = 0;
  protected readonly clock: { now(): number };
  private inputs = new Map<number, ChannelInput>();
  private source: ChannelSource | undefined;
  /** Clock time the running conversion completes; Infinity when the chip is not converting. */
  protected nextConversionAt = Infinity;
  /** Single-shot (triggered) mode: one conversion pending. */
  protected continuous = true;

  constructor(protected readonly specs: ReadonlyMap<number, RegisterSpec>, options: EmulatedChipOptions = {}) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.source = options.source;
    this.powerOn();
  }

  /** Sets a channel's volts and amps (a static world); a `source` given at construction or by setSource wins. */
  setInput(channel: number, input: ChannelInput): void {
    this.inputs.set(channel, input);
  }

  setSource(source: ChannelSource | undefined): void {
    this.source = source;
  }

  /** Fault: the supply dipped below the power-on-reset threshold; every register is back at its power-on value. */
  brownOut(): void {
    this.brownOuts++;
    this.powerOn();
  }

  /** A register's raw value as the chip holds it now (conversions due are done first). */
  peek(register: number): number {
    this.convertIfDue();
    return this.regs.get(register) ?? 0;
  }

  write(bytes: Uint8Array): boolean {
    if (this.nak) return false;
    if (bytes.length === 0) return true;
    this.pointer = bytes[0]!;
    if (bytes.length === 1) return true;
    if (bytes.length !== 3) {
      this.driverFaults.push(`write of ${bytes.length - 1} data bytes to 0x${this.pointer.toString(16)} (registers take 2)`);
      return true;
    }
    const spec = this.specs.get(this.pointer);
    const value = (bytes[1]! << 8) | bytes[2]!;
    if (!spec) {
      this.driverFaults.push(`write to 0x${this.pointer.toString(16)}, which is no register`);
      return true;
    }
    if (spec.writeMask === 0) {
      this.driverFaults.push(`write to read-only register 0x${this.pointer.toString(16)}`);
      return true;
    }
    this.convertIfDue();
    const old = this.regs.get(this.pointer) ?? spec.reset;
    this.regs.set(this.pointer, (old & ~spec.writeMask) | (value & spec.writeMask));
    this.afterWrite(this.pointer, value);
    return true;
  }

  read(length: number): Uint8Array | undefined {
    if (this.nak) return undefined;
    this.convertIfDue();
    const value = this.specs.has(this.pointer) ? this.regs.get(this.pointer) ?? 0 : 0xffff;
    const out = new Uint8Array(length).fill(0xff);
    if (length > 0) out[0] = (value >> 8) & 0xff;
    if (length > 1) out[1] = value & 0xff;
    this.afterRead(this.pointer);
    return out;
  }

  protected input(channel: number): ChannelInput {
    const now = this.clock.now();
    return this.source?.(channel, now) ?? this.inputs.get(channel) ?? { volts: 0, amps: 0 };
  }

  protected powerOn(): void {
    this.regs = new Map([...this.specs].map(([reg, spec]) => [reg, spec.reset]));
    this.pointer = 0;
    this.onPowerOn();
  }

  /** Starts conversions per the configuration's MODE (continuous, single-shot or off) after a config write/reset. */
  protected startConversions(mode: number, conversionMs: number): void {
    // MODE 000 power-down and 100 (INA219 ADC off) convert nothing; bit 2 set is continuous; 001–011 single-shot.
    if (mode === 0 || mode === 4) {
      this.nextConversionAt = Infinity;
      return;
    }
    this.continuous = (mode & 4) !== 0;
    this.nextConversionAt = this.clock.now() + conversionMs;
  }

  /** Completes the conversion due by now, if any, loading fresh results and setting the ready flag. */
  protected convertIfDue(): void {
    const now = this.clock.now();
    if (now < this.nextConversionAt) return;
    this.convert();
    this.nextConversionAt = this.continuous ? now + this.conversionMs() : Infinity;
  }

  /** Registers after reset; starts the power-on conversions. */
  protected abstract onPowerOn(): void;
  protected abstract afterWrite(register: number, value: number): void;
  protected abstract afterRead(register: number): void;
  /** Samples the inputs into the result registers and sets the conversion-ready flag. */
  protected abstract convert(): void;
  protected abstract conversionMs(): number;
}

export const clampInt = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(x)));
export const u16 = (x: number) => x & 0xffff;
