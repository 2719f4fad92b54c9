/**
 * An I2C bus in memory hosting byte-level device emulators by 7-bit address, with the bus faults the power
 * subsystem must survive: a device that does not acknowledge, and a bus that hangs (SDA held low: every transfer
 * waits until `release()`). Transfers are the INA register protocol at byte level: a write of the pointer byte
 * (then two data bytes MSB first for a register write), or a pointer write followed by a 2-byte read.
 */
import { I2cBusClosedError, I2cNakError } from '../errors.js';
import type { I2cBus } from '../i2c-bus.js';

/** A device on the bus at byte level. `write` and `read` throw I2cNakError-worthy refusals by returning false. */
export interface I2cTargetDevice {
  /** A write transaction's bytes after the address; false = NAK. */
  write(bytes: Uint8Array): boolean;
  /** A read transaction of `length` bytes; undefined = NAK. */
  read(length: number): Uint8Array | undefined;
}

export class EmulatedI2cBus implements I2cBus {
  /** Transfers that reached a device (acknowledged or not), for tests. */
  transfers = 0;
  private readonly devices = new Map<number, I2cTargetDevice>();
  private hung = false;
  private waiting: Array<() => void> = [];
  private closed = false;

  constructor(readonly path = 'sim:i2c') {}

  attach(address: number, device: I2cTargetDevice): this {
    if (this.devices.has(address)) throw new Error(`address 0x${address.toString(16)} is taken on ${this.path}`);
    this.devices.set(address, device);
    return this;
  }

  detach(address: number): void {
    this.devices.delete(address);
  }

  /** Fault: the bus hangs; every transfer waits (forever) until release(). */
  hang(): void {
    this.hung = true;
  }

  release(): void {
    this.hung = false;
    for (const resume of this.waiting.splice(0)) resume();
  }

  get pending(): number {
    return this.waiting.length;
  }

  async readWord(address: number, register: number): Promise<number> {
    await this.gate();
    const dev = this.devices.get(address);
    this.transfers++;
    if (!dev || !dev.write(Uint8Array.of(register & 0xff))) throw new I2cNakError(this.path, address, register, 'read');
    const bytes = dev.read(2);
    if (!bytes) throw new I2cNakError(this.path, address, register, 'read');
    return (bytes[0]! << 8) | bytes[1]!;
  }

  async writeWord(address: number, register: number, value: number): Promise<void> {
    await this.gate();
    const dev = this.devices.get(address);
    this.transfers++;
    if (!dev || !dev.write(Uint8Array.of(register & 0xff, (value >> 8) & 0xff, value & 0xff))) throw new I2cNakError(this.path, address, register, 'write');
  }

  async close(): Promise<void> {
    this.closed = true;
    // A transfer stuck on the hung bus is abandoned; it rejects as closed.
    for (const resume of this.waiting.splice(0)) resume();
  }

  private async gate(): Promise<void> {
    if (this.closed) throw new I2cBusClosedError(this.path);
    if (this.hung) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.closed) throw new I2cBusClosedError(this.path);
    // A transfer takes time on a real bus; let other work interleave as it would.
    await Promise.resolve();
  }
}
