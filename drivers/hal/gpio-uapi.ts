/**
 * The Linux GPIO character device ABI v2 (include/uapi/linux/gpio.h, kernel ≥ 5.10), as data and pure codecs: the
 * ioctl request numbers and the byte layout of the structs they take, so the native part (packaging/gpio-cdev) is a
 * bare `ioctl(fd, request, buffer)` and everything that can be wrong about the ABI is TypeScript checked in CI
 * against a fake kernel (testing/fake-gpio-kernel.ts). libgpiod 2 makes the same calls (torvalds/linux:tools/gpio
 * gpio-utils.c `gpiotools_request_line`). Sizes and offsets below were printed with `offsetof` from the header on
 * x86-64; the structs use only fixed-width, explicitly padded members (`__aligned_u64`), so arm and arm64 agree.
 */

export const GPIO_MAX_NAME_SIZE = 32;
export const GPIO_V2_LINES_MAX = 64;
export const GPIO_V2_LINE_NUM_ATTRS_MAX = 10;

/** enum gpio_v2_line_flag */
export const LineFlag = {
  USED: 1n << 0n,
  ACTIVE_LOW: 1n << 1n,
  INPUT: 1n << 2n,
  OUTPUT: 1n << 3n,
  EDGE_RISING: 1n << 4n,
  EDGE_FALLING: 1n << 5n,
  OPEN_DRAIN: 1n << 6n,
  OPEN_SOURCE: 1n << 7n,
  BIAS_PULL_UP: 1n << 8n,
  BIAS_PULL_DOWN: 1n << 9n,
  BIAS_DISABLED: 1n << 10n,
  EVENT_CLOCK_REALTIME: 1n << 11n,
  EVENT_CLOCK_HTE: 1n << 12n,
} as const;

/** enum gpio_v2_line_attr_id */
export const LineAttrId = { FLAGS: 1, OUTPUT_VALUES: 2, DEBOUNCE: 3 } as const;

/** enum gpio_v2_line_event_id */
export const LineEventId = { RISING_EDGE: 1, FALLING_EDGE: 2 } as const;

/** Struct sizes (sizeof). */
export const SIZEOF = {
  gpiochip_info: 68,
  gpio_v2_line_info: 256,
  gpio_v2_line_request: 592,
  gpio_v2_line_config: 272,
  gpio_v2_line_values: 16,
  gpio_v2_line_event: 48,
  gpio_v2_line_attribute: 16,
  gpio_v2_line_config_attribute: 24,
} as const;

/** asm-generic/ioctl.h `_IOC(dir, type, nr, size)`: arm, arm64 and x86 share this encoding. */
function ioc(dir: number, type: number, nr: number, size: number): number {
  return ((dir << 30) | (size << 16) | (type << 8) | nr) >>> 0;
}
const IOC_WRITE = 1;
const IOC_READ = 2;
const GPIO_IOCTL_TYPE = 0xb4;

export const GPIO_GET_CHIPINFO_IOCTL = ioc(IOC_READ, GPIO_IOCTL_TYPE, 0x01, SIZEOF.gpiochip_info);
export const GPIO_V2_GET_LINEINFO_IOCTL = ioc(IOC_READ | IOC_WRITE, GPIO_IOCTL_TYPE, 0x05, SIZEOF.gpio_v2_line_info);
export const GPIO_V2_GET_LINE_IOCTL = ioc(IOC_READ | IOC_WRITE, GPIO_IOCTL_TYPE, 0x07, SIZEOF.gpio_v2_line_request);
export const GPIO_V2_LINE_SET_CONFIG_IOCTL = ioc(IOC_READ | IOC_WRITE, GPIO_IOCTL_TYPE, 0x0d, SIZEOF.gpio_v2_line_config);
export const GPIO_V2_LINE_GET_VALUES_IOCTL = ioc(IOC_READ | IOC_WRITE, GPIO_IOCTL_TYPE, 0x0e, SIZEOF.gpio_v2_line_values);
export const GPIO_V2_LINE_SET_VALUES_IOCTL = ioc(IOC_READ | IOC_WRITE, GPIO_IOCTL_TYPE, 0x0f, SIZEOF.gpio_v2_line_values);
/** asm-generic/ioctls.h: makes the line request's fd non-blocking, so reading events never parks a thread. */
export const FIONBIO = 0x5421;

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

