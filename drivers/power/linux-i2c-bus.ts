/**
 * I2cBus on Linux /dev/i2c-N through the optional `i2c-bus` package (loaded only when the config names a bus, like
 * the other native seams: drivers/hal/module-loader.ts), with typed errors and a time limit per transfer.
 *
 * Transfers are SMBus "read word" / "write word" (pointer byte, then two data bytes), which is exactly the INA
 * register protocol (SBOS448G §8.5.6, SBOS547 §7.5 "Writing to and reading from"). SMBus sends a word low byte first
 * while the INA chips send MSB first, so the word is byte-swapped here (research notes on hardware: i2c-bus 5.2.3).
 */
import { existsSync } from 'node:fs';
import { loadOptional, type ModuleLoader } from '../hal/module-loader.js';
import type { Clock } from '../../lib/clock/clock.js';
import { I2cBusAccessError, I2cBusMissingError, I2cIoError, I2cNakError, I2cTimeoutError } from './errors.js';
import type { I2cBus } from './i2c-bus.js';
import { TimedI2cBus } from './timed-i2c-bus.js';

/** The part of i2c-bus 5.x's promisified API used here. */
export interface I2cBusModule {
  openPromisified(busNumber: number, options?: { forceAccess?: boolean }): Promise<NativePromisifiedBus>;
}
export interface NativePromisifiedBus {
  readWord(address: number, command: number): Promise<number>;
  writeWord(address: number, command: number, word: number): Promise<void>;
  close(): Promise<void>;
}

export interface LinuxI2cBusOptions {
  /** Bus number: 1 is /dev/i2c-1, the 40-pin header's I2C on a Raspberry Pi. */
  bus: number;
  /** Per-transfer limit (default 100 ms, timed-i2c-bus.ts). */
  timeoutMs?: number;
  clock?: Clock;
  loader?: ModuleLoader;
  /** For tests: whether the device node exists (default: fs.existsSync). */
  exists?: (path: string) => boolean;
}

const swap16 = (w: number) => ((w & 0xff) << 8) | ((w >> 8) & 0xff);

/** errno numbers on Linux, for errors that carry only a number. */
const ERRNO: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 5: 'EIO', 6: 'ENXIO', 11: 'EAGAIN', 13: 'EACCES', 16: 'EBUSY', 19: 'ENODEV', 110: 'ETIMEDOUT', 121: 'EREMOTEIO' };

export function errnoCode(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code === 'string' && e.code) return e.code;
  if (typeof e?.errno === 'number') return ERRNO[Math.abs(e.errno)] ?? `errno ${Math.abs(e.errno)}`;
  const m = /\b(E[A-Z]{2,})\b/.exec(String(e?.message ?? err));
  return m ? m[1]! : 'EIO';
}

/** Maps a failed transfer's errno to the typed error: NAK, adapter timeout, missing or forbidden bus, or plain I/O. */
export function transferError(path: string, address: number, register: number, op: 'read' | 'write', err: unknown, timeoutMs: number): Error {
  const code = errnoCode(err);
  switch (code) {
    case 'EREMOTEIO':
    case 'ENXIO':
      return new I2cNakError(path, address, register, op, err);
    case 'ETIMEDOUT':
      return new I2cTimeoutError(path, address, register, op, timeoutMs);
    case 'ENOENT':
    case 'ENODEV':
      return new I2cBusMissingError(path, err);
    case 'EACCES':
    case 'EPERM':
      return new I2cBusAccessError(path, err);
    default:
      return new I2cIoError(path, address, register, op, code, err);
  }
}

export async function openLinuxI2cBus(options: LinuxI2cBusOptions): Promise<TimedI2cBus> {
  if (!Number.isInteger(options.bus) || options.bus < 0) throw new RangeError(`I2C bus number must be a non-negative integer, got ${options.bus}`);
  const path = `/dev/i2c-${options.bus}`;
  // i2c-bus opens lazily and would only fail at the first transfer; say at once that the bus is not there.
  if (!(options.exists ?? existsSync)(path)) throw new I2cBusMissingError(path);
  const mod = await loadOptional<I2cBusModule>('i2c-bus', `I2C power sensors on ${path}`, options.loader);
  let native: NativePromisifiedBus;
  try {
    native = await mod.openPromisified(options.bus);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENODEV') throw new I2cBusMissingError(path, err);
    if (code === 'EACCES' || code === 'EPERM') throw new I2cBusAccessError(path, err);
    throw new I2cIoError(path, 0, 0, 'read', code, err);
  }
  const timeoutMs = options.timeoutMs;
  const limit = timeoutMs ?? 100;
  const raw: I2cBus = {
    async readWord(address, register) {
      try {
        return swap16(await native.readWord(address, register));
      } catch (err) {
        throw transferError(path, address, register, 'read', err, limit);
      }
    },
    async writeWord(address, register, value) {
      try {
        await native.writeWord(address, register, swap16(value & 0xffff));
      } catch (err) {
        throw transferError(path, address, register, 'write', err, limit);
      }
    },
    close: () => native.close(),
  };
  return new TimedI2cBus(raw, { path, timeoutMs, clock: options.clock });
}
