/**
 * A simulated lattice-serial bridge firmware: what a small MCU (RP2040, ESP32-S3, nRF52840) running the bridge does,
 * in TypeScript, for tests over a PTY. It answers host requests one at a time in arrival order (an MCU main loop),
 * runs each XFER as one NSS-low SPI transaction with its own BUSY waits, drives NRESET/RXEN/TXEN, and pushes an IRQ
 * event on every DIO1 rising edge. The chip side is injected (an emulated SX126x in tests), typed structurally so
 * this layer imports nothing from drivers/.
 */
import type { ByteLink } from '../../framing/byte-link.js';
import { encodeMessage, LatticeSerialDecoder, MAX_FRAME } from '../codec.js';
import { ErrorCode, MsgType, PROTOCOL_VERSION, XferFlag, type BridgeMessage } from '../messages.js';
import { sleep } from '../../../lib/abort/sleep.js';

type Level = 0 | 1;
export interface BridgeLine {
  read(): Promise<Level>;
  write(level: Level): Promise<void>;
  waitEdge(edge: 'rising' | 'falling' | 'both', opts?: { signal?: AbortSignal }): Promise<void>;
}
export interface BridgeChipSide {
  spi: { transfer(tx: Uint8Array): Promise<Uint8Array> };
  busy: BridgeLine;
  dio1: BridgeLine;
  nreset: BridgeLine;
  rxen?: BridgeLine;
  txen?: BridgeLine;
}

export interface BridgeFirmwareOptions {
  link: ByteLink;
  chip: BridgeChipSide;
  name?: string;
  /** How long the firmware waits on BUSY before answering BusyTimeout (ms). */
  busyTimeoutMs?: number;
  /** Protocol version this firmware speaks (tests of version mismatch). */
  protocolVersion?: number;
}

export const Capability = { Rxen: 1, Txen: 2, IrqEvents: 4 } as const;

export class SimulatedBridgeFirmware {
  private readonly decoder = new LatticeSerialDecoder();
  private queue: Promise<void> = Promise.resolve();
  private greeted = false;
  private readonly stop = new AbortController();
  private readonly t0 = performance.now();
  private offData: (() => void) | undefined;
  /** Requests handled, by type, for tests. */
  readonly handled = new Map<number, number>();

  constructor(private readonly opts: BridgeFirmwareOptions) {}

  start(): void {
    this.offData = this.opts.link.onData((chunk) => {
      for (const ev of this.decoder.push(chunk)) {
        this.queue = this.queue.then(() => (ev.kind === 'message' ? this.handle(ev.message) : this.send([MsgType.Error, ev.seq ?? 0, ev.reason === 'unknown-type' ? ErrorCode.UnknownType : ErrorCode.BadFrame, `invalid frame: ${ev.reason}`])));
      }
    });
    void this.watchIrq();
  }

  async stopFirmware(): Promise<void> {
    this.stop.abort();
    this.offData?.();
    await this.queue.catch(() => undefined);
  }

  /** Like an MCU's pin-change interrupt: re-armed at once, the event queued behind the reply being produced. */
  private async watchIrq(): Promise<void> {
    const { dio1 } = this.opts.chip;
    while (!this.stop.signal.aborted) {
      try {
        await dio1.waitEdge('rising', { signal: this.stop.signal });
      } catch {
        return;
      }
      if (!this.greeted) continue;
      const at = Math.floor((performance.now() - this.t0) * 1000);
      this.queue = this.queue.then(() => this.send([MsgType.Irq, 0, 1, at]).catch(() => undefined));
    }
  }

