/**
 * A GpioCdevBinding that plays the kernel's gpiolib-cdev (torvalds/linux:drivers/gpio/gpiolib-cdev.c) for tests:
 * it decodes the ioctl structs byte for byte and refuses what the kernel refuses (non-zero padding, INPUT with
 * OUTPUT, edges on an output, unknown flags, offsets past the chip, a line already held → EBUSY, setting an input →
 * EPERM, a read shorter than one event → EINVAL), queues edge events per request (16 per line, oldest dropped), and
 * throws on a read of a blocking line fd, which on a real board would park a libuv thread until the next edge.
 * Tests drive input levels from outside (`drive`) and observe outputs (`level`). The gpio-sim kernel module would
 * do this for real but needs kernel module support, which CI kernels lack.
 */
import { errno, type GpioCdevBinding } from '../gpio-cdev-binding.js';
import {
  decodeLineRequest, decodeLineValues, encodeChipInfo, encodeLineEvent, encodeLineInfo, FIONBIO, GPIO_GET_CHIPINFO_IOCTL,
  GPIO_V2_GET_LINE_IOCTL, GPIO_V2_GET_LINEINFO_IOCTL, GPIO_V2_LINE_GET_VALUES_IOCTL, GPIO_V2_LINE_SET_VALUES_IOCTL,
  LineAttrId, LineEventId, LineFlag, setLineRequestFd, setLineValuesBits, SIZEOF,
} from '../gpio-uapi.js';

export interface FakeChipSpec {
  /** Device node name, e.g. `gpiochip0`. */
  name: string;
  label: string;
  lines: number;
}

interface Line {
  level: 0 | 1;
  /** Held by a request of ours, or by a kernel driver (`spi0 CS0`). */
  consumer: string;
  flags: bigint;
  request?: Request;
}

interface Chip extends FakeChipSpec {
  path: string;
  lineState: Line[];
}

interface Request {
  chip: Chip;
  offsets: number[];
  flags: bigint[];
  queue: Uint8Array[];
  capacity: number;
  nonBlocking: boolean;
  seqno: number;
  lineSeqno: number[];
  watchers: Set<() => void>;
}

type Fd = { kind: 'chip'; chip: Chip } | { kind: 'line'; req: Request };

const KNOWN_FLAGS = Object.values(LineFlag).reduce((a, b) => a | b, 0n);

export class FakeGpioKernel implements GpioCdevBinding {
  private readonly chips = new Map<string, Chip>();
  private readonly fds = new Map<number, Fd>();
  private nextFd = 100;
  /** Every ioctl request number seen, for tests of what a driver asks. */
  readonly ioctls: number[] = [];
  /** Paths whose open fails with this code (EACCES: the user is not in group gpio). */
  readonly openErrors = new Map<string, string>();
  private readonly outputListeners = new Set<(chip: string, offset: number, level: 0 | 1) => void>();

  constructor(readonly devRoot: string, chips: FakeChipSpec[]) {
    for (const c of chips) {
      const path = `${devRoot}/${c.name}`;
      this.chips.set(path, { ...c, path, lineState: Array.from({ length: c.lines }, () => ({ level: 0 as const, consumer: '', flags: 0n })) });
    }
  }

  // ---- test side ---------------------------------------------------------------------------------------------
  /** An external signal on an input pin: changes its level and queues edge events for requests that watch it. */
  drive(chipName: string, offset: number, level: 0 | 1): void {
    const line = this.line(chipName, offset);
    if (line.level === level) return;
    line.level = level;
    const req = line.request;
    if (!req) return;
    const i = req.offsets.indexOf(offset);
    const f = req.flags[i]!;
    if (!(f & LineFlag.INPUT)) return;
    // Edges are in terms of the active level, as the kernel reports them with ACTIVE_LOW.
    const active = f & LineFlag.ACTIVE_LOW ? (level ^ 1) : level;
    const want = active ? LineFlag.EDGE_RISING : LineFlag.EDGE_FALLING;
    if (!(f & want)) return;
    if (req.queue.length >= req.capacity) req.queue.shift();
    req.seqno++;
    req.lineSeqno[i]!++;
    req.queue.push(encodeLineEvent({ timestampNs: process.hrtime.bigint(), id: active ? LineEventId.RISING_EDGE : LineEventId.FALLING_EDGE, offset, seqno: req.seqno, lineSeqno: req.lineSeqno[i]! }));
    for (const w of [...req.watchers]) setImmediate(() => { if (req.watchers.has(w) && req.queue.length > 0) w(); });
  }

