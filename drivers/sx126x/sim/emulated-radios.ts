/**
 * createEmulatedRadios: LoraRadio instances made of the real SX126x driver (Sx126xRadio over SpiHal) on top of
 * emulated chips at the SPI byte level, joined by one simulated air. Used by bearer tests and by the simulated
 * default of `lattice run`.
 */
import { Boards, type BoardName, type BoardPins } from '../boards.js';
import { SpiHal } from '../spi-hal.js';
import { Sx126xRadio, type Sx126xRadioInit } from '../sx126x-radio.js';
import type { Sx126xVariant } from '../variant.js';
import { EmulatedSx126x } from './emulated-sx126x.js';
import type { LinkModelOptions } from './link-model.js';
import { createSimClock, simTimerClock, type SimClock } from './sim-clock.js';
import { SimulatedAir } from './simulated-air.js';

export interface EmulatedNodeSpec {
  name: string;
  /** Position in metres (default: all nodes 100 m apart along x). */
  x?: number;
  y?: number;
  antennaGainDb?: number;
  variant?: Sx126xVariant;
  /** Board reference is a TCXO on DIO3 (the driver is then given tcxoVoltage, default 1.8 V). */
  tcxo?: boolean;
  tcxoVoltage?: number;
  /** A board profile (boards.ts): the chip takes its variant, TCXO rating and DIO2 switch wiring, the driver its
   * settings, as open-linux-radio.ts gives them on the real board. */
  board?: BoardName;
}

export interface EmulatedRadiosOptions extends LinkModelOptions {
  nodes: ReadonlyArray<EmulatedNodeSpec | string>;
  /** Chip time runs this much slower than wall time: 0.01 = 100× faster than real (default 1). */
  timeScale?: number;
  /** Throw on SPI while BUSY is high (default true). */
  strictBusy?: boolean;
  /** BUSY timeout handed to the driver's HAL (default 1000 ms). */
  busyTimeoutMs?: number;
  /** Throw on driver faults (driver-faults.ts) instead of only recording them on each chip (default false). */
  strictDriver?: boolean;
  /** Driver options for every radio (health check period, listen before talk, random); its timers run in chip time. */
  radio?: Pick<Sx126xRadioInit, 'healthCheckIntervalMs' | 'listenBeforeTalk' | 'random'>;
}

export interface EmulatedNode {
  name: string;
  radio: Sx126xRadio;
  chip: EmulatedSx126x;
  hal: SpiHal;
}

export interface EmulatedRadios {
  clock: SimClock;
  air: SimulatedAir;
  nodes: EmulatedNode[];
  radios: Sx126xRadio[];
  node(name: string): EmulatedNode;
  /** Close every radio (standby, stop IRQ loops). */
  close(): Promise<void>;
}

export function createEmulatedRadios(opts: EmulatedRadiosOptions): EmulatedRadios {
  const clock = createSimClock({ timeScale: opts.timeScale ?? 1 });
  const air = new SimulatedAir({ clock, pathLossExponent: opts.pathLossExponent, noiseFigureDb: opts.noiseFigureDb });
  const nodes = opts.nodes.map((spec, i): EmulatedNode => {
    const s: EmulatedNodeSpec = typeof spec === 'string' ? { name: spec } : spec;
    const board = s.board === undefined ? undefined : (Boards[s.board] as BoardPins);
    const variant = s.variant ?? board?.variant;
    const chip = new EmulatedSx126x({
      name: s.name, clock, variant, tcxo: s.tcxo, tcxoVoltage: board?.tcxoVoltage, dio2RfSwitch: board?.dio2RfSwitch,
      strictBusy: opts.strictBusy, strictDriver: opts.strictDriver,
    });
    air.attach(chip, { x: s.x ?? i * 100, y: s.y ?? 0, antennaGainDb: s.antennaGainDb });
    const hal = new SpiHal({ spi: chip.spi, pins: { busy: chip.busy, dio1: chip.dio1, nreset: chip.nreset }, busyTimeoutMs: opts.busyTimeoutMs });
    const radio = new Sx126xRadio({
      hal,
      variant,
      tcxoVoltage: board ? board.tcxoVoltage : s.tcxo ? (s.tcxoVoltage ?? 1.8) : undefined,
      dio2RfSwitch: board?.dio2RfSwitch,
      wiring: `emulated chip ${s.name}`,
      timers: simTimerClock(clock),
      ...opts.radio,
    });
    return { name: s.name, radio, chip, hal };
  });
  return {
    clock,
    air,
    nodes,
    radios: nodes.map((n) => n.radio),
    node(name) {
      const n = nodes.find((x) => x.name === name);
      if (!n) throw new Error(`no emulated node named ${name}`);
      return n;
    },
    async close() {
      await Promise.all(nodes.map((n) => n.radio.close().catch(() => undefined)));
    },
  };
}
