/**
 * `loraBearer(init)(components)`: the LoRa bearer from a preset and a region (the daemon's `lora:` entries through
 * lora-from-config.ts, and `lattice run`'s simulated default). The radio is made by the caller (drivers/sx126x
 * openLinuxSx126x for hal spi/serial, or drivers/sx126x/testing createEmulatedRadios for hal emulated); this wires
 * modulation, law and persistence, and takes logging, metrics and the clock from the components.
 */
import { join } from 'node:path';
import type { LoraRadio } from '../../../drivers/sx126x/lora-radio.js';
import { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import { FileLedgerStore } from '../../airtime/file-ledger-store.js';
import type { BearerFactory } from '../../bearer/bearer-kind.js';
import { LoraConfigError } from './errors.js';
import { LoraBearer, type LoraBearerInit } from './lora-bearer.js';
import { latticeModulation } from '../../../lib/lora/lattice-presets.js';
import { createLogger } from '../../log/logger.js';

export interface LoraInit {
  /** `lora0`… */
  name: string;
  radio: LoraRadio;
  /** This relay's node id (Identity.nodeId). */
  nodeId: Uint8Array;
  /** `EU_868` or `US` (Meshtastic spelling, as in the config). */
  region: string;
  /** `Lattice` (SF9/BW125, the driver's LatticeDefault) or a Meshtastic preset name (`LongFast`, `MediumSlow`, …). */
  preset: string;
  /** Override the channel centre (Hz); default: the preset's slot in the region's mesh band. */
  frequencyHz?: number;
  /** Conducted power wanted (default 14 dBm); capped to the sub-band's legal limit with this antenna. */
  txPowerDbm?: number;
  /** Antenna gain minus cable loss in dBi (default 2.15, a dipole); used for the EU ERP limit. */
  antennaGainDbi?: number;
  /** Directory for the persisted airtime ledger (`<dataDir>/airtime-<name>.json`), unless `ledger` is given. */
  dataDir?: string;
  /** One ledger shared by every LoRa bearer of the board (preferred when there are several radios). */
  ledger?: AirtimeLedger;
  dutyCyclePolicy?: 'wait' | 'fail';
  listenBeforeTalk?: LoraBearerInit['listenBeforeTalk'];
  advertIntervalMs?: number;
  advertJitterMs?: number;
  advertOnStart?: boolean;
  advertOnNewNeighbour?: boolean;
  /** Re-pack bundles compactly on air (default true; false carries the wire bytes as they are). */
  compact?: boolean;
  /** Link ACK for unicast sends (default on; see lora-bearer.ts). */
  linkAck?: LoraBearerInit['linkAck'];
  /** Chip time per wall time of an emulated radio (scales ACK timeouts); 1 for real hardware. */
  timeScale?: number;
  /** Lattice v2 frames (see lora-bearer.ts `v2`). */
  v2?: LoraBearerInit['v2'];
  ownsRadio?: boolean;
  random?: () => number;
}

/** A ledger persisted in `dataDir` (one per board; pass it to every LoRa bearer). */
export function createAirtimeLedger(dataDir: string, file = 'airtime.json', onStoreError?: (err: Error) => void): AirtimeLedger {
  const log = createLogger('airtime');
  const path = join(dataDir, file);
  const store = new FileLedgerStore(path, (stale) => log.warn('took over the airtime ledger lock of a process that is gone', { path, pid: stale.pid, startedAt: stale.startedAt }));
  return new AirtimeLedger({
    store,
    onStoreError: onStoreError ?? ((err) => log.warn('airtime ledger store', { path, error: err.message, name: err.name })),
    onClockJump: (jumpMs) => log.warn('wall clock jumped; airtime records kept at their real age (the stricter account)', { path, jumpMs: Math.round(jumpMs) }),
  });
}

export function loraBearer(o: LoraInit): BearerFactory<LoraBearer> {
  return (components) => {
    const log = components.logger.forComponent(o.name);
    let built;
    try {
      built = latticeModulation({ preset: o.preset, region: o.region, frequencyHz: o.frequencyHz, txPowerDbm: o.txPowerDbm, antennaGainDbi: o.antennaGainDbi });
    } catch (err) {
      throw new LoraConfigError(o.name, (err as Error).message);
    }
    if (built.txPowerCapped) {
      log.warn('transmit power capped to the legal limit', { requestedDbm: o.txPowerDbm, dbm: built.modulation.txPowerDbm, subBand: built.subBand.id });
    }
    const ledger = o.ledger ?? (o.dataDir ? createAirtimeLedger(o.dataDir, `airtime-${o.name}.json`, (err) => log.warn('airtime ledger store', { error: err.message })) : undefined);
    if (!ledger) throw new LoraConfigError(o.name, 'needs a dataDir or a ledger: the duty-cycle budget must survive restarts');
    return new LoraBearer({
      name: o.name,
      radio: o.radio,
      nodeId: o.nodeId,
      modulation: built.modulation,
      region: built.plan.rules,
      ledger,
      dutyCyclePolicy: o.dutyCyclePolicy,
      listenBeforeTalk: o.listenBeforeTalk,
      advertIntervalMs: o.advertIntervalMs,
      advertJitterMs: o.advertJitterMs,
      advertOnStart: o.advertOnStart,
      advertOnNewNeighbour: o.advertOnNewNeighbour,
      compact: o.compact,
      linkAck: o.linkAck,
      timeScale: o.timeScale,
      ...(o.v2 ? { v2: o.v2 } : {}),
      ownsRadio: o.ownsRadio,
      random: o.random,
      metrics: components.metrics,
      log,
      clock: components.clock,
    });
  };
}
