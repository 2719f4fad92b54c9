/**
 * The `lora:` config section (lora-config.ts) to LoRa bearers: opens each entry's radio (SPI HAT or serial bridge;
 * the driver loads only here) and maps the entry's keys to the bearer's init, in one place.
 */
import type { ModuleLoader } from '../../../drivers/hal/module-loader.js';
import { Boards, type BoardPins } from '../../../drivers/sx126x/boards.js';
import type { LoraRadio } from '../../../drivers/sx126x/lora-radio.js';
import type { LinuxRadioOptions, OpenedLinuxRadio } from '../../../drivers/sx126x/open-linux-radio.js';
import type { Sx126xRadio } from '../../../drivers/sx126x/sx126x-radio.js';
import type { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import type { BearerBuildContext, BearerFactory, BuiltKind } from '../../bearer/bearer-kind.js';
import type { Components } from '../../components/components.js';
import { createAirtimeLedger, loraBearer, type LoraInit } from './create-lora-bearer.js';
import type { LoraConfig } from './lora-config.js';
import type { Identity } from '../../identity/identity.js';

export async function loraBearers(entries: LoraConfig[], context: BearerBuildContext, seams: SpiRadioSeams = {}): Promise<BuiltKind> {
  if (entries.length === 0) return { bearers: [] };
  // Native modules first, for every radio: a module that did not build stops the start here, naming itself and
  // the fix, before anything is opened.
  await checkSpiRadioModules(entries, seams);
  // One ledger per board: the duty cycle limits the transmitter's sub-band use, whichever radio sends.
  const ledger = createAirtimeLedger(context.dataDir);
  const bearers: BearerFactory[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  try {
    for (const l of entries) {
      const { radio, close, watch } = await openLoraRadio(l);
      if (close) cleanups.push(close);
      // `protocol: meshtastic`: the radio is a native Meshtastic node (runtime/bearers/meshtastic-native).
      if (l.protocol === 'meshtastic') {
        const { nativeNodeFactory } = await import('../meshtastic-native/native-from-config.js');
        const factory = await nativeNodeFactory(l, { radio, ledger, dataDir: context.dataDir });
        bearers.push((components) => {
          watch?.(components);
          return factory(components);
        });
        continue;
      }
      // `protocol: meshcore`: the radio is a native MeshCore repeater and companion (runtime/bearers/meshcore-native).
      if (l.protocol === 'meshcore') {
        const { mcNodeFactory } = await import('../meshcore-native/mc-from-config.js');
        const factory = await mcNodeFactory(l, { radio, ledger, dataDir: context.dataDir });
        bearers.push((components) => {
          watch?.(components);
          return factory(components);
        });
        continue;
      }
      bearers.push((components) => {
        watch?.(components);
        const radioLog = components.logger.forComponent(l.name);
        radio.onError((err) => radioLog.warn('radio error', { err: err.message, name: err.name }));
        return loraBearer(loraInit(l, { radio, nodeId: context.identity.nodeId, ledger, identity: context.identity }))(components);
      });
    }
  } catch (err) {
    // A radio that cannot be opened stops the start: release the ones already opened.
    for (const close of cleanups) await close().catch(() => undefined);
    throw err;
  }
  return { bearers, cleanups };
}

/** One `lora:` entry as the bearer's init, for a radio already opened. */
export function loraInit(l: LoraConfig, opened: { radio: LoraRadio; nodeId: Uint8Array; ledger: AirtimeLedger; identity?: Identity }): LoraInit {
  return {
    ...(l.v2 !== false && opened.identity ? { v2: { identity: opened.identity, ...(l.groupKey !== undefined ? { groupPsk: new TextEncoder().encode(l.groupKey) } : {}) } } : {}),
    name: l.name,
    radio: opened.radio,
    nodeId: opened.nodeId,
    region: l.region,
    preset: l.preset,
    ...txPower(l),
    ledger: opened.ledger,
  };
}

/** The config's transmit power, held to the board amplifier's limit (meshtasticd SX126X_MAX_POWER): a 2 W HAT
 * whose chip is driven past 8 dBm overdrives its amplifier. The config check refuses a higher txPowerDbm; without
 * one, the board's limit is asked for and the legal limit then applies as for any radio. */
function txPower(l: LoraConfig): { txPowerDbm?: number } {
  const max = l.board ? (Boards as Record<string, BoardPins>)[l.board]?.maxPowerDbm : undefined;
  if (max === undefined) return l.txPowerDbm !== undefined ? { txPowerDbm: l.txPowerDbm } : {};
  return { txPowerDbm: Math.min(l.txPowerDbm ?? max, max) };
}

/** spi-device and a GPIO backend (the character device addon, or onoff for sysfs) must load for hal spi radios. */
export async function checkSpiRadioModules(entries: LoraConfig[], seams: SpiRadioSeams = {}): Promise<void> {
  const spi = entries.filter((l) => l.hal === 'spi');
  if (spi.length === 0) return;
  const what = `the SPI radio${spi.length > 1 ? 's' : ''} ${spi.map((l) => `${l.name} on ${spiRadioPins(l).device}`).join(', ')}`;
  const { loadOptional } = await import('../../../drivers/hal/module-loader.js');
  const { createGpioProvider } = await import('../../../drivers/hal/gpio-provider.js');
  await loadOptional('spi-device', what, seams.loader);
  await createGpioProvider({ ...seams.gpio, sysRoot: seams.sysRoot, loader: seams.loader, purpose: what });
}

export async function openLoraRadio(l: LoraConfig): Promise<{ radio: LoraRadio & Pick<Sx126xRadio, 'onError'>; close?: () => Promise<void>; watch?: (components: Components) => void }> {
  if (l.hal === 'sim') return (await import('./sim-air-radio.js')).openSimAirRadio(l);
  if (l.hal === 'spi') {
    const { radio, holds, gpio } = await openSpiRadio(l);
    return {
      radio,
      // Lines held for the radio's lifetime (antenna-switch enables) are released after the bearer stopped.
      close: async () => { for (const h of holds) await h.close(); },
      // sysfs works, but the character device is the supported interface (and the only one on a Pi 5 image).
      ...(gpio.fallbackReason ? { watch: (components: Components) => components.logger.forComponent(l.name).warn('GPIO through deprecated sysfs', { why: gpio.fallbackReason!.message }) } : {}),
    };
  }
  if (l.hal === 'serial') {
    if (!l.device) throw new Error(`lora ${l.name}: hal serial needs a device (the bridge MCU's serial port)`);
    const { openSerialLink } = await import('../../../drivers/serial/serial-link.js');
    const { openSerialSx126x } = await import('../../../drivers/sx126x/open-serial-radio.js');
    const { latticeSerialCodec } = await import('../../../firmware-protocol/lattice-serial/codec.js');
    const link = await openSerialLink({ path: l.device });
    const { radio } = openSerialSx126x({ link, codec: latticeSerialCodec });
    return { radio, close: () => link.close() };
  }
  throw new Error(`lora ${l.name}: hal "emulated" radios only exist inside the simulated default (lattice run without config)`);
}

/** Test seams of the Linux radio: module loader (a native module that cannot load) and GPIO (the fake kernel). */
export interface SpiRadioSeams {
  loader?: ModuleLoader;
  gpio?: LinuxRadioOptions['gpio'];
  sysRoot?: string;
}

/** One `lora:` entry with hal spi: the board's pins (or explicit ones) on the operator's SPI device when one is
 * given — `device:` wins over the board's bus and chip select — and every failure names that device. */
export async function openSpiRadio(l: LoraConfig, seams: SpiRadioSeams = {}): Promise<OpenedLinuxRadio> {
  const { openLinuxSx126x } = await import('../../../drivers/sx126x/open-linux-radio.js');
  const { board, spi, device } = spiRadioPins(l);
  try {
    return await openLinuxSx126x({ board, spi, ...seams });
  } catch (err) {
    const e = err as Error;
    // The driver's errors name the spidev path or the GPIO line; say which radio and SPI device in any case.
    if (!e.message.includes(device)) e.message = `${e.message} (lora ${l.name} on ${device}${l.board ? `, board ${l.board}` : ''})`;
    throw e;
  }
}

/** The pins and SPI device of a hal spi entry, before anything is opened. */
export function spiRadioPins(l: LoraConfig): { board: BoardPins; spi: { bus: number; device: number }; device: string } {
  const board = l.board ? (Boards as Record<string, BoardPins>)[l.board] : undefined;
  if (l.board && !board) throw new Error(`lora ${l.name}: unknown board ${l.board} (known: ${Object.keys(Boards).join(', ')})`);
  const device = l.device ?? (board ? `/dev/spidev${board.spi.bus}.${board.spi.device}` : '/dev/spidev0.0');
  const m = /^\/dev\/spidev(\d+)\.(\d+)$/.exec(device);
  if (!m) throw new Error(`lora ${l.name}: device must be /dev/spidevB.D for hal spi, got ${device}`);
  const spi = { bus: Number(m[1]), device: Number(m[2]) };
  const pins = l.pins;
  return {
    device,
    spi,
    board: board ?? {
      description: `custom pins on ${device}`,
      spi,
      busy: need(l, 'busy'),
      dio1: need(l, 'dio1'),
      reset: need(l, 'reset'),
      ...(pins.nss !== undefined ? { csGpio: pins.nss } : {}),
      ...(pins.rxEn !== undefined ? { rxen: pins.rxEn } : {}),
      ...(pins.txEn !== undefined ? { txen: pins.txEn } : {}),
      ...(pins.power !== undefined ? { holdHigh: [pins.power] } : {}),
      dio2RfSwitch: pins.dio2 === undefined,
      variant: l.variant ?? 'sx1262',
      ...(l.tcxoVoltage === 0 ? {} : { tcxoVoltage: l.tcxoVoltage ?? 1.8 }),
    },
  };
}

function need(l: LoraConfig, pin: 'busy' | 'dio1' | 'reset'): number {
  const v = l.pins[pin];
  if (v === undefined) throw new Error(`lora ${l.name}: pins.${pin} is required with hal spi unless a known board is given`);
  return v;
}
