/**
 * Which way this board drives its GPIO lines, decided once per radio: the GPIO character device (the kernel's
 * supported interface, the only one on Pi 5 images) through the `lattice-gpio-cdev` addon, else sysfs GPIO through
 * `onoff` as a fallback for old kernels or a board where the addon did not build. Why the character device was not
 * used is kept (`fallbackReason`) so the daemon can say so.
 */
import { readdirSync } from 'node:fs';
import { findCdevChip, cdevLineInfo, openCdevGpio, type CdevChip } from './cdev-gpio.js';
import { GpioChipNotFoundError, GpioUnavailableError, NativeModuleBuildError, NativeModuleMissingError } from './errors.js';
import { loadGpioCdevBinding, type GpioCdevBinding } from './gpio-cdev-binding.js';
import type { GpioLevel, GpioLine } from './gpio-line.js';
import { openLinuxGpio } from './linux-gpio.js';
import { loadOptional, type ModuleLoader } from './module-loader.js';
import { resolveSysfsGpio } from './sysfs-gpio-base.js';

export type GpioBackend = 'cdev' | 'sysfs';

export interface GpioProvider {
  readonly backend: GpioBackend;
  /** Where the lines are (`/dev/gpiochip0 (pinctrl-rp1)`, `/sys/class/gpio`), for messages. */
  readonly where: string;
  /** Why the character device is not used, when sysfs is. */
  readonly fallbackReason?: Error;
  open(bcm: number, direction: 'in' | 'out', initial?: GpioLevel): Promise<GpioLine>;
  /** Who holds a line, when the backend can tell (the character device can; sysfs cannot). */
  consumerOf(bcm: number): string | undefined;
}

export interface GpioProviderOptions {
  /** Default: try the character device, then sysfs. */
  backend?: 'auto' | GpioBackend;
  devRoot?: string;
  sysRoot?: string;
  /** Label of the chip to use (default: the Pi header controller). */
  chipLabel?: string;
  loader?: ModuleLoader;
  /** What the lines are for, in a native-module error (`the SPI radio lora0 on /dev/spidev0.0`). */
  purpose?: string;
  /** Tests: the ioctl boundary (testing/fake-gpio-kernel.ts). Default: the native addon. */
  cdevBinding?: GpioCdevBinding;
}

export async function createGpioProvider(opts: GpioProviderOptions = {}): Promise<GpioProvider> {
  const backend = opts.backend ?? 'auto';
  let cdevError: Error | undefined;
  if (backend !== 'sysfs') {
    try {
      const binding = opts.cdevBinding ?? (await loadGpioCdevBinding(opts.loader, opts.purpose));
      const chip = findCdevChip(binding, { devRoot: opts.devRoot, label: opts.chipLabel });
      return cdevProvider(binding, chip);
    } catch (err) {
      if (backend === 'cdev' || !isUnavailable(err)) throw err;
      cdevError = err as Error;
    }
  }
  try {
    // Both checks now, so a missing onoff or chip fails here and not at the first line.
    await loadOptional('onoff', `GPIO through sysfs${opts.purpose ? ` for ${opts.purpose}` : ''}`, opts.loader);
    await resolveSysfsGpio(0, { sysRoot: opts.sysRoot, label: opts.chipLabel });
  } catch (err) {
    if (!cdevError) throw err;
    // The character device is there but its addon is not: that is the fix to name, sysfs being the fallback.
    if (isNativeModuleError(cdevError) && hasCdevChips(opts)) throw cdevError;
    throw new GpioUnavailableError(0, { cdev: cdevError, sysfs: err as Error });
  }
  return {
    backend: 'sysfs',
    where: `${opts.sysRoot ?? '/sys'}/class/gpio`,
    ...(cdevError ? { fallbackReason: cdevError } : {}),
    open: (bcm, direction, initial) => openLinuxGpio({ bcm, direction, initial, sysRoot: opts.sysRoot, loader: opts.loader, chipLabel: opts.chipLabel }),
    consumerOf: () => undefined,
  };
}

function cdevProvider(binding: GpioCdevBinding, chip: CdevChip): GpioProvider {
  return {
    backend: 'cdev',
    where: `${chip.path} (${chip.label})`,
    open: async (bcm, direction, initial) => openCdevGpio({ bcm, direction, initial, chip, binding }),
    consumerOf: (bcm) => cdevLineInfo(binding, chip, bcm).consumer,
  };
}

const isNativeModuleError = (err: unknown): boolean => err instanceof NativeModuleMissingError || err instanceof NativeModuleBuildError;

/** Failures that mean "no character device here" (fall back), as opposed to a real fault on a chip that exists. */
const isUnavailable = (err: unknown): boolean => isNativeModuleError(err) || err instanceof GpioChipNotFoundError;

function hasCdevChips(opts: GpioProviderOptions): boolean {
  try {
    return (opts.cdevBinding ? opts.cdevBinding.readdir(opts.devRoot ?? '/dev') : readdirSync(opts.devRoot ?? '/dev')).some((n) => /^gpiochip\d+$/.test(n));
  } catch {
    return false;
  }
}
