/**
 * Open an SX126x on a Raspberry Pi: spidev + sysfs GPIO (optional native packages spi-device and onoff, loaded
 * only here), wrapped in SpiHal and the Sx126xRadio driver. Optionally records the SPI trace (HIL tests).
 */
import type { GpioLine } from '../hal/gpio-line.js';
import { openLinuxGpio } from '../hal/linux-gpio.js';
import { openLinuxSpiDevice } from '../hal/linux-spi-device.js';
import type { ModuleLoader } from '../hal/module-loader.js';
import { TracingSpiDevice } from '../hal/tracing-spi-device.js';
import { Boards, type BoardName, type BoardPins } from './boards.js';
import { SpiHal } from './spi-hal.js';
import { Sx126xRadio } from './sx126x-radio.js';

export interface LinuxRadioOptions {
  /** A known board, or explicit pins. */
  board: BoardName | BoardPins;
  speedHz?: number;
  busyTimeoutMs?: number;
  sysRoot?: string;
  loader?: ModuleLoader;
  /** Wrap the SPI device in a TracingSpiDevice and return it. */
  trace?: boolean;
}

export async function openLinuxSx126x(opts: LinuxRadioOptions): Promise<{ radio: Sx126xRadio; trace?: TracingSpiDevice; holds: GpioLine[] }> {
  const b: BoardPins = typeof opts.board === 'string' ? Boards[opts.board] : opts.board;
  const common = { sysRoot: opts.sysRoot, loader: opts.loader };
  const opened: GpioLine[] = [];
  const open = async (bcm: number, direction: 'in' | 'out', initial?: 0 | 1) => {
    const line = await openLinuxGpio({ bcm, direction, initial, ...common });
    opened.push(line);
    return line;
  };
  try {
    const spiDev = await openLinuxSpiDevice({ bus: b.spi.bus, device: b.spi.device, speedHz: opts.speedHz, noChipSelect: b.csGpio !== undefined, loader: opts.loader });
    const trace = opts.trace ? new TracingSpiDevice(spiDev) : undefined;
    const pins = {
      busy: await open(b.busy, 'in'),
      dio1: await open(b.dio1, 'in'),
      nreset: await open(b.reset, 'out', 1),
      rxen: b.rxen !== undefined ? await open(b.rxen, 'out', 0) : undefined,
      txen: b.txen !== undefined ? await open(b.txen, 'out', 0) : undefined,
      nss: b.csGpio !== undefined ? await open(b.csGpio, 'out', 1) : undefined,
    };
    const holds: GpioLine[] = [];
    for (const pin of b.holdHigh ?? []) holds.push(await open(pin, 'out', 1));
    const hal = new SpiHal({ spi: trace ?? spiDev, pins, busyTimeoutMs: opts.busyTimeoutMs });
    const radio = new Sx126xRadio({
      hal, variant: b.variant, tcxoVoltage: b.tcxoVoltage, dio2RfSwitch: b.dio2RfSwitch,
      wiring: `SPI${b.spi.bus}.${b.spi.device}${b.csGpio !== undefined ? ` (CS on BCM ${b.csGpio})` : ''}, BUSY BCM ${b.busy}, DIO1 BCM ${b.dio1}, NRESET BCM ${b.reset}, 3.3 V and GND`,
    });
    return { radio, trace, holds };
  } catch (err) {
    for (const l of opened) await l.close().catch(() => undefined);
    throw err;
  }
}
