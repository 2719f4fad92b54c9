/**
 * The native addon (packaging/gpio-cdev) for real, without GPIO hardware: compiled here with the C compiler and the
 * Node headers beside this node binary, then driven through the real binding on a FIFO (FIONBIO, non-blocking
 * read, readability watch) and on /dev/null (a GPIO ioctl on a non-GPIO fd gives -ENOTTY, not a crash).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, constants, rmSync, symlinkSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCdevChip } from './cdev-gpio.js';
import { errno, loadGpioCdevBinding, type GpioCdevBinding } from './gpio-cdev-binding.js';
import { FIONBIO, GPIO_GET_CHIPINFO_IOCTL, SIZEOF } from './gpio-uapi.js';

const here = dirname(fileURLToPath(import.meta.url));
const source = resolve(here, '../../packaging/gpio-cdev/src/gpio_cdev.c');
const headers = resolve(dirname(process.execPath), '../include/node');
const work = mkdtempSync(join(tmpdir(), 'gpio-cdev-'));
let binding: GpioCdevBinding;

test.before(async () => {
  assert.ok(existsSync(join(headers, 'node_api.h')), `Node headers at ${headers} (the addon builds against them)`);
  const out = join(work, 'gpio_cdev.node');
  execFileSync('cc', ['-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-Werror', '-I', headers, source, '-o', out], { stdio: 'pipe' });
  binding = await loadGpioCdevBinding(async () => createRequire(import.meta.url)(out));
});

test.after(() => rmSync(work, { recursive: true, force: true }));

function fifo(): number {
  const path = join(work, `fifo-${Math.random().toString(36).slice(2)}`);
  execFileSync('mkfifo', [path]);
  return openSync(path, constants.O_RDWR); // Linux: O_RDWR on a FIFO does not wait for a peer
}

test('FIONBIO makes reads non-blocking: an empty FIFO reads -EAGAIN, then its bytes', () => {
  const fd = fifo();
  try {
    const one = new Uint8Array(4);
    new DataView(one.buffer).setInt32(0, 1, true);
    assert.is(binding.ioctl(fd, FIONBIO, one), 0);
    const buf = new Uint8Array(48);
    assert.is(binding.read(fd, buf), -errno.EAGAIN!);
    writeSync(fd, Buffer.from('edge'));
    assert.is(binding.read(fd, buf), 4);
  } finally {
    binding.close(fd);
  }
});

test('a GPIO ioctl on a fd that is not a GPIO chip returns -ENOTTY; a short buffer is refused before the kernel', () => {
  const fd = openSync('/dev/null', constants.O_RDWR);
  try {
    assert.is(binding.ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, new Uint8Array(SIZEOF.gpiochip_info)), -errno.ENOTTY!);
    assert.throws(() => binding.ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, new Uint8Array(8)), /shorter/);
    assert.is(binding.ioctl(9999, GPIO_GET_CHIPINFO_IOCTL, new Uint8Array(SIZEOF.gpiochip_info)), -errno.EBADF!);
  } finally {
    closeSync(fd);
  }
});

test('watch calls back when the fd becomes readable, and unwatch stops it (twice is harmless)', async () => {
  const fd = fifo();
  let calls = 0;
  const readable = new Promise<void>((resolveReadable) => {
    const stop = binding.watch(fd, () => {
      calls++;
      binding.read(fd, new Uint8Array(16)); // drain, so level-triggered polling goes quiet
      stop();
      stop();
      resolveReadable();
    });
  });
  writeSync(fd, Buffer.from('x'));
  await readable;
  assert.is(calls, 1);
  binding.close(fd);
});

test('chip discovery through the real addon: a /dev entry that is no GPIO chip is reported, not fatal', () => {
  const dev = join(work, 'dev');
  execFileSync('mkdir', ['-p', dev]);
  symlinkSync('/dev/null', join(dev, 'gpiochip0'));
  const err = (() => {
    try {
      findCdevChip(binding, { devRoot: dev });
    } catch (e) {
      return e as Error;
    }
  })();
  assert.is(err?.name, 'GpioChipNotFoundError');
  assert.match(err!.message, /gpiochip0=\(ENOTTY\)/);
});

test.run();