  private async handle(m: BridgeMessage): Promise<void> {
    const [type, seq] = m;
    this.handled.set(type, (this.handled.get(type) ?? 0) + 1);
    const chip = this.opts.chip;
    try {
      if (type === MsgType.Hello) {
        const version = this.opts.protocolVersion ?? PROTOCOL_VERSION;
        if (m[2] !== version) return this.send([MsgType.Error, seq, ErrorCode.VersionMismatch, `bridge speaks version ${version}, host asked for ${m[2]}`, version]);
        this.greeted = true;
        const caps = Capability.IrqEvents | (chip.rxen ? Capability.Rxen : 0) | (chip.txen ? Capability.Txen : 0);
        return this.send([MsgType.HelloAck, seq, version, this.opts.name ?? 'lattice-bridge-sim 1.0', caps, MAX_FRAME]);
      }
      if (!this.greeted) return this.send([MsgType.Error, seq, ErrorCode.NotReady, 'send HELLO first']);
      switch (type) {
        case MsgType.Xfer: {
          const [, , mosi, flags] = m;
          const opcode = mosi[0]!;
          if (mosi.length > 520) return this.send([MsgType.Error, seq, ErrorCode.TooLong, `mosi of ${mosi.length} bytes`]);
          if (flags & XferFlag.WaitBusyBefore && !(await this.busyLow())) return this.busyTimeout(seq, opcode, 'before');
          const miso = await chip.spi.transfer(mosi);
          if (flags & XferFlag.WaitBusyAfter && !(await this.busyLow())) return this.busyTimeout(seq, opcode, 'after');
          return this.send([MsgType.XferAck, seq, miso, await chip.dio1.read()]);
        }
        case MsgType.Reset: {
          await chip.nreset.write(0);
          await sleep(Math.max(1, Math.ceil(m[2] / 1000)));
          await chip.nreset.write(1);
          await sleep(1);
          if (!(await this.busyLow())) return this.busyTimeout(seq, 0, 'reset');
          return this.send([MsgType.ResetAck, seq]);
        }
        case MsgType.WaitReady:
          if (!(await this.busyLow(m[2]))) return this.busyTimeout(seq, 0, 'before');
          return this.send([MsgType.WaitReadyAck, seq]);
        case MsgType.SetPins: {
          const [, , rxen, txen] = m;
          if (rxen !== null) await chip.rxen?.write(rxen);
          if (txen !== null) await chip.txen?.write(txen);
          return this.send([MsgType.SetPinsAck, seq]);
        }
        case MsgType.GetLines:
          return this.send([MsgType.GetLinesAck, seq, await chip.busy.read(), await chip.dio1.read()]);
        default:
          return this.send([MsgType.Error, seq, ErrorCode.UnknownType, `message type 0x${type.toString(16)} is not a request`]);
      }
    } catch (err) {
      return this.send([MsgType.Error, seq, ErrorCode.Internal, String((err as Error).message ?? err)]);
    }
  }

  private busyTimeout(seq: number, opcode: number, phase: 'before' | 'after' | 'reset'): Promise<void> {
    return this.send([MsgType.Error, seq, ErrorCode.BusyTimeout, `BUSY high ${phase}`, opcode, phase, this.opts.busyTimeoutMs ?? 1000]);
  }

  private async busyLow(timeoutMs = this.opts.busyTimeoutMs ?? 1000): Promise<boolean> {
    const { busy } = this.opts.chip;
    const end = performance.now() + timeoutMs;
    for (;;) {
      // Arm the edge wait before sampling the level so a fall in between is not missed.
      const ac = new AbortController();
      const edge = busy.waitEdge('falling', { signal: AbortSignal.any([ac.signal, this.stop.signal]) });
      edge.catch(() => undefined);
      if ((await busy.read()) === 0) {
        ac.abort();
        return true;
      }
      const left = end - performance.now();
      if (left <= 0 || this.stop.signal.aborted) {
        ac.abort();
        return false;
      }
      const t = setTimeout(() => ac.abort(), Math.ceil(left));
      await edge.catch(() => undefined);
      clearTimeout(t);
    }
  }

  private async send(m: BridgeMessage): Promise<void> {
    if (!this.opts.link.isOpen) return;
    await this.opts.link.write(encodeMessage(m));
  }
}
