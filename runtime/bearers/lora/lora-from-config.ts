/**
 * The `lora:` config section (lora-config.ts) to LoRa bearers: opens each entry's radio (SPI HAT or serial bridge;
 * the driver loads only here) and maps the entry's keys to the bearer's init, in one place.
 */
import type { LoraRadio } from '../../../drivers/sx126x/lora-radio.js';
import type { Sx126xRadio } from '../../../drivers/sx126x/sx126x-radio.js';
import type { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import type { BearerBuildContext, BearerFactory, BuiltKind } from '../../bearer/bearer-kind.js';
import type { Components } from '../../components/components.js';
import { createAirtimeLedger, loraBearer, type LoraInit } from './create-lora-bearer.js';
import type { LoraConfig } from './lora-config.js';

export async function loraBearers(entries: LoraConfig[], context: BearerBuildContext): Promise<BuiltKind> {
  if (entries.length === 0) return { bearers: [] };
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
      bearers.push((components) => {
        watch?.(components);
        const radioLog = components.logger.forComponent(l.name);
        radio.onError((err) => radioLog.warn('radio error', { err: err.message, name: err.name }));
        return loraBearer(loraInit(l, { radio, nodeId: context.identity.nodeId, ledger }))(components);
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
export function loraInit(l: LoraConfig, opened: { radio: LoraRadio; nodeId: Uint8Array; ledger: AirtimeLedger }): LoraInit {
  return {
    name: l.name,
    radio: opened.radio,
    nodeId: opened.nodeId,
    region: l.region,
    preset: l.preset,
    ...(l.txPowerDbm !== undefined ? { txPowerDbm: l.txPowerDbm } : {}),
    ledger: opened.ledger,
  };
}

export async function openLoraRadio(l: LoraConfig): Promise<{ radio: LoraRadio & Pick<Sx126xRadio, 'onError'>; close?: () => Promise<void>; watch?: (components: Components) => void }> {
  if (l.hal === 'sim') return (await import('./sim-air-radio.js')).openSimAirRadio(l);
  if (l.hal === 'spi') {
    const { openLinuxSx126x } = await import('../../../drivers/sx126x/open-linux-radio.js');
    const { Boards } = await import('../../../drivers/sx126x/boards.js');
    const board = l.board ? Boards[l.board as keyof typeof Boards] : undefined;
    if (l.board && !board) throw new Error(`lora ${l.name}: unknown board ${l.board} (known: ${Object.keys(Boards).join(', ')})`);
    const pins = l.pins;
    const spi = /^\/dev\/spidev(\d+)\.(\d+)$/.exec(l.device ?? '/dev/spidev0.0');
    if (!spi) throw new Error(`lora ${l.name}: device must be /dev/spidevB.D for hal spi, got ${l.device}`);
    const boardPins = board ?? {
      description: `custom pins on ${l.device ?? '/dev/spidev0.0'}`,
      spi: { bus: Number(spi[1]), device: Number(spi[2]) },
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
    };
    const { radio, holds } = await openLinuxSx126x({ board: boardPins });
    // Lines held for the radio's lifetime (antenna-switch enables) are released after the bearer stopped.
    return { radio, close: async () => { for (const h of holds) await h.close(); } };
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

function need(l: LoraConfig, pin: 'busy' | 'dio1' | 'reset'): number {
  const v = l.pins[pin];
  if (v === undefined) throw new Error(`lora ${l.name}: pins.${pin} is required with hal spi unless a known board is given`);
  return v;
}
