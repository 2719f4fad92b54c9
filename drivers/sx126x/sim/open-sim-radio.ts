/**
 * An SX126x radio on the air of `lattice sim air` (`hal: sim`): the real driver (Sx126xRadio over SpiHal) on an
 * SPI-level emulated chip whose RF side is a RemoteAirPort. Opening never waits for the air: the link is made, and
 * made again after a drop, in the background (remote-air-port.ts, air-link.ts).
 */
import type { Clock } from '../../../lib/clock/clock.js';
import { SpiHal } from '../spi-hal.js';
import { Sx126xRadio } from '../sx126x-radio.js';
import { EmulatedSx126x } from './emulated-sx126x.js';
import { RemoteAirPort } from './remote-air-port.js';
import { createSimClock } from './sim-clock.js';

export interface SimRadioInit {
  /** Names the chip in logs and errors. */
  name: string;
  air: { host: string; port: number };
  position: { x: number; y: number };
  /** Back-off sleeps of the link to the air (tests). */
  linkClock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface SimRadio {
  radio: Sx126xRadio;
  chip: EmulatedSx126x;
  port: RemoteAirPort;
  /** Closes the radio (standby, IRQ loop stopped) and the link to the air. */
  close(): Promise<void>;
}

export function openSimSx126x(init: SimRadioInit): SimRadio {
  const clock = createSimClock();
  const chip = new EmulatedSx126x({ name: init.name, clock });
  const port = new RemoteAirPort({
    host: init.air.host,
    port: init.air.port,
    position: init.position,
    chipClock: clock,
    ...(init.linkClock ? { linkClock: init.linkClock } : {}),
    ...(init.initialBackoffMs !== undefined ? { initialBackoffMs: init.initialBackoffMs } : {}),
    ...(init.maxBackoffMs !== undefined ? { maxBackoffMs: init.maxBackoffMs } : {}),
  });
  port.attach(chip);
  const hal = new SpiHal({ spi: chip.spi, pins: { busy: chip.busy, dio1: chip.dio1, nreset: chip.nreset } });
  const radio = new Sx126xRadio({ hal, wiring: `emulated chip ${init.name} on the simulated air ${init.air.host}:${init.air.port}` });
  return {
    radio,
    chip,
    port,
    async close() {
      await radio.close().catch(() => undefined);
      await port.close();
    },
  };
}