function cString(b: Uint8Array, at: number, max: number): string {
  const bytes = b.subarray(at, at + max);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function putCString(b: Uint8Array, at: number, max: number, s: string): void {
  const bytes = new TextEncoder().encode(s);
  // Leave room for the terminating NUL, as the kernel's strscpy expects.
  b.set(bytes.subarray(0, max - 1), at);
}

export interface ChipInfo {
  name: string;
  label: string;
  lines: number;
}

export function decodeChipInfo(b: Uint8Array): ChipInfo {
  return { name: cString(b, 0, GPIO_MAX_NAME_SIZE), label: cString(b, 32, GPIO_MAX_NAME_SIZE), lines: view(b).getUint32(64, true) };
}

export function encodeChipInfo(info: ChipInfo, b: Uint8Array = new Uint8Array(SIZEOF.gpiochip_info)): Uint8Array {
  putCString(b, 0, GPIO_MAX_NAME_SIZE, info.name);
  putCString(b, 32, GPIO_MAX_NAME_SIZE, info.label);
  view(b).setUint32(64, info.lines, true);
  return b;
}

export interface LineInfo {
  name: string;
  /** Who holds the line (`spi0 CS0` when the SPI controller owns it as chip select), empty when free. */
  consumer: string;
  offset: number;
  flags: bigint;
}

/** struct gpio_v2_line_info for GPIO_V2_GET_LINEINFO_IOCTL: the caller fills `offset`, the rest must be zero. */
export function encodeLineInfoQuery(offset: number): Uint8Array {
  const b = new Uint8Array(SIZEOF.gpio_v2_line_info);
  view(b).setUint32(64, offset, true);
  return b;
}

export function decodeLineInfo(b: Uint8Array): LineInfo {
  const v = view(b);
  return { name: cString(b, 0, GPIO_MAX_NAME_SIZE), consumer: cString(b, 32, GPIO_MAX_NAME_SIZE), offset: v.getUint32(64, true), flags: v.getBigUint64(72, true) };
}

export function encodeLineInfo(info: LineInfo, b: Uint8Array = new Uint8Array(SIZEOF.gpio_v2_line_info)): Uint8Array {
  putCString(b, 0, GPIO_MAX_NAME_SIZE, info.name);
  putCString(b, 32, GPIO_MAX_NAME_SIZE, info.consumer);
  const v = view(b);
  v.setUint32(64, info.offset, true);
  v.setBigUint64(72, info.flags, true);
  return b;
}

export interface LineAttribute {
  id: number;
  /** flags, output values bitmap, or debounce period (µs), by id. */
  value: bigint;
  /** Which of the requested lines (bit i = offsets[i]) the attribute applies to. */
  mask: bigint;
}

export interface LineRequest {
  offsets: number[];
  consumer: string;
  /** Default flags for every requested line. */
  flags: bigint;
  attrs: LineAttribute[];
  /** Kernel event queue length; 0 = the kernel's default (16 per line). */
  eventBufferSize: number;
}

const REQ_CONSUMER = 256;
const REQ_CONFIG = 288;
const REQ_NUM_LINES = 560;
const REQ_EVENT_BUFFER_SIZE = 564;
const REQ_FD = 588;
const CFG_NUM_ATTRS = 8;
const CFG_ATTRS = 32;

function encodeConfig(b: Uint8Array, at: number, flags: bigint, attrs: LineAttribute[]): void {
  const v = view(b);
  v.setBigUint64(at, flags, true);
  v.setUint32(at + CFG_NUM_ATTRS, attrs.length, true);
  attrs.forEach((a, i) => {
    const p = at + CFG_ATTRS + i * SIZEOF.gpio_v2_line_config_attribute;
    v.setUint32(p, a.id, true);
    if (a.id === LineAttrId.DEBOUNCE) v.setUint32(p + 8, Number(a.value), true);
    else v.setBigUint64(p + 8, a.value, true);
    v.setBigUint64(p + 16, a.mask, true);
  });
}

function decodeConfig(b: Uint8Array, at: number): { flags: bigint; attrs: LineAttribute[]; paddingClear: boolean } {
  const v = view(b);
  const n = v.getUint32(at + CFG_NUM_ATTRS, true);
  const attrs: LineAttribute[] = [];
  for (let i = 0; i < Math.min(n, GPIO_V2_LINE_NUM_ATTRS_MAX); i++) {
    const p = at + CFG_ATTRS + i * SIZEOF.gpio_v2_line_config_attribute;
    const id = v.getUint32(p, true);
    attrs.push({ id, value: id === LineAttrId.DEBOUNCE ? BigInt(v.getUint32(p + 8, true)) : v.getBigUint64(p + 8, true), mask: v.getBigUint64(p + 16, true) });
  }
  if (n > GPIO_V2_LINE_NUM_ATTRS_MAX) attrs.length = n; // reported back so a validator can refuse it
  const paddingClear = b.subarray(at + 12, at + CFG_ATTRS).every((x) => x === 0);
  return { flags: v.getBigUint64(at, true), attrs, paddingClear };
}

export function encodeLineRequest(r: LineRequest): Uint8Array {
  if (r.offsets.length < 1 || r.offsets.length > GPIO_V2_LINES_MAX) throw new RangeError(`a line request holds 1..${GPIO_V2_LINES_MAX} lines, not ${r.offsets.length}`);
  if (r.attrs.length > GPIO_V2_LINE_NUM_ATTRS_MAX) throw new RangeError(`at most ${GPIO_V2_LINE_NUM_ATTRS_MAX} attributes`);
  const b = new Uint8Array(SIZEOF.gpio_v2_line_request);
  const v = view(b);
  r.offsets.forEach((o, i) => v.setUint32(i * 4, o, true));
  putCString(b, REQ_CONSUMER, GPIO_MAX_NAME_SIZE, r.consumer);
  encodeConfig(b, REQ_CONFIG, r.flags, r.attrs);
  v.setUint32(REQ_NUM_LINES, r.offsets.length, true);
  v.setUint32(REQ_EVENT_BUFFER_SIZE, r.eventBufferSize, true);
  return b;
}

/** The kernel's view of a request (what the fake kernel validates), with the padding check it makes. */
export function decodeLineRequest(b: Uint8Array): LineRequest & { paddingClear: boolean; fd: number } {
  const v = view(b);
  const n = v.getUint32(REQ_NUM_LINES, true);
  const offsets: number[] = [];
  for (let i = 0; i < Math.min(n, GPIO_V2_LINES_MAX); i++) offsets.push(v.getUint32(i * 4, true));
  if (n > GPIO_V2_LINES_MAX) offsets.length = n;
  const cfg = decodeConfig(b, REQ_CONFIG);
  const paddingClear = cfg.paddingClear && b.subarray(REQ_EVENT_BUFFER_SIZE + 4, REQ_FD).every((x) => x === 0);
  return { offsets, consumer: cString(b, REQ_CONSUMER, GPIO_MAX_NAME_SIZE), flags: cfg.flags, attrs: cfg.attrs, eventBufferSize: v.getUint32(REQ_EVENT_BUFFER_SIZE, true), paddingClear, fd: v.getInt32(REQ_FD, true) };
}

/** The fd of the granted request, written back by the kernel into the request struct. */
export function lineRequestFd(b: Uint8Array): number {
  return view(b).getInt32(REQ_FD, true);
}

export function setLineRequestFd(b: Uint8Array, fd: number): void {
  view(b).setInt32(REQ_FD, fd, true);
}

export function encodeLineValues(bits: bigint, mask: bigint): Uint8Array {
  const b = new Uint8Array(SIZEOF.gpio_v2_line_values);
  view(b).setBigUint64(0, bits, true);
  view(b).setBigUint64(8, mask, true);
  return b;
}

export function decodeLineValues(b: Uint8Array): { bits: bigint; mask: bigint } {
  return { bits: view(b).getBigUint64(0, true), mask: view(b).getBigUint64(8, true) };
}

export function setLineValuesBits(b: Uint8Array, bits: bigint): void {
  view(b).setBigUint64(0, bits, true);
}

export interface LineEvent {
  timestampNs: bigint;
  id: number;
  offset: number;
  seqno: number;
  lineSeqno: number;
}

export function encodeLineEvent(e: LineEvent, b: Uint8Array = new Uint8Array(SIZEOF.gpio_v2_line_event)): Uint8Array {
  const v = view(b);
  v.setBigUint64(0, e.timestampNs, true);
  v.setUint32(8, e.id, true);
  v.setUint32(12, e.offset, true);
  v.setUint32(16, e.seqno, true);
  v.setUint32(20, e.lineSeqno, true);
  return b;
}

/** Events read from a line request fd: whole 48-byte records only (a read returns whole records). */
export function decodeLineEvents(b: Uint8Array): LineEvent[] {
  const out: LineEvent[] = [];
  const v = view(b);
  for (let at = 0; at + SIZEOF.gpio_v2_line_event <= b.length; at += SIZEOF.gpio_v2_line_event) {
    out.push({ timestampNs: v.getBigUint64(at, true), id: v.getUint32(at + 8, true), offset: v.getUint32(at + 12, true), seqno: v.getUint32(at + 16, true), lineSeqno: v.getUint32(at + 20, true) });
  }
  return out;
}
