/**
 * State of charge from the battery channel's volts and amps, combining two estimates that fail in opposite ways:
 *
 * - Coulomb counting: the charge that went in or out (amps × time, charging at the chemistry's coulombic efficiency)
 *   over the capacity. Exact over minutes, but it drifts (current offset, capacity fade) and knows nothing at start.
 * - The resting voltage: the chemistry's OCV curve (chemistry.ts) at the measured voltage less the I·R drop of the
 *   pack's internal resistance. Right in the long run, but only when the battery rests: under load or charge the
 *   terminal voltage is off by the drop and the surface charge, and on LiFePO4's plateau a few mV are tens of percent.
 *
 * So: the first reading (nothing saved, or a save older than a day) starts from the voltage; after that every reading
 * adds the counted charge and then pulls the result towards the voltage estimate, with a time constant of 30 minutes
 * while the battery rests (|I| < C/50) and of 12 hours while current flows. A pack that sits at rest converges on its
 * OCV within the hour; one that never rests (a relay's steady load) is counted and only slowly corrected, so a wrong
 * capacityAh or a current offset cannot walk the estimate off for more than a few hours.
 */
import type { Chemistry } from './chemistry.js';
import { socFromRestingVolts } from './chemistry.js';

/** Rough internal resistance per cell × capacity (Ω·Ah): an 18650 of 2.5 Ah has ~50 mΩ, a 10 Ah LiFePO4 prismatic
 * ~10 mΩ, a 12 V 10 Ah AGM ~25 mΩ for its six cells. Only the under-load correction uses it. */
const RESISTANCE_OHM_AH: Record<string, number> = { 'li-ion': 0.125, lifepo4: 0.1, 'lead-acid': 0.04 };
/** Coulombic efficiency on charge: lithium cells return ~99 % of the charge put in, lead-acid ~85 %. */
const CHARGE_EFFICIENCY: Record<string, number> = { 'li-ion': 0.99, lifepo4: 0.99, 'lead-acid': 0.85 };

const REST_TAU_MS = 30 * 60_000;
const LOAD_TAU_MS = 12 * 3_600_000;
/** A gap longer than this between readings is not integrated (the relay was off or the sensor failed). */
const MAX_GAP_MS = 15 * 60_000;

export interface ChargeEstimatorOptions {
  chemistry: Chemistry;
  capacityAh: number;
  /** A state of charge saved before a restart (percent), taken instead of the first voltage. */
  initialSoc?: number;
  /** Simulated hours per clock hour (a simulated battery on a fast day, drivers/power/sim); default 1. */
  timeScale?: number;
}

export type SocSource = 'voltage' | 'saved' | 'counted';

export class ChargeEstimator {
  private soc: number | undefined;
  private lastAt: number | undefined;
  /** Where the estimate came from at the last update: the first voltage, the saved value, or counting since. */
  source: SocSource = 'voltage';
  private readonly family: string;

  constructor(private readonly o: ChargeEstimatorOptions) {
    this.family = o.chemistry.name.startsWith('li-ion') ? 'li-ion' : o.chemistry.name.startsWith('lifepo4') ? 'lifepo4' : 'lead-acid';
    if (o.initialSoc !== undefined) {
      this.soc = clamp(o.initialSoc);
      this.source = 'saved';
    }
  }

  /** The estimate, percent (undefined before the first reading). */
  get stateOfCharge(): number | undefined {
    return this.soc;
  }

  /** What the voltage alone says, corrected for the I·R drop (amps positive into the battery). */
  voltageEstimate(volts: number, amps: number): number {
    const packOhms = (RESISTANCE_OHM_AH[this.family]! / this.o.capacityAh) * this.o.chemistry.cells;
    return socFromRestingVolts(this.o.chemistry, volts - amps * packOhms);
  }

  /** Takes one reading (clock ms); returns the new estimate. */
  update(volts: number, amps: number, at: number): number {
    const fromVolts = this.voltageEstimate(volts, amps);
    const dt = this.lastAt === undefined ? 0 : at - this.lastAt;
    this.lastAt = at;
    if (this.soc === undefined) {
      this.soc = fromVolts;
      this.source = 'voltage';
      return this.soc;
    }
    if (dt <= 0 || dt > MAX_GAP_MS) return this.soc;
    const scale = this.o.timeScale ?? 1;
    const hours = (dt * scale) / 3_600_000;
    const efficiency = amps > 0 ? CHARGE_EFFICIENCY[this.family]! : 1;
    let soc = this.soc + ((amps * efficiency * hours) / this.o.capacityAh) * 100;
    const resting = Math.abs(amps) < this.o.capacityAh / 50;
    const k = 1 - Math.exp((-dt * scale) / (resting ? REST_TAU_MS : LOAD_TAU_MS));
    soc += (fromVolts - soc) * k;
    this.soc = clamp(soc);
    this.source = 'counted';
    return this.soc;
  }
}

function clamp(soc: number): number {
  return Math.min(100, Math.max(0, soc));
}
