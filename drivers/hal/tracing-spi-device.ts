/** Wraps a SpiDevice and records every transaction (MOSI and MISO) for golden-trace comparison on real boards. */
import type { SpiDevice } from './spi-device.js';

export interface SpiTraceEntry {
  mosi: Uint8Array;
  miso: Uint8Array;
}

export class TracingSpiDevice implements SpiDevice {
  readonly trace: SpiTraceEntry[] = [];
  constructor(private readonly inner: SpiDevice) {}

  async transfer(tx: Uint8Array): Promise<Uint8Array> {
    const rx = await this.inner.transfer(tx);
    this.trace.push({ mosi: Uint8Array.from(tx), miso: Uint8Array.from(rx) });
    return rx;
  }

  clear(): void {
    this.trace.length = 0;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Hex form used in golden trace tables: "80 00". */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
