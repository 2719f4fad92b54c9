/**
 * GpioLine on Linux sysfs GPIO through the optional `onoff` package (loaded only when real hardware is configured),
 * with the BCM→sysfs number resolved at runtime (sysfs-gpio-base.ts).
 */
import type { GpioEdge, GpioLevel, GpioLine } from './gpio-line.js';
import { GpioOpenError } from './errors.js';
import { loadOptional, type ModuleLoader } from './module-loader.js';
import { resolveSysfsGpio } from './sysfs-gpio-base.js';

/** The subset of onoff 6's Gpio we use. */
interface OnoffGpio {
  readSync(): GpioLevel;
  writeSync(v: GpioLevel): void;
  watch(cb: (err: Error | null | undefined, value: GpioLevel) => void): void;
  unwatch(cb?: (err: Error | null | undefined, value: GpioLevel) => void): void;
  unexport(): void;
}
type OnoffGpioCtor = new (n: number, direction: string, edge?: string, opts?: { activeLow?: boolean; reconfigureDirection?: boolean }) => OnoffGpio;

export interface LinuxGpioOptions {
  /** BCM number on the 40-pin header. */
  bcm: number;
  direction: 'in' | 'out';
  /** For outputs: the level to drive on open. */
  initial?: GpioLevel;
  activeLow?: boolean;
  /** Override the gpiochip label (default: the Pi header controller). */
  chipLabel?: string;
  sysRoot?: string;
  loader?: ModuleLoader;
}

export async function openLinuxGpio(opts: LinuxGpioOptions): Promise<GpioLine> {
  const onoff = await loadOptional<{ Gpio: OnoffGpioCtor }>('onoff', `GPIO BCM ${opts.bcm}`, opts.loader);
  const n = await resolveSysfsGpio(opts.bcm, { sysRoot: opts.sysRoot, label: opts.chipLabel });
  let gpio: OnoffGpio;
  try {
    const direction = opts.direction === 'in' ? 'in' : opts.initial === 1 ? 'high' : 'low';
    gpio = new onoff.Gpio(n, direction, opts.direction === 'in' ? 'both' : 'none', { activeLow: opts.activeLow });
  } catch (err) {
    throw new GpioOpenError(opts.bcm, `sysfs ${n}`, err, 'check permissions on /sys/class/gpio and that no other process holds the line');
  }
  return new OnoffLine(gpio);
}

class OnoffLine implements GpioLine {
  /** Pending waits, so close() can settle them. */
  private readonly pending = new Set<(err: Error) => void>();

  constructor(private readonly gpio: OnoffGpio) {}

  async read(): Promise<GpioLevel> {
    return this.gpio.readSync();
  }

  async write(level: GpioLevel): Promise<void> {
    this.gpio.writeSync(level);
  }

  waitEdge(edge: GpioEdge, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = opts;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const done = () => {
        this.gpio.unwatch(cb);
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(fail);
      };
      const fail = (err: unknown) => {
        done();
        reject(err);
      };
      const onAbort = () => fail(signal!.reason);
      const cb = (err: Error | null | undefined, value: GpioLevel) => {
        if (err) return fail(err);
        if (edge === 'both' || (edge === 'rising') === (value === 1)) {
          done();
          resolve();
        }
      };
      this.gpio.watch(cb);
      this.pending.add(fail);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    for (const fail of [...this.pending]) fail(new Error('GPIO line closed'));
    this.gpio.unwatch();
    this.gpio.unexport();
  }
}
