/**
 * Sx126xHal over an SPI device and GPIO lines, with the BUSY protocol of DS.SX1261-2 §8.3 as RadioLib implements it
 * (src/Module.cpp SPItransferStream): BUSY low before NSS falls, one transfer per command, BUSY low again after.
 */
import type { GpioLine } from '../hal/gpio-line.js';
import type { SpiDevice } from '../hal/spi-device.js';
import { sleep } from '../../lib/abort/sleep.js';
import { isTimeout, timeoutSignal } from '../hal/abort.js';
import { Sx126xBusyTimeoutError } from './errors.js';
import { NOP } from './opcodes.js';
import type { HalOptions, Sx126xHal } from './sx126x-hal.js';

export interface SpiHalPins {
  busy: GpioLine;
  dio1: GpioLine;
  nreset: GpioLine;
  /** External RF switch enables (E22 boards: RXEN; some boards both). */
  rxen?: GpioLine;
  txen?: GpioLine;
  /** Chip select driven as a GPIO around each transfer (Waveshare Core1262 HAT: CS on BCM 21, not CE0). */
  nss?: GpioLine;
}

export interface SpiHalInit {
  spi: SpiDevice;
  pins: SpiHalPins;
  /** How long BUSY may stay high (RadioLib spiConfig.timeout = 1000 ms). */
  busyTimeoutMs?: number;
  /** NRESET low time (datasheet ≥100 µs; RadioLib holds 1 ms). */
  resetHoldMs?: number;
}

export class SpiHal implements Sx126xHal {
  private readonly busyTimeoutMs: number;
  private readonly resetHoldMs: number;
  private lastOpcode: number | undefined;

  constructor(private readonly init: SpiHalInit) {
    this.busyTimeoutMs = init.busyTimeoutMs ?? 1000;
    this.resetHoldMs = init.resetHoldMs ?? 1;
  }

  async write(opcode: number, data: Uint8Array, opts: HalOptions & { noWaitAfter?: boolean; noWaitBefore?: boolean } = {}): Promise<number> {
    if (!opts.noWaitBefore) await this.waitBusy('before', opcode, opts.signal);
    const tx = new Uint8Array(1 + data.length);
    tx[0] = opcode;
    tx.set(data, 1);
    const rx = await this.transfer(tx);
    this.lastOpcode = opcode;
    if (!opts.noWaitAfter) await this.waitBusy('after', opcode, opts.signal);
    return rx.length > 1 ? rx[1]! : rx[0]!;
  }

  async read(cmd: Uint8Array, len: number, opts: HalOptions = {}): Promise<{ status: number; data: Uint8Array }> {
    const opcode = cmd[0]!;
    await this.waitBusy('before', opcode, opts.signal);
    const tx = new Uint8Array(cmd.length + 1 + len).fill(NOP);
    tx.set(cmd, 0);
    const rx = await this.transfer(tx);
    this.lastOpcode = opcode;
    await this.waitBusy('after', opcode, opts.signal);
    return { status: rx[cmd.length]!, data: rx.slice(cmd.length + 1) };
  }

  async reset(opts: HalOptions = {}): Promise<void> {
    const { nreset } = this.init.pins;
    await nreset.write(0);
    await sleep(this.resetHoldMs, { signal: opts.signal });
    await nreset.write(1);
    // BUSY rises within a few µs of NRESET release and stays high through start-up (~3.5 ms).
    await sleep(1, { signal: opts.signal });
    await this.waitBusy('reset', undefined, opts.signal);
  }

  waitReady(opts: HalOptions = {}): Promise<void> {
    return this.waitBusy('before', this.lastOpcode, opts.signal);
  }

  async waitIrq(opts: HalOptions = {}): Promise<void> {
    const { dio1 } = this.init.pins;
    // Arm the edge wait before sampling the level, so an IRQ raised in between is not missed.
    const local = new AbortController();
    const edge = dio1.waitEdge('rising', { signal: opts.signal ? AbortSignal.any([opts.signal, local.signal]) : local.signal });
    edge.catch(() => undefined);
    if ((await dio1.read()) === 1) {
      local.abort();
      return;
    }
    await edge;
  }

  async setRfSwitch(mode: 'rx' | 'tx' | 'off'): Promise<void> {
    const { rxen, txen } = this.init.pins;
    // Break before make: never drive both enables at once.
    if (mode !== 'rx' && rxen) await rxen.write(0);
    if (mode !== 'tx' && txen) await txen.write(0);
    if (mode === 'rx' && rxen) await rxen.write(1);
    if (mode === 'tx' && txen) await txen.write(1);
  }

  async close(): Promise<void> {
    await this.setRfSwitch('off').catch(() => undefined);
    const { busy, dio1, nreset, rxen, txen, nss } = this.init.pins;
    for (const line of [busy, dio1, nreset, rxen, txen, nss]) await line?.close().catch(() => undefined);
    await this.init.spi.close();
  }

  private async transfer(tx: Uint8Array): Promise<Uint8Array> {
    const { nss } = this.init.pins;
    if (!nss) return this.init.spi.transfer(tx);
    await nss.write(0);
    try {
      return await this.init.spi.transfer(tx);
    } finally {
      await nss.write(1);
    }
  }

  private async waitBusy(phase: 'before' | 'after' | 'reset', opcode: number | undefined, signal?: AbortSignal): Promise<void> {
    const { busy } = this.init.pins;
    if ((await busy.read()) === 0) return;
    const t = timeoutSignal(signal, this.busyTimeoutMs, 'BUSY low');
    const waitSignal = t.signal;
    try {
      for (;;) {
        const local = new AbortController();
        const edge = busy.waitEdge('falling', { signal: AbortSignal.any([waitSignal, local.signal]) });
        edge.catch(() => undefined);
        if ((await busy.read()) === 0) {
          local.abort();
          return;
        }
        await edge;
        if ((await busy.read()) === 0) return;
      }
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (isTimeout(err) || waitSignal.aborted) throw new Sx126xBusyTimeoutError(opcode, this.busyTimeoutMs, phase);
      throw err;
    } finally {
      t.clear();
    }
  }
}
