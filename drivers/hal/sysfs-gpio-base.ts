/**
 * Map a BCM GPIO number to its sysfs number. On kernels ≥ 6.6 the 40-pin header's gpiochip no longer has base 0
 * (Pi 4 Bookworm: 512, Pi 5: 571; fivdi/onoff#199/#200, raspberrypi/linux#6084), so scan
 * /sys/class/gpio/gpiochip<N>/{base,label,ngpio} and add the base of the header's controller.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GpioChipNotFoundError, GpioPinRangeError } from './errors.js';

/** Labels of the SoC pin controllers that carry the 40-pin header (Zero 2 W / Pi 3, Pi 4, Pi 5). */
export const HEADER_CHIP_LABELS = ['pinctrl-bcm2835', 'pinctrl-bcm2711', 'pinctrl-rp1'] as const;

export interface SysfsGpioChip {
  name: string;
  label: string;
  base: number;
  ngpio: number;
}

export async function listSysfsGpioChips(sysRoot = '/sys'): Promise<SysfsGpioChip[]> {
  const dir = join(sysRoot, 'class/gpio');
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const chips: SysfsGpioChip[] = [];
  for (const name of entries.filter((e) => /^gpiochip\d+$/.test(e))) {
    try {
      const [label, base, ngpio] = await Promise.all(['label', 'base', 'ngpio'].map((f) => readFile(join(dir, name, f), 'utf8')));
      chips.push({ name, label: label!.trim(), base: Number(base!.trim()), ngpio: Number(ngpio!.trim()) });
    } catch {
      /* a chip directory without the attributes is not usable */
    }
  }
  return chips.sort((a, b) => a.base - b.base);
}

/** The sysfs number for a BCM pin: base of the header controller (or of the chip with `label`) + pin. */
export async function resolveSysfsGpio(bcm: number, opts: { sysRoot?: string; label?: string } = {}): Promise<number> {
  const sysRoot = opts.sysRoot ?? '/sys';
  const chips = await listSysfsGpioChips(sysRoot);
  const wanted = opts.label ? [opts.label] : [...HEADER_CHIP_LABELS];
  const chip = chips.find((c) => wanted.includes(c.label));
  if (!chip) throw new GpioChipNotFoundError(`${sysRoot}/class/gpio`, wanted.join(' or '), chips.map((c) => `${c.name}=${c.label}@${c.base}`), 'is this a Raspberry Pi with CONFIG_GPIO_SYSFS, and is /sys mounted read-write (privileged container)?');
  if (!Number.isInteger(bcm) || bcm < 0 || bcm >= chip.ngpio) throw new GpioPinRangeError(bcm, chip.label, chip.ngpio);
  return chip.base + bcm;
}
