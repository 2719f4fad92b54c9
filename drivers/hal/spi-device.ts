/** A full-duplex SPI device: one transfer = one chip-select-low transaction (mode 0, MSB first). */
export interface SpiDevice {
  /** Clock tx out and resolve with the same number of bytes clocked in. */
  transfer(tx: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}