  /** The physical level of a pin (what an output drives). */
  level(chipName: string, offset: number): 0 | 1 {
    return this.line(chipName, offset).level;
  }

  /** Who holds a line ('' when free). */
  consumer(chipName: string, offset: number): string {
    return this.line(chipName, offset).consumer;
  }

  /** A kernel driver holds the line (the SPI controller's chip select after dtoverlay cs0_pin). */
  claimByKernel(chipName: string, offset: number, consumer: string): void {
    const line = this.line(chipName, offset);
    line.consumer = consumer;
    line.flags = LineFlag.USED | LineFlag.OUTPUT;
  }

  /** Called whenever a requested output changes its physical level (to wire an emulated chip's NRESET). */
  onOutput(listener: (chip: string, offset: number, level: 0 | 1) => void): void {
    this.outputListeners.add(listener);
  }

  private emitOutput(chip: Chip, offset: number): void {
    for (const l of this.outputListeners) l(chip.name, offset, chip.lineState[offset]!.level);
  }

  /** Open descriptors, to check that nothing leaks. */
  openFds(): number {
    return this.fds.size;
  }

  watching(): number {
    let n = 0;
    for (const fd of this.fds.values()) if (fd.kind === 'line') n += fd.req.watchers.size;
    return n;
  }

  // ---- the binding -------------------------------------------------------------------------------------------
  readdir(dir: string): string[] {
    if (dir !== this.devRoot) throw Object.assign(new Error(`ENOENT: ${dir}`), { code: 'ENOENT' });
    return [...this.chips.values()].map((c) => c.name).concat(['null', 'spidev0.0']);
  }

  open(path: string): number {
    const code = this.openErrors.get(path);
    if (code) throw Object.assign(new Error(`${code}: open '${path}'`), { code });
    const chip = this.chips.get(path);
    if (!chip) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    const fd = this.nextFd++;
    this.fds.set(fd, { kind: 'chip', chip });
    return fd;
  }

  ioctl(fd: number, request: number, arg: Uint8Array): number {
    this.ioctls.push(request);
    const f = this.fds.get(fd);
    if (!f) return -errno.EBADF!;
    if (request === FIONBIO) {
      if (arg.length < 4) return -errno.EFAULT!;
      if (f.kind === 'line') f.req.nonBlocking = new DataView(arg.buffer, arg.byteOffset, 4).getInt32(0, true) !== 0;
      return 0;
    }
    if (f.kind === 'chip') return this.chipIoctl(f.chip, request, arg);
    return this.lineIoctl(f.req, request, arg);
  }

  read(fd: number, into: Uint8Array): number {
    const f = this.fds.get(fd);
    if (!f) return -errno.EBADF!;
    if (f.kind !== 'line') return -errno.EINVAL!;
    if (into.length < SIZEOF.gpio_v2_line_event) return -errno.EINVAL!;
    if (f.req.queue.length === 0) {
      if (f.req.nonBlocking) return -errno.EAGAIN!;
      throw new Error('read(2) on a blocking GPIO line fd with no event queued: on a board this parks a libuv thread until the next edge');
    }
    let n = 0;
    while (f.req.queue.length > 0 && n + SIZEOF.gpio_v2_line_event <= into.length) {
      into.set(f.req.queue.shift()!, n);
      n += SIZEOF.gpio_v2_line_event;
    }
    return n;
  }

