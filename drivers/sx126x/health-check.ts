/**
 * Is the chip still the one the driver configured? A chip that reset on its own (brown-out on a solar roof, ESD)
 * comes back in STDBY_RC with packet type GFSK and every register at its reset value (DS.SX1261-2 §9.1, §13.4.3),
 * while the driver still believes it is receiving LoRa: deaf, and every transmit fails. Three cheap reads tell:
 * GetStatus (chip mode), GetPacketType, and a read-back of registers the driver wrote (the LoRa sync word, the TX
 * clamp bits of the §15.2 errata fix, which differ from their reset values for every sync word).
 */
import type { Sx126xChip } from './chip.js';
import { Sx126xCommandError } from './errors.js';
import { PacketType } from './params.js';
import { Register } from './registers.js';
import { ChipMode, decodeStatus } from './status.js';

export interface ChipExpectation {
  /** ChipMode.Rx while the driver keeps the chip receiving, ChipMode.StbyRc otherwise. */
  chipMode: number;
  /** LoRa sync word register pair, when a modulation is configured. */
  syncWord?: [number, number];
}

/** The TX clamp bits 4:1 the driver sets after init (reset value 0100, DS.SX1261-2 §15.2.2). */
const CLAMP_BITS = 0x1e;

const MODE_NAMES = new Map<number, string>(Object.entries(ChipMode).map(([k, v]) => [v, k]));
const hex = (v: number) => `0x${v.toString(16).padStart(2, '0')}`;

/**
 * Reads the chip and compares; resolves undefined when it is as expected, else a description of the first mismatch.
 * A command error status on these reads (the stale "failure to execute" a freshly reset chip reports) counts as a
 * mismatch; a chip that no longer answers at all throws Sx126xChipNotFoundError, which no re-initialisation cures.
 */
export async function probeChip(chip: Sx126xChip, expect: ChipExpectation, signal?: AbortSignal): Promise<string | undefined> {
  let status: number;
  try {
    status = await chip.getStatus({ signal });
  } catch (err) {
    if (!(err instanceof Sx126xCommandError)) throw err;
    status = err.status;
  }
  const { chipMode } = decodeStatus(status);
  if (chipMode !== expect.chipMode) return `chip mode ${MODE_NAMES.get(chipMode) ?? chipMode}, expected ${MODE_NAMES.get(expect.chipMode)}`;
  try {
    const type = await chip.getPacketType({ signal });
    if (type !== PacketType.Lora) return `packet type ${hex(type)}, expected LoRa (0x01)`;
    if (expect.syncWord) {
      const sync = await chip.readRegister(Register.LoraSyncWordMsb, 2, { signal });
      if (sync[0] !== expect.syncWord[0] || sync[1] !== expect.syncWord[1])
        return `sync word ${hex(sync[0]!)}${hex(sync[1]!).slice(2)}, expected ${hex(expect.syncWord[0])}${hex(expect.syncWord[1]).slice(2)}`;
    }
    const clamp = await chip.readRegister(Register.TxClampConfig, 1, { signal });
    if ((clamp[0]! & CLAMP_BITS) !== CLAMP_BITS) return `TX clamp config ${hex(clamp[0]!)}, bits 4:1 back at their reset value`;
  } catch (err) {
    if (err instanceof Sx126xCommandError) return `command error on a health read: ${err.message}`;
    throw err;
  }
  return undefined;
}
