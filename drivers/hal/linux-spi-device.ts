/** SpiDevice on Linux spidev through the optional `spi-device` package (loaded only when configured). */
import { SpiOpenError, SpiTransferError } from './errors.js';
import { loadOptional, type ModuleLoader } from './module-loader.js';
import type { SpiDevice } from './spi-device.js';

interface SpiMessage { sendBuffer: Buffer; receiveBuffer: Buffer; byteLength: number; speedHz?: number }
interface NativeSpi {
  transfer(msgs: SpiMessage[], cb: (err: Error | null, msgs: SpiMessage[]) => void): void;
  close(cb: (err: Error | null) => void): void;
}
interface SpiDeviceModule {
  open(bus: number, device: number, opts: { mode?: number; maxSpeedHz?: number; noChipSelect?: boolean }, cb: (err: Error | null) => void): NativeSpi;
}

export interface LinuxSpiOptions {
  bus: number;
  device: number;
  /** Clock (RadioLib's Pi HAL default 2 MHz; SX126x allows up to 16 MHz). */
  speedHz?: number;
  /** Chip select driven as a GPIO by the caller (Waveshare Core1262: BCM 21). */
  noChipSelect?: boolean;
  loader?: ModuleLoader;
}

export async function openLinuxSpiDevice(opts: LinuxSpiOptions): Promise<SpiDevice> {
  const path = `/dev/spidev${opts.bus}.${opts.device}`;
  const mod = await loadOptional<SpiDeviceModule>('spi-device', `SPI on ${path}`, opts.loader);
  const speedHz = opts.speedHz ?? 2_000_000;
  const dev = await new Promise<NativeSpi>((resolve, reject) => {
    const d = mod.open(opts.bus, opts.device, { mode: 0, maxSpeedHz: speedHz, noChipSelect: opts.noChipSelect }, (err) => (err ? reject(new SpiOpenError(path, err)) : resolve(d)));
  });
  return {
    transfer(tx) {
      // One message per command: the SX126x needs the whole command inside one NSS-low window (DS §8.3).
      const msg: SpiMessage = { sendBuffer: Buffer.from(tx), receiveBuffer: Buffer.alloc(tx.length), byteLength: tx.length, speedHz };
      return new Promise((resolve, reject) => dev.transfer([msg], (err, msgs) => (err ? reject(new SpiTransferError(path, err)) : resolve(new Uint8Array(msgs[0]!.receiveBuffer)))));
    },
    close() {
      return new Promise((resolve) => dev.close(() => resolve()));
    },
  };
}
