/**
 * The seam at the ioctl boundary of the GPIO character device: open a chip, `ioctl` with a struct buffer, read
 * events from a line request fd, learn when it is readable, close. The real one is node:fs plus the small native
 * addon `lattice-gpio-cdev` (packaging/gpio-cdev: a bare ioctl(2) and a libuv poll, nothing GPIO-specific); the
 * fake one (testing/fake-gpio-kernel.ts) interprets the structs as the kernel does, so CI runs the same code.
 */
import { closeSync, constants as fsConstants, openSync, readdirSync, readSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { loadOptional, type ModuleLoader } from './module-loader.js';

export interface GpioCdevBinding {
  /** Open `/dev/gpiochipN` read-write; throws an Error with `code` (ENOENT, EACCES...) like node:fs. */
  open(path: string): number;
  /** ioctl(2) with a pointer to `arg`; returns the result, or −errno. */
  ioctl(fd: number, request: number, arg: Uint8Array): number;
  /** read(2) on a non-blocking fd; returns the byte count, or −errno (−EAGAIN when nothing is queued). */
  read(fd: number, into: Uint8Array): number;
  /** Call `onReadable` whenever the fd has data, until the returned function is called. */
  watch(fd: number, onReadable: () => void): () => void;
  close(fd: number): void;
  /** The entries of a directory (to find /dev/gpiochip*). */
  readdir(dir: string): string[];
}

/** What packaging/gpio-cdev/index.cjs exports. */
interface GpioCdevAddon {
  ioctl(fd: number, request: number, arg: Uint8Array): number;
  watch(fd: number, onReadable: () => void): object;
  unwatch(handle: object): void;
}

export const GPIO_CDEV_MODULE = 'lattice-gpio-cdev';

export const errno = osConstants.errno as Record<string, number>;
const errnoNames = new Map(Object.entries(errno).map(([name, n]) => [n, name]));
export const errnoName = (n: number): string => errnoNames.get(n) ?? `errno ${n}`;

export async function loadGpioCdevBinding(loader?: ModuleLoader, purpose?: string): Promise<GpioCdevBinding> {
  const addon = await loadOptional<GpioCdevAddon>('lattice-gpio-cdev', `GPIO through /dev/gpiochip*${purpose ? ` for ${purpose}` : ''}`, loader);
  return {
    // libuv adds O_CLOEXEC to every open, as libgpiod's gpiod_chip_open does.
    open: (path) => openSync(path, fsConstants.O_RDWR),
    ioctl: (fd, request, arg) => addon.ioctl(fd, request, arg),
    read(fd, into) {
      try {
        return readSync(fd, into, 0, into.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        return -(code && errno[code] !== undefined ? errno[code]! : errno.EIO!);
      }
    },
    watch(fd, onReadable) {
      const handle = addon.watch(fd, onReadable);
      let stopped = false;
      // The addon frees the watch on the first unwatch: a second call must never reach it.
      return () => {
        if (stopped) return;
        stopped = true;
        addon.unwatch(handle);
      };
    },
    close: (fd) => closeSync(fd),
    readdir: (dir) => readdirSync(dir),
  };
}
