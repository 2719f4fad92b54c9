/** The GpioLine contract on every implementation: the fake, sysfs through onoff, the character device (fake kernel). */
import { rmSync } from 'node:fs';
import { openCdevGpio, findCdevChip } from './cdev-gpio.js';
import { openLinuxGpio } from './linux-gpio.js';
import { FakeGpioKernel } from './testing/fake-gpio-kernel.js';
import { FakeGpioLine } from './testing/fake-gpio-line.js';
import { FakeOnoff, fakeSysfs } from './testing/fake-onoff.js';
import { runGpioLineContract } from './testing/gpio-line-contract.js';

runGpioLineContract('FakeGpioLine', async () => {
  const lines: FakeGpioLine[] = [];
  return {
    openInput: async () => {
      const line = new FakeGpioLine('in');
      lines.push(line);
      return { line, drive: (l) => line.drive(l) };
    },
    openOutput: async (initial) => {
      const line = new FakeGpioLine('out', initial);
      lines.push(line);
      return { line, pin: () => line.level };
    },
    held: () => lines.filter((l) => !l.isClosed).length,
  };
});

runGpioLineContract('sysfs (onoff), Pi 4 base 512', async () => {
  const root = fakeSysfs([['gpiochip512', 'pinctrl-bcm2711', 512, 58]]);
  const onoff = new FakeOnoff();
  const loader = async () => onoff.module;
  return {
    openInput: async () => ({ line: await openLinuxGpio({ bcm: 16, direction: 'in', sysRoot: root, loader }), drive: (l) => onoff.drive(512 + 16, l) }),
    openOutput: async (initial) => ({ line: await openLinuxGpio({ bcm: 18, direction: 'out', initial, sysRoot: root, loader }), pin: () => onoff.levels.get(512 + 18) ?? 0 }),
    held: () => onoff.exported.size + onoff.watchers(),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});

runGpioLineContract('character device (fake kernel), Pi 5 pinctrl-rp1 at gpiochip0', async () => {
  const kernel = new FakeGpioKernel('/dev', [{ name: 'gpiochip0', label: 'pinctrl-rp1', lines: 54 }, { name: 'gpiochip10', label: 'gpio-brcmstb@107d508500', lines: 32 }]);
  const chip = findCdevChip(kernel);
  return {
    openInput: async () => ({ line: openCdevGpio({ bcm: 16, direction: 'in', chip, binding: kernel }), drive: (l) => kernel.drive('gpiochip0', 16, l) }),
    openOutput: async (initial) => ({ line: openCdevGpio({ bcm: 18, direction: 'out', initial, chip, binding: kernel }), pin: () => kernel.level('gpiochip0', 18) }),
    held: () => kernel.openFds() + kernel.watching(),
  };
});
