/**
 * The narrow I2C seam the power sensors use: 16-bit register reads and writes at a 7-bit address, as the INA2xx and
 * INA3221 datasheets define them (pointer byte, then two data bytes MSB first; TI SBOS448G §8.5.6, SBOS547 §7.5,
 * SBOS656C §8.5.3.3 for the INA260, SBOS576C for the INA3221). Implemented over `i2c-bus` on /dev/i2c-N and by the byte-level emulators in
 * ./sim/; a contract suite runs on every implementation.
 */
export interface I2cBus {
  /** Reads a big-endian 16-bit register. Rejects with a typed error on NAK, timeout or a closed bus. */
  readWord(address: number, register: number): Promise<number>;
  /** Writes a big-endian 16-bit register. */
  writeWord(address: number, register: number, value: number): Promise<void>;
  close(): Promise<void>;
}
