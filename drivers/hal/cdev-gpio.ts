/**
 * GpioLine on the Linux GPIO character device (ABI v2), as libgpiod does it: find the 40-pin header's chip by its
 * label among /dev/gpiochip* (Pi 5 kernels ≥ 6.6.45 put `pinctrl-rp1` at gpiochip0, older ones at gpiochip4:
 * raspberrypi/linux#6144), request one line per GpioLine (the line offset is the BCM number on the header chips),
 * get/set values by ioctl, and take edges from the request's event queue — the kernel timestamps and queues every
 * edge, so a short DIO1 or BUSY pulse is not lost as it can be with sysfs polling. No sysfs, no privilege beyond
 * access to the device node (group `gpio` on Raspberry Pi OS).
 */
import { join } from 'node:path';
import { GpioChipNotFoundError, GpioIoError, GpioLineBusyError, GpioOpenError, GpioPinRangeError } from './errors.js';
import { errno, errnoName, type GpioCdevBinding } from './gpio-cdev-binding.js';
import type { GpioEdge, GpioLevel, GpioLine } from './gpio-line.js';
import {
  decodeChipInfo, decodeLineEvents, decodeLineInfo, decodeLineValues, encodeLineInfoQuery, encodeLineRequest, encodeLineValues,
  FIONBIO, GPIO_GET_CHIPINFO_IOCTL, GPIO_V2_GET_LINE_IOCTL, GPIO_V2_GET_LINEINFO_IOCTL, GPIO_V2_LINE_GET_VALUES_IOCTL,
  GPIO_V2_LINE_SET_VALUES_IOCTL, LineAttrId, LineEventId, LineFlag, lineRequestFd, SIZEOF, type ChipInfo, type LineInfo,
} from './gpio-uapi.js';
import { HEADER_CHIP_LABELS } from './sysfs-gpio-base.js';

/** What a request names as its consumer (gpioinfo shows it). */
export const GPIO_CONSUMER = 'lattice';
/** Events read per read(2): more than the few edges a BUSY or DIO1 line makes between two reads. */
const EVENTS_PER_READ = 16;

export interface CdevChip extends ChipInfo {
  path: string;
}

