/**
 * Sx126xHal over the lattice-serial bridge (firmware-protocol/lattice-serial/PROTOCOL.md): the same chip commands
 * carried to a small MCU over USB serial as SLIP-framed CBOR. The codec is injected (drivers/ may not import
 * firmware-protocol/); the runtime passes `latticeSerialCodec`. Message numbers are restated here from its §3.
 */
import { timeoutSignal, isTimeout } from '../hal/abort.js';
import type { ByteLink } from '../serial/byte-link.js';
import {
  Sx126xBridgeClosedError, Sx126xBridgeError, Sx126xBridgeTimeoutError, Sx126xBridgeVersionError, Sx126xBusyTimeoutError,
} from './errors.js';
import { NOP } from './opcodes.js';
import type { HalOptions, Sx126xHal } from './sx126x-hal.js';

/** firmware-protocol/lattice-serial/PROTOCOL.md §3 message types and §5 error codes (host side copy). */
const T = { Hello: 0x01, Xfer: 0x02, Reset: 0x03, WaitReady: 0x04, SetPins: 0x05, HelloAck: 0x81, XferAck: 0x82, Irq: 0xc1, Error: 0xee } as const;
const E = { BusyTimeout: 3, VersionMismatch: 5 } as const;
const FLAG_BEFORE = 0x01;
const FLAG_AFTER = 0x02;
export const HOST_PROTOCOL_VERSION = 1;

export type BridgeFrame = readonly unknown[];
export interface BridgeDecoder {
  push(chunk: Uint8Array): Array<{ kind: 'message'; message: BridgeFrame } | { kind: 'invalid'; reason: string; seq?: number }>;
}
/** The codec shape this HAL needs (firmware-protocol/lattice-serial/codec.ts latticeSerialCodec fits it). */
export interface BridgeCodec {
  encode(msg: never): Uint8Array;
  createDecoder(): BridgeDecoder;
}

export interface SerialHalInit {
  link: ByteLink;
  codec: BridgeCodec;
  /** Reply timeout for one request (default 2000 ms; XFER replies include the bridge's own BUSY waits). */
  requestTimeoutMs?: number;
  /** BUSY timeout the bridge applies (default 1000 ms). */
  busyTimeoutMs?: number;
  /** RESET hold time (µs). */
  resetHoldUs?: number;
}

interface Pending {
  resolve(m: BridgeFrame): void;
  reject(e: Error): void;
  what: string;
  opcode?: number;
}

export class SerialHal implements Sx126xHal {
  private readonly decoder: BridgeDecoder;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private dio1 = 0;
  private irqWaiters = new Set<() => void>();
  private hello: Promise<void> | undefined;
  private closedError: Error | undefined;
  private readonly offs: Array<() => void> = [];
  /** Frames from the bridge that did not decode (counted, never thrown). */
  invalidFrames = 0;
  bridgeName = '';

  constructor(private readonly init: SerialHalInit) {
    this.decoder = init.codec.createDecoder();
    this.offs.push(init.link.onData((chunk) => this.onData(chunk)));
    this.offs.push(init.link.onClose((err) => this.onClosed(err)));
  }

  async write(opcode: number, data: Uint8Array, opts: HalOptions & { noWaitAfter?: boolean; noWaitBefore?: boolean } = {}): Promise<number> {
    const tx = new Uint8Array(1 + data.length);
    tx[0] = opcode;
    tx.set(data, 1);
    const miso = await this.xfer(tx, (opts.noWaitBefore ? 0 : FLAG_BEFORE) | (opts.noWaitAfter ? 0 : FLAG_AFTER), opts.signal);
    return miso.length > 1 ? miso[1]! : miso[0]!;
  }

  async read(cmd: Uint8Array, len: number, opts: HalOptions = {}): Promise<{ status: number; data: Uint8Array }> {
    const tx = new Uint8Array(cmd.length + 1 + len).fill(NOP);
    tx.set(cmd, 0);
    const miso = await this.xfer(tx, FLAG_BEFORE | FLAG_AFTER, opts.signal);
    return { status: miso[cmd.length]!, data: miso.slice(cmd.length + 1) };
  }

  async reset(opts: HalOptions = {}): Promise<void> {
    await this.request([T.Reset, this.init.resetHoldUs ?? 1000], 'RESET', opts.signal);
    this.dio1 = 0;
  }

  async waitReady(opts: HalOptions = {}): Promise<void> {
    await this.request([T.WaitReady, this.init.busyTimeoutMs ?? 1000], 'WAIT_READY', opts.signal);
  }

