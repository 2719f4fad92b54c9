/** SpiDevice on Linux spidev through the optional `spi-device` package (loaded only when configured). */
import { SpiNoChipSelectError, SpiOpenError, SpiTransferError } from './errors.js';
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
  /** Chip select driven as a GPIO by the caller (Waveshare Core1262: BCM 21): asks spidev for SPI_NO_CS. */
  noChipSelect?: boolean;
  /** That GPIO, for the message when the controller refuses SPI_NO_CS. */
  csPin?: number;
  loader?: ModuleLoader;
}

export async function openLinuxSpiDevice(opts: LinuxSpiOptions): Promise<SpiDevice> {
  const path = `/dev/spidev${opts.bus}.${opts.device}`;
  const mod = await loadOptional<SpiDeviceModule>('spi-device', `SPI on ${path}`, opts.loader);
  const speedHz = opts.speedHz ?? 2_000_000;
  const dev = await new Promise<NativeSpi>((resolve, reject) => {
    const d = mod.open(opts.bus, opts.device, { mode: 0, maxSpeedHz: speedHz, noChipSelect: opts.noChipSelect }, (err) => (err ? reject(openError(path, opts, err)) : resolve(d)));
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

/** EINVAL from the mode ioctl with SPI_NO_CS set is the controller refusing it (RP1 on the Pi 5); other failures
 * (no such device, permission) are plain open errors. */
function openError(path: string, opts: LinuxSpiOptions, err: Error): Error {
  const einval = (err as NodeJS.ErrnoException).code === 'EINVAL' || /EINVAL|Invalid argument/.test(err.message);
  if (opts.noChipSelect && einval) return new SpiNoChipSelectError(path, opts.csPin ?? -1, err);
  return new SpiOpenError(path, err);
}