/** The chip carrying the 40-pin header (or the one labelled `label`). */
export function findCdevChip(binding: GpioCdevBinding, opts: { devRoot?: string; label?: string } = {}): CdevChip {
  const devRoot = opts.devRoot ?? '/dev';
  let names: string[];
  try {
    names = binding.readdir(devRoot).filter((n) => /^gpiochip\d+$/.test(n));
  } catch {
    names = [];
  }
  names.sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
  const wanted = opts.label ? [opts.label] : [...HEADER_CHIP_LABELS];
  const found: string[] = [];
  for (const name of names) {
    const path = join(devRoot, name);
    let fd: number;
    try {
      fd = binding.open(path);
    } catch (err) {
      found.push(`${name}=(${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      continue;
    }
    try {
      const buf = new Uint8Array(SIZEOF.gpiochip_info);
      const r = binding.ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, buf);
      if (r < 0) {
        found.push(`${name}=(${errnoName(-r)})`);
        continue;
      }
      const info = decodeChipInfo(buf);
      if (wanted.includes(info.label)) return { ...info, path };
      found.push(`${name}=${info.label}`);
    } finally {
      binding.close(fd);
    }
  }
  throw new GpioChipNotFoundError(`${devRoot}/gpiochip*`, wanted.join(' or '), found, `is this a Raspberry Pi, is the GPIO device readable by this user (group gpio), and is /dev/gpiochipN passed into the container?${found.some((f) => f.includes('EACCES')) ? ' (permission denied on some chips)' : ''}`);
}

/** Who holds a line: `spi0 CS0` for a chip select the SPI controller owns, empty when free. */
export function cdevLineInfo(binding: GpioCdevBinding, chip: CdevChip, offset: number): LineInfo {
  if (offset < 0 || offset >= chip.lines || !Number.isInteger(offset)) throw new GpioPinRangeError(offset, chip.label, chip.lines);
  const fd = binding.open(chip.path);
  try {
    const buf = encodeLineInfoQuery(offset);
    const r = binding.ioctl(fd, GPIO_V2_GET_LINEINFO_IOCTL, buf);
    if (r < 0) throw new GpioIoError(offset, `${chip.path} line ${offset}`, 'read', errnoName(-r));
    return decodeLineInfo(buf);
  } finally {
    binding.close(fd);
  }
}

export interface CdevGpioOptions {
  /** BCM number = line offset on the header chip. */
  bcm: number;
  direction: 'in' | 'out';
  initial?: GpioLevel;
  activeLow?: boolean;
  chip: CdevChip;
  binding: GpioCdevBinding;
}

export function openCdevGpio(opts: CdevGpioOptions): GpioLine {
  const { binding, chip, bcm } = opts;
  if (!Number.isInteger(bcm) || bcm < 0 || bcm >= chip.lines) throw new GpioPinRangeError(bcm, chip.label, chip.lines);
  const at = `${chip.path} line ${bcm}`;
  let chipFd: number;
  try {
    chipFd = binding.open(chip.path);
  } catch (err) {
    throw new GpioOpenError(bcm, at, err, `add the user to group gpio (or pass ${chip.path} into the container)`);
  }
  let lineFd: number;
  try {
    const flags = (opts.direction === 'in' ? LineFlag.INPUT | LineFlag.EDGE_RISING | LineFlag.EDGE_FALLING : LineFlag.OUTPUT) | (opts.activeLow ? LineFlag.ACTIVE_LOW : 0n);
    // The output level goes in with the request, so the pin never glitches to the other level (NRESET, NSS).
    const attrs = opts.direction === 'out' ? [{ id: LineAttrId.OUTPUT_VALUES, value: BigInt(opts.initial ?? 0), mask: 1n }] : [];
    const req = encodeLineRequest({ offsets: [bcm], consumer: GPIO_CONSUMER, flags, attrs, eventBufferSize: 0 });
    const r = binding.ioctl(chipFd, GPIO_V2_GET_LINE_IOCTL, req);
    if (r < 0) {
      if (-r === errno.EBUSY) throw new GpioLineBusyError(bcm, chip.path, safeConsumer(binding, chip, bcm));
      throw new GpioOpenError(bcm, at, new Error(errnoName(-r)));
    }
    lineFd = lineRequestFd(req);
  } finally {
    binding.close(chipFd);
  }
  const one = new Uint8Array(4);
  new DataView(one.buffer).setInt32(0, 1, true);
  const nb = binding.ioctl(lineFd, FIONBIO, one);
  if (nb < 0) {
    binding.close(lineFd);
    throw new GpioOpenError(bcm, at, new Error(`FIONBIO: ${errnoName(-nb)}`));
  }
  return new CdevLine(binding, lineFd, bcm, at, opts.direction);
}

function safeConsumer(binding: GpioCdevBinding, chip: CdevChip, offset: number): string {
  try {
    return cdevLineInfo(binding, chip, offset).consumer;
  } catch {
    return '';
  }
}

interface Waiter {
  edge: GpioEdge;
  resolve: () => void;
  reject: (err: unknown) => void;
}

class CdevLine implements GpioLine {
  private readonly waiters = new Set<Waiter>();
  private stopWatch: (() => void) | undefined;
  private closed = false;
  private readonly events = new Uint8Array(EVENTS_PER_READ * SIZEOF.gpio_v2_line_event);

  constructor(
    private readonly binding: GpioCdevBinding,
    private readonly fd: number,
    private readonly bcm: number,
    private readonly at: string,
    private readonly direction: 'in' | 'out',
  ) {}

  async read(): Promise<GpioLevel> {
    this.assertOpen();
    const buf = encodeLineValues(0n, 1n);
    const r = this.binding.ioctl(this.fd, GPIO_V2_LINE_GET_VALUES_IOCTL, buf);
    if (r < 0) throw new GpioIoError(this.bcm, this.at, 'read', errnoName(-r));
    return (decodeLineValues(buf).bits & 1n) === 1n ? 1 : 0;
  }

  async write(level: GpioLevel): Promise<void> {
    this.assertOpen();
    const r = this.binding.ioctl(this.fd, GPIO_V2_LINE_SET_VALUES_IOCTL, encodeLineValues(BigInt(level), 1n));
    if (r < 0) throw new GpioIoError(this.bcm, this.at, 'write', errnoName(-r));
  }

  waitEdge(edge: GpioEdge, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = opts;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      if (this.closed || this.direction !== 'in') return reject(new GpioIoError(this.bcm, this.at, 'events', this.closed ? 'line closed' : 'not an input'));
      // Edges queued before this call belong to earlier waiters (or to nobody): hand them out first, so the new
      // waiter resolves only on an edge after the call, as the GpioLine contract says.
      try {
        this.drain();
      } catch (err) {
        return reject(err);
      }
      const onAbort = () => {
        this.waiters.delete(w);
        this.updateWatch();
        reject(signal!.reason);
      };
      const w: Waiter = {
        edge,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      this.waiters.add(w);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.updateWatch();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWatch?.();
    this.stopWatch = undefined;
    const err = new GpioIoError(this.bcm, this.at, 'events', 'line closed');
    for (const w of this.waiters) w.reject(err);
    this.waiters.clear();
    this.binding.close(this.fd);
  }

  private assertOpen(): void {
    if (this.closed) throw new GpioIoError(this.bcm, this.at, 'read', 'line closed');
  }

  /** Watch the fd only while someone waits: an idle line costs no poll handle. */
  private updateWatch(): void {
    if (this.waiters.size > 0 && !this.stopWatch && !this.closed) {
      this.stopWatch = this.binding.watch(this.fd, () => this.onReadable());
    } else if (this.waiters.size === 0 && this.stopWatch) {
      this.stopWatch();
      this.stopWatch = undefined;
    }
  }

  private onReadable(): void {
    try {
      this.drain();
    } catch (err) {
      for (const w of this.waiters) w.reject(err);
      this.waiters.clear();
    }
    this.updateWatch();
  }

  /** Read every queued event and resolve the waiters each one satisfies. */
  private drain(): void {
    for (;;) {
      const n = this.binding.read(this.fd, this.events);
      if (n === -errno.EAGAIN!) return;
      if (n < 0) throw new GpioIoError(this.bcm, this.at, 'events', errnoName(-n));
      if (n === 0) return;
      for (const e of decodeLineEvents(this.events.subarray(0, n))) {
        const kind: GpioEdge = e.id === LineEventId.RISING_EDGE ? 'rising' : 'falling';
        for (const w of [...this.waiters]) {
          if (w.edge === 'both' || w.edge === kind) {
            this.waiters.delete(w);
            w.resolve();
          }
        }
      }
      if (n < this.events.length) return;
    }
  }
}
