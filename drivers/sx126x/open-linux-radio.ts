/**
 * Open an SX126x on a Raspberry Pi: spidev (optional native package spi-device) and GPIO through the character
 * device (lattice-gpio-cdev) or, failing that, sysfs (onoff), wrapped in SpiHal and the Sx126xRadio driver.
 * Optionally records the SPI trace (HIL tests).
 *
 * Chip select on a plain GPIO (Waveshare Core1262: BCM 21) is driven around each transfer with spidev's CE
 * disabled (SPI_NO_CS). The Pi 5's RP1 SPI driver refuses SPI_NO_CS (raspberrypi/linux#6545); there the operator
 * moves the chip select into the controller with `dtoverlay=spi0-1cs,cs0_pin=21`, after which the kernel holds the
 * pin as "spi0 CS0": seeing that consumer, we use the hardware chip select and do not touch the pin.
 */
import type { GpioLine } from '../hal/gpio-line.js';
import { createGpioProvider, type GpioProvider, type GpioProviderOptions } from '../hal/gpio-provider.js';
import { openLinuxSpiDevice } from '../hal/linux-spi-device.js';
import type { ModuleLoader } from '../hal/module-loader.js';
import { TracingSpiDevice } from '../hal/tracing-spi-device.js';
import { Boards, type BoardName, type BoardPins } from './boards.js';
import { SpiHal } from './spi-hal.js';
import { Sx126xRadio } from './sx126x-radio.js';

export interface LinuxRadioOptions {
  /** A known board, or explicit pins. */
  board: BoardName | BoardPins;
  /** The SPI device to use instead of the board's (the operator's `device:` wins over `board:`). */
  spi?: { bus: number; device: number };
  speedHz?: number;
  busyTimeoutMs?: number;
  sysRoot?: string;
  loader?: ModuleLoader;
  /** GPIO backend choice and test seams (devRoot, the fake kernel). */
  gpio?: Omit<GpioProviderOptions, 'sysRoot' | 'loader'>;
  /** Wrap the SPI device in a TracingSpiDevice and return it. */
  trace?: boolean;
}

export interface OpenedLinuxRadio {
  radio: Sx126xRadio;
  trace?: TracingSpiDevice;
  holds: GpioLine[];
  /** How the GPIO lines are driven, and why not through the character device when sysfs is used. */
  gpio: Pick<GpioProvider, 'backend' | 'where' | 'fallbackReason'>;
  /** How the chip select is made. */
  chipSelect: 'spidev' | 'gpio' | 'spidev-overlay';
}

const OVERLAY_CS = /^spi(\d+) CS(\d+)$/;

export async function openLinuxSx126x(opts: LinuxRadioOptions): Promise<OpenedLinuxRadio> {
  const b: BoardPins = typeof opts.board === 'string' ? Boards[opts.board] : opts.board;
  const spi = opts.spi ?? b.spi;
  const provider = await createGpioProvider({ ...opts.gpio, sysRoot: opts.sysRoot, loader: opts.loader });
  const chipSelect = b.csGpio === undefined ? 'spidev' : OVERLAY_CS.test(provider.consumerOf(b.csGpio) ?? '') ? 'spidev-overlay' : 'gpio';
  const opened: GpioLine[] = [];
  const open = async (bcm: number, direction: 'in' | 'out', initial?: 0 | 1) => {
    const line = await provider.open(bcm, direction, initial);
    opened.push(line);
    return line;
  };
  try {
    const spiDev = await openLinuxSpiDevice({ bus: spi.bus, device: spi.device, speedHz: opts.speedHz, noChipSelect: chipSelect === 'gpio', ...(b.csGpio !== undefined ? { csPin: b.csGpio } : {}), loader: opts.loader });
    const trace = opts.trace ? new TracingSpiDevice(spiDev) : undefined;
    try {
      const pins = {
        busy: await open(b.busy, 'in'),
        dio1: await open(b.dio1, 'in'),
        nreset: await open(b.reset, 'out', 1),
        rxen: b.rxen !== undefined ? await open(b.rxen, 'out', 0) : undefined,
        txen: b.txen !== undefined ? await open(b.txen, 'out', 0) : undefined,
        nss: chipSelect === 'gpio' ? await open(b.csGpio!, 'out', 1) : undefined,
      };
      const holds: GpioLine[] = [];
      for (const pin of b.holdHigh ?? []) holds.push(await open(pin, 'out', 1));
      const hal = new SpiHal({ spi: trace ?? spiDev, pins, busyTimeoutMs: opts.busyTimeoutMs });
      const cs = chipSelect === 'gpio' ? ` (CS on BCM ${b.csGpio} as GPIO)` : chipSelect === 'spidev-overlay' ? ` (hardware CS moved to BCM ${b.csGpio} by dtoverlay)` : '';
      const radio = new Sx126xRadio({
        hal, variant: b.variant, tcxoVoltage: b.tcxoVoltage, dio2RfSwitch: b.dio2RfSwitch,
        wiring: `/dev/spidev${spi.bus}.${spi.device}${cs}, BUSY BCM ${b.busy}, DIO1 BCM ${b.dio1}, NRESET BCM ${b.reset} (GPIO via ${provider.where}), 3.3 V and GND`,
      });
      return { radio, trace, holds, gpio: { backend: provider.backend, where: provider.where, ...(provider.fallbackReason ? { fallbackReason: provider.fallbackReason } : {}) }, chipSelect };
    } catch (err) {
      await spiDev.close().catch(() => undefined);
      throw err;
    }
  } catch (err) {
    for (const l of opened) await l.close().catch(() => undefined);
    throw err;
  }
}