  watch(fd: number, onReadable: () => void): () => void {
    const f = this.fds.get(fd);
    if (!f || f.kind !== 'line') throw new Error(`watch on fd ${fd}, which is not a line request`);
    const req = f.req;
    const w = () => onReadable();
    req.watchers.add(w);
    // Level-triggered like uv_poll: events already queued make the fd readable at once.
    if (req.queue.length > 0) setImmediate(() => { if (req.watchers.has(w) && req.queue.length > 0) w(); });
    return () => req.watchers.delete(w);
  }

  close(fd: number): void {
    const f = this.fds.get(fd);
    if (!f) throw Object.assign(new Error(`EBADF: bad file descriptor, close`), { code: 'EBADF' });
    this.fds.delete(fd);
    if (f.kind === 'line') {
      f.req.watchers.clear();
      for (const o of f.req.offsets) {
        const line = f.req.chip.lineState[o]!;
        line.request = undefined;
        line.consumer = '';
        line.flags = 0n;
      }
    }
  }

  // ---- the kernel's checks -----------------------------------------------------------------------------------
  private chipIoctl(chip: Chip, request: number, arg: Uint8Array): number {
    if (request === GPIO_GET_CHIPINFO_IOCTL) {
      if (arg.length < SIZEOF.gpiochip_info) return -errno.EFAULT!;
      arg.fill(0, 0, SIZEOF.gpiochip_info);
      encodeChipInfo({ name: chip.name, label: chip.label, lines: chip.lines }, arg);
      return 0;
    }
    if (request === GPIO_V2_GET_LINEINFO_IOCTL) {
      if (arg.length < SIZEOF.gpio_v2_line_info) return -errno.EFAULT!;
      const v = new DataView(arg.buffer, arg.byteOffset, arg.byteLength);
      const offset = v.getUint32(64, true);
      // gpio_v2_get_lineinfo: everything but the offset must be zero on the way in.
      if (!arg.subarray(0, 64).every((x) => x === 0) || !arg.subarray(68, SIZEOF.gpio_v2_line_info).every((x) => x === 0)) return -errno.EINVAL!;
      if (offset >= chip.lines) return -errno.EINVAL!;
      const line = chip.lineState[offset]!;
      encodeLineInfo({ name: `GPIO${offset}`, consumer: line.consumer, offset, flags: line.consumer ? line.flags | LineFlag.USED : LineFlag.INPUT }, arg);
      return 0;
    }
    if (request === GPIO_V2_GET_LINE_IOCTL) {
      if (arg.length < SIZEOF.gpio_v2_line_request) return -errno.EFAULT!;
      const r = decodeLineRequest(arg);
      if (r.offsets.length === 0 || r.offsets.length > 64) return -errno.EINVAL!;
      if (!r.paddingClear || r.attrs.length > 10) return -errno.EINVAL!;
      const flags = r.offsets.map((_, i) => {
        let f = r.flags;
        for (const a of r.attrs) if (a.id === LineAttrId.FLAGS && (a.mask >> BigInt(i)) & 1n) f = a.value;
        return f;
      });
      for (const f of flags) if (!validFlags(f)) return -errno.EINVAL!;
      for (const o of r.offsets) if (o >= chip.lines) return -errno.EINVAL!;
      if (new Set(r.offsets).size !== r.offsets.length) return -errno.EBUSY!;
      for (const o of r.offsets) if (chip.lineState[o]!.consumer) return -errno.EBUSY!;
      const req: Request = { chip, offsets: r.offsets, flags, queue: [], capacity: (r.eventBufferSize || 16 * r.offsets.length), nonBlocking: false, seqno: 0, lineSeqno: r.offsets.map(() => 0), watchers: new Set() };
      r.offsets.forEach((o, i) => {
        const line = chip.lineState[o]!;
        line.request = req;
        line.consumer = r.consumer;
        line.flags = flags[i]!;
        if (flags[i]! & LineFlag.OUTPUT) {
          let value = 0n;
          for (const a of r.attrs) if (a.id === LineAttrId.OUTPUT_VALUES && (a.mask >> BigInt(i)) & 1n) value = (a.value >> BigInt(i)) & 1n;
          const physical = (flags[i]! & LineFlag.ACTIVE_LOW ? value ^ 1n : value) === 1n ? 1 : 0;
          line.level = physical;
          this.emitOutput(chip, o);
        }
      });
      const fd = this.nextFd++;
      this.fds.set(fd, { kind: 'line', req });
      setLineRequestFd(arg, fd);
      return 0;
    }
    return -errno.EINVAL!;
  }

