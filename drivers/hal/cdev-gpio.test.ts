/**
 * The GPIO character device path without hardware: the ABI numbers against the kernel header (printed with
 * offsetof/sizeof from /usr/include/linux/gpio.h by a C program on x86-64), chip discovery on Pi 5 kernels before
 * and after the renumbering, a line held by another consumer, the kernel's refusals, and the provider's fallback.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { findCdevChip, openCdevGpio } from './cdev-gpio.js';
import { errno } from './gpio-cdev-binding.js';
import { createGpioProvider } from './gpio-provider.js';
import {
  decodeLineRequest, encodeLineRequest, GPIO_GET_CHIPINFO_IOCTL, GPIO_V2_GET_LINE_IOCTL, GPIO_V2_GET_LINEINFO_IOCTL,
  GPIO_V2_LINE_GET_VALUES_IOCTL, GPIO_V2_LINE_SET_CONFIG_IOCTL, GPIO_V2_LINE_SET_VALUES_IOCTL, LineAttrId, LineFlag,
} from './gpio-uapi.js';
import { FakeGpioKernel } from './testing/fake-gpio-kernel.js';
import { FakeOnoff, fakeSysfs } from './testing/fake-onoff.js';

test('ioctl request numbers are the kernel header\'s', () => {
  assert.is(GPIO_GET_CHIPINFO_IOCTL, 0x8044b401);
  assert.is(GPIO_V2_GET_LINEINFO_IOCTL, 0xc100b405);
  assert.is(GPIO_V2_GET_LINE_IOCTL, 0xc250b407);
  assert.is(GPIO_V2_LINE_SET_CONFIG_IOCTL, 0xc110b40d);
  assert.is(GPIO_V2_LINE_GET_VALUES_IOCTL, 0xc010b40e);
  assert.is(GPIO_V2_LINE_SET_VALUES_IOCTL, 0xc010b40f);
});

test('struct gpio_v2_line_request layout: offsets, consumer @256, config @288, num_lines @560, fd @588', () => {
  const b = encodeLineRequest({ offsets: [21, 7], consumer: 'lattice', flags: LineFlag.OUTPUT, attrs: [{ id: LineAttrId.OUTPUT_VALUES, value: 0b01n, mask: 0b11n }], eventBufferSize: 0 });
  assert.is(b.length, 592);
  const v = new DataView(b.buffer);
  assert.is(v.getUint32(0, true), 21);
  assert.is(v.getUint32(4, true), 7);
  assert.is(new TextDecoder().decode(b.subarray(256, 263)), 'lattice');
  assert.is(v.getBigUint64(288, true), LineFlag.OUTPUT);
  assert.is(v.getUint32(296, true), 1); // num_attrs
  assert.is(v.getUint32(320, true), LineAttrId.OUTPUT_VALUES); // attrs[0].attr.id at config + 32
  assert.is(v.getBigUint64(328, true), 0b01n); // attrs[0].attr.values
  assert.is(v.getBigUint64(336, true), 0b11n); // attrs[0].mask
  assert.is(v.getUint32(560, true), 2);
  const back = decodeLineRequest(b);
  assert.equal(back.offsets, [21, 7]);
  assert.ok(back.paddingClear);
});

test('chip discovery: Pi 5 header at gpiochip4 (kernels < 6.6.45) or gpiochip0, Pi 4 at gpiochip0; none → named error', () => {
  const old = new FakeGpioKernel('/dev', [{ name: 'gpiochip0', label: 'gpio-brcmstb@107d508500', lines: 32 }, { name: 'gpiochip4', label: 'pinctrl-rp1', lines: 54 }]);
  assert.is(findCdevChip(old).path, '/dev/gpiochip4');
  const pi4 = new FakeGpioKernel('/dev', [{ name: 'gpiochip0', label: 'pinctrl-bcm2711', lines: 58 }, { name: 'gpiochip1', label: 'raspberrypi-exp-gpio', lines: 8 }]);
  assert.is(findCdevChip(pi4).label, 'pinctrl-bcm2711');
  const none = new FakeGpioKernel('/dev', [{ name: 'gpiochip0', label: 'other', lines: 8 }]);
  none.openErrors.set('/dev/gpiochip0', 'EACCES');
  const err = (() => { try { findCdevChip(none); } catch (e) { return e as Error; } })();
  assert.is(err?.name, 'GpioChipNotFoundError');
  assert.match(err!.message, /EACCES/);
  assert.is(none.openFds(), 0);
});

test('a line held by another consumer: GpioLineBusyError naming it; the SPI controller\'s CS gets its own advice', () => {
  const k = new FakeGpioKernel('/dev', [{ name: 'gpiochip0', label: 'pinctrl-rp1', lines: 54 }]);
  const chip = findCdevChip(k);
  const first = openCdevGpio({ bcm: 16, direction: 'in', chip, binding: k });
  const e1 = (() => { try { openCdevGpio({ bcm: 16, direction: 'in', chip, binding: k }); } catch (e) { return e as Error; } })();
  assert.is(e1?.name, 'GpioLineBusyError');
  assert.match(e1!.message, /"lattice"/);
  k.claimByKernel('gpiochip0', 21, 'spi0 CS0');
  const e2 = (() => { try { openCdevGpio({ bcm: 21, direction: 'out', chip, binding: k }); } catch (e) { return e as Error; } })();
  assert.is(e2?.name, 'GpioLineBusyError');
  assert.match(e2!.message, /SPI controller owns it/);
  const e3 = (() => { try { openCdevGpio({ bcm: 54, direction: 'in', chip, binding: k }); } catch (e) { return e as Error; } })();
  assert.is(e3?.name, 'GpioPinRangeError');
  void first.close();
});

test('the fake kernel refuses what the kernel refuses', () => {
  const k = new FakeGpioKernel('/dev', [{ name: 'gpiochip0', label: 'pinctrl-bcm2711', lines: 58 }]);
  const fd = k.open('/dev/gpiochip0');
  const req = (flags: bigint, offsets = [5]) => k.ioctl(fd, GPIO_V2_GET_LINE_IOCTL, encodeLineRequest({ offsets, consumer: 'x', flags, attrs: [], eventBufferSize: 0 }));
  assert.is(req(LineFlag.INPUT | LineFlag.OUTPUT), -errno.EINVAL!);
  assert.is(req(LineFlag.OUTPUT | LineFlag.EDGE_RISING), -errno.EINVAL!);
  assert.is(req(LineFlag.INPUT | LineFlag.BIAS_PULL_UP | LineFlag.BIAS_PULL_DOWN), -errno.EINVAL!);
  assert.is(req(LineFlag.INPUT, [58]), -errno.EINVAL!);
  const padded = encodeLineRequest({ offsets: [5], consumer: 'x', flags: LineFlag.INPUT, attrs: [], eventBufferSize: 0 });
  padded[570] = 1; // gpio_v2_line_request.padding
  assert.is(k.ioctl(fd, GPIO_V2_GET_LINE_IOCTL, padded), -errno.EINVAL!);
  k.close(fd);
});

test('a blocking read of a line fd is flagged: the line code sets FIONBIO before it ever reads', async () => {
  const k = new FakeGpioKernel('/dev', [{ name: 'gpiochip0', label: 'pinctrl-bcm2711', lines: 58 }]);
  const fd = k.open('/dev/gpiochip0');
  const b = encodeLineRequest({ offsets: [5], consumer: 'x', flags: LineFlag.INPUT | LineFlag.EDGE_RISING, attrs: [], eventBufferSize: 0 });
  assert.is(k.ioctl(fd, GPIO_V2_GET_LINE_IOCTL, b), 0);
  assert.throws(() => k.read(decodeLineRequest(b).fd, new Uint8Array(48)), /blocking/);
  const line = openCdevGpio({ bcm: 6, direction: 'in', chip: findCdevChip(k), binding: k });
  const edge = line.waitEdge('rising');
  k.drive('gpiochip0', 6, 1);
  await edge;
  await line.close();
});

test('provider: character device when its addon loads; sysfs fallback, with the reason, when it does not', async () => {
  const k = new FakeGpioKernel('/dev', [{ name: 'gpiochip0', label: 'pinctrl-bcm2711', lines: 58 }]);
  const cdev = await createGpioProvider({ cdevBinding: k });
  assert.is(cdev.backend, 'cdev');
  const root = fakeSysfs([['gpiochip512', 'pinctrl-bcm2711', 512, 58]]);
  const onoff = new FakeOnoff();
  try {
    const loader = async (name: string) => {
      if (name === 'onoff') return onoff.module;
      throw Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    const sysfs = await createGpioProvider({ loader, sysRoot: root, devRoot: '/nonexistent' });
    assert.is(sysfs.backend, 'sysfs');
    assert.is(sysfs.fallbackReason?.name, 'NativeModuleMissingError');
    const line = await sysfs.open(18, 'out', 1);
    assert.is(onoff.levels.get(530), 1);
    await line.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
