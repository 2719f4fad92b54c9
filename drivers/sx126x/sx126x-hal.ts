/**
 * The narrow HAL the chip layer talks to (the four calls of RadioLib's Module / Lora-net sx126x_hal.h:
 * write, read, reset, wait-on-busy), plus the DIO1 interrupt and the optional RF switch pins.
 * Implemented over SPI + GPIO (spi-hal.ts) and over the lattice-serial bridge (serial-hal.ts).
 */
export interface Sx126xHal {
  /**
   * One NSS-low transaction: opcode then data. Waits for BUSY low before, and after unless noWaitAfter
   * (SetSleep, where BUSY stays high). Resolves with the status byte seen on MISO (byte 1, or byte 0 when there are
   * no parameters).
   */
  write(opcode: number, data: Uint8Array, opts?: HalOptions & { noWaitAfter?: boolean; noWaitBefore?: boolean }): Promise<number>;
  /** One transaction: cmd (opcode + address/offset bytes), one status NOP, then len NOPs; returns status + data. */
  read(cmd: Uint8Array, len: number, opts?: HalOptions): Promise<{ status: number; data: Uint8Array }>;
  /** Pulse NRESET low (≥100 µs; 1 ms as RadioLib) and wait for BUSY to fall. */
  reset(opts?: HalOptions): Promise<void>;
  /** Resolve when BUSY is low; Sx126xBusyTimeoutError after the HAL's busy timeout. */
  waitReady(opts?: HalOptions): Promise<void>;
  /** Resolve when DIO1 is high (already, or on its rising edge). */
  waitIrq(opts?: HalOptions): Promise<void>;
  /** Drive RXEN/TXEN for an external RF switch; a no-op when the board switches with DIO2. */
  setRfSwitch(mode: 'rx' | 'tx' | 'off'): Promise<void>;
  close(): Promise<void>;
}

export interface HalOptions {
  signal?: AbortSignal;
}