  private lineIoctl(req: Request, request: number, arg: Uint8Array): number {
    if (request === GPIO_V2_LINE_GET_VALUES_IOCTL || request === GPIO_V2_LINE_SET_VALUES_IOCTL) {
      if (arg.length < SIZEOF.gpio_v2_line_values) return -errno.EFAULT!;
      const { bits, mask } = decodeLineValues(arg);
      if (mask === 0n || mask >> BigInt(req.offsets.length) !== 0n) return -errno.EINVAL!;
      if (request === GPIO_V2_LINE_GET_VALUES_IOCTL) {
        let out = 0n;
        req.offsets.forEach((o, i) => {
          if (!((mask >> BigInt(i)) & 1n)) return;
          const physical = BigInt(req.chip.lineState[o]!.level);
          const active = req.flags[i]! & LineFlag.ACTIVE_LOW ? physical ^ 1n : physical;
          out |= active << BigInt(i);
        });
        setLineValuesBits(arg, out);
        return 0;
      }
      for (let i = 0; i < req.offsets.length; i++) if ((mask >> BigInt(i)) & 1n && !(req.flags[i]! & LineFlag.OUTPUT)) return -errno.EPERM!;
      req.offsets.forEach((o, i) => {
        if (!((mask >> BigInt(i)) & 1n)) return;
        const active = (bits >> BigInt(i)) & 1n;
        req.chip.lineState[o]!.level = (req.flags[i]! & LineFlag.ACTIVE_LOW ? active ^ 1n : active) === 1n ? 1 : 0;
        this.emitOutput(req.chip, o);
      });
      return 0;
    }
    return -errno.EINVAL!;
  }

  private line(chipName: string, offset: number): Line {
    const chip = this.chips.get(`${this.devRoot}/${chipName}`);
    const line = chip?.lineState[offset];
    if (!line) throw new Error(`no line ${offset} on ${chipName}`);
    return line;
  }
}

/** gpio_v2_line_flags_validate. */
function validFlags(f: bigint): boolean {
  if (f & ~KNOWN_FLAGS) return false;
  if (f & LineFlag.USED) return false;
  const input = (f & LineFlag.INPUT) !== 0n;
  const output = (f & LineFlag.OUTPUT) !== 0n;
  if (input && output) return false;
  if (!input && (f & (LineFlag.EDGE_RISING | LineFlag.EDGE_FALLING))) return false;
  if (!output && (f & (LineFlag.OPEN_DRAIN | LineFlag.OPEN_SOURCE))) return false;
  if ((f & LineFlag.OPEN_DRAIN) && (f & LineFlag.OPEN_SOURCE)) return false;
  const bias = [LineFlag.BIAS_PULL_UP, LineFlag.BIAS_PULL_DOWN, LineFlag.BIAS_DISABLED].filter((b) => f & b).length;
  if (bias > 1) return false;
  if ((f & LineFlag.EVENT_CLOCK_REALTIME) && (f & LineFlag.EVENT_CLOCK_HTE)) return false;
  return true;
}