  waitIrq(opts: HalOptions = {}): Promise<void> {
    if (this.dio1 === 1) return Promise.resolve();
    if (this.closedError) return Promise.reject(this.closedError);
    const { signal } = opts;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const done = () => {
        this.irqWaiters.delete(done);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.irqWaiters.delete(done);
        reject(signal!.reason);
      };
      this.irqWaiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async setRfSwitch(mode: 'rx' | 'tx' | 'off'): Promise<void> {
    await this.request([T.SetPins, mode === 'rx' ? 1 : 0, mode === 'tx' ? 1 : 0], 'SET_PINS');
  }

  async close(): Promise<void> {
    for (const off of this.offs) off();
    this.onClosed(undefined);
    await this.init.link.close();
  }

  // ------------------------------------------------------------------

  private async xfer(tx: Uint8Array, flags: number, signal?: AbortSignal): Promise<Uint8Array> {
    const reply = await this.request([T.Xfer, tx, flags], 'XFER', signal, tx[0]);
    const miso = reply[2] as Uint8Array;
    if (miso.length !== tx.length) throw new Sx126xBridgeError(0, `XFER reply carried ${miso.length} bytes for ${tx.length}`, 'XFER');
    return miso;
  }

  private async request(fields: unknown[], what: string, signal?: AbortSignal, opcode?: number): Promise<BridgeFrame> {
    await this.greet(signal);
    return this.exchange(fields, what, signal, opcode);
  }

  private greet(signal?: AbortSignal): Promise<void> {
    this.hello ??= (async () => {
      try {
        const ack = await this.exchange([T.Hello, HOST_PROTOCOL_VERSION], 'HELLO', signal);
        if (ack[2] !== HOST_PROTOCOL_VERSION) throw new Sx126xBridgeVersionError(HOST_PROTOCOL_VERSION, ack[2] as number);
        this.bridgeName = String(ack[3]);
      } catch (err) {
        this.hello = undefined;
        if (err instanceof Sx126xBridgeError && err.code === E.VersionMismatch) throw new Sx126xBridgeVersionError(HOST_PROTOCOL_VERSION, undefined);
        throw err;
      }
    })();
    return this.hello;
  }

  private async exchange(fields: unknown[], what: string, signal?: AbortSignal, opcode?: number): Promise<BridgeFrame> {
    if (this.closedError) throw this.closedError;
    this.seq = (this.seq % 0xffff) + 1;
    const seq = this.seq;
    const msg = [fields[0], seq, ...fields.slice(1)];
    const timeoutMs = this.init.requestTimeoutMs ?? 2000;
    const t = timeoutSignal(signal, timeoutMs, `${what} reply`);
    try {
      const reply = new Promise<BridgeFrame>((resolve, reject) => {
        this.pending.set(seq, { resolve, reject, what, opcode });
        t.signal.addEventListener('abort', () => reject(t.signal.reason), { once: true });
      });
      // When the write itself fails (aborted, link gone) the reply is never awaited: its rejection must not be an
      // unhandled one (it would end the process).
      reply.catch(() => undefined);
      await this.init.link.write(this.init.codec.encode(msg as never), { signal: t.signal });
      return await reply;
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (isTimeout(err)) throw new Sx126xBridgeTimeoutError(`${what} reply`, timeoutMs);
      throw err;
    } finally {
      t.clear();
      this.pending.delete(seq);
    }
  }

  private onData(chunk: Uint8Array): void {
    for (const ev of this.decoder.push(chunk)) {
      if (ev.kind === 'invalid') {
        this.invalidFrames++;
        continue;
      }
      const m = ev.message;
      const type = m[0] as number;
      const seq = m[1] as number;
      if (type === T.Irq) {
        this.dio1 = 1;
        this.wakeIrq();
        continue;
      }
      const p = this.pending.get(seq);
      if (!p) continue; // a late reply to a request that already timed out
      // DIO1 follows the stream in order: an XFER_ACK's sample, then any later IRQ event. Taking the sample here and
      // not in the awaiting request (which resumes a microtask later) keeps a later IRQ event from being overwritten.
      if (type === T.XferAck) {
        this.dio1 = m[3] === 1 ? 1 : 0;
        if (this.dio1 === 1) this.wakeIrq();
      }
      if (type === T.Error) {
        const code = m[2] as number;
        if (code === E.BusyTimeout) {
          const phase = m[5] === 'after' ? 'after' : m[5] === 'reset' ? 'reset' : 'before';
          p.reject(new Sx126xBusyTimeoutError(p.opcode, typeof m[6] === 'number' ? m[6] : (this.init.busyTimeoutMs ?? 1000), phase));
        } else p.reject(new Sx126xBridgeError(code, String(m[3]), p.what));
      } else p.resolve(m);
    }
  }

  private wakeIrq(): void {
    for (const w of [...this.irqWaiters]) w();
  }

  private onClosed(err?: Error): void {
    if (this.closedError) return;
    this.closedError = new Sx126xBridgeClosedError(this.init.link.description, err);
    for (const p of this.pending.values()) p.reject(this.closedError);
    this.pending.clear();
    // Wake IRQ waiters: their next command fails with the closed error.
    this.wakeIrq();
  }
}
