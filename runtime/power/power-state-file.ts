/**
 * What the power monitor keeps across restarts, in `<dataDir>/power-state.json`: the state of charge (coulomb counting
 * cannot start from nothing, and the voltage under load is a poor start) and today's energy totals, with the day they
 * belong to. Replaced atomically (write `.tmp`, fsync, rename, fsync the directory) so a power cut — the very thing
 * this file outlives — leaves the old state or the new, never a torn one. A file that does not parse is set aside as
 * `.corrupt-<ms>` and the monitor starts from the voltage.
 */
import { readFile, rename } from 'node:fs/promises';
import type { EnergyTotals } from './energy-today.js';
import { writeFileDurably } from '../../lib/fs/durable-file.js';

export interface SavedPowerState {
  version: 1;
  /** Wall-clock ms of the save. */
  savedAt: number;
  stateOfCharge: number;
  /** Local date the energy totals belong to. */
  day: string;
  energy: EnergyTotals;
  /** The relay stopped for a low battery and waits for it to be back above `resumeAbove`. */
  shutdown?: boolean;
}

export class PowerStateFile {
  constructor(readonly path: string) {}

  /** The saved state, or undefined when there is none or it is unreadable (then set aside). */
  async load(): Promise<SavedPowerState | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const v = parse(text);
    if (!v) await rename(this.path, `${this.path}.corrupt-${Date.now()}`).catch(() => undefined);
    return v;
  }

  async save(state: SavedPowerState): Promise<void> {
    await writeFileDurably(this.path, JSON.stringify(state));
  }
}

function parse(text: string): SavedPowerState | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  const s = v as Partial<SavedPowerState> | null;
  const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  if (!s || s.version !== 1 || !finite(s.savedAt) || !finite(s.stateOfCharge) || typeof s.day !== 'string' || !s.energy) return undefined;
  const e = s.energy;
  if (![e.inWh, e.outWh, e.panelWh, e.loadWh].every((x) => finite(x) && (x as number) >= 0)) return undefined;
  if ((s.stateOfCharge as number) < 0 || (s.stateOfCharge as number) > 100) return undefined;
  return s as SavedPowerState;
}
