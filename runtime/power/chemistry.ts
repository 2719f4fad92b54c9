/**
 * Battery chemistries and their resting voltage-to-charge curves (open-circuit voltage, OCV, against state of charge).
 *
 * The tables are per cell and typical, not any one maker's: a battery's own curve differs by a few percent, and a
 * voltage read under load or charge is not its OCV (charge-estimator.ts uses the curve only when the battery rests).
 * Sources:
 * - Li-ion (NMC/NCA graphite cells, 18650 and pouch): 4.20 V full, 3.00 V cut-off, the widely published resting
 *   curve (Battery University BU-903 "How to Measure State-of-charge"; manufacturers' OCV–SoC curves, e.g. Samsung
 *   INR18650-25R and LG MJ1 datasheets, agree within ~30 mV on the plateau).
 * - LiFePO4: 3.65 V charged (only under charge), ~3.40 V resting full, the long 3.2-3.3 V plateau, 2.50 V empty
 *   (A123/CATL cell datasheets; the 12.8 V 4S tables vendors publish are these ×4).
 * - Lead-acid 12 V (flooded/AGM, at rest ≥ 4 h, 25 °C): 12.7 V full, ~12.2 V half, ~11.9 V empty for a relay's purpose
 *   (Trojan Battery "Battery Maintenance": 12.73 V at 100 %; the rule-of-thumb 12.6 / 12.4 / 12.2 / 12.0 V for
 *   100 / 75 / 50 / 25 %); a lead-acid battery taken below 50 % often ages fast, so the relay's policies start early.
 */

export const CHEMISTRY_NAMES = ['li-ion-1s', 'li-ion-2s', 'li-ion-3s', 'lifepo4-4s', 'lead-acid-12v'] as const;
export type ChemistryName = (typeof CHEMISTRY_NAMES)[number];

/** [state of charge %, resting volts per cell], by rising charge. */
type Curve = ReadonlyArray<readonly [number, number]>;

const LI_ION_CELL: Curve = [
  [0, 3.0], [5, 3.45], [10, 3.68], [20, 3.74], [30, 3.77], [40, 3.79], [50, 3.82], [60, 3.87], [70, 3.92], [80, 3.98], [90, 4.06], [100, 4.2],
];
const LIFEPO4_CELL: Curve = [
  [0, 2.5], [10, 3.0], [20, 3.2], [30, 3.23], [40, 3.25], [50, 3.26], [60, 3.28], [70, 3.3], [80, 3.32], [90, 3.34], [100, 3.4],
];
// Six 2 V cells: the 12 V table ÷ 6, so the pack is 12.7 V full.
const LEAD_ACID_12V: Curve = ([
  [0, 11.9], [10, 11.96], [20, 12.0], [30, 12.06], [40, 12.12], [50, 12.2], [60, 12.28], [70, 12.36], [80, 12.46], [90, 12.58], [100, 12.7],
] as const).map(([p, v]) => [p, v / 6] as const);

export interface Chemistry {
  name: ChemistryName;
  /** Cells in series. */
  cells: number;
  curve: Curve;
  /** Voltage a healthy pack can never read (a wrong reading, not a battery): below half the empty cell, above the
   * charger's absorption voltage with margin. Outside it a reading is refused (ImplausibleReadingError). */
  plausible: { minVolts: number; maxVolts: number };
}

function chemistry(name: ChemistryName, cells: number, curve: Curve, maxCellVolts: number): Chemistry {
  return { name, cells, curve, plausible: { minVolts: (curve[0]![1] * cells) / 2, maxVolts: maxCellVolts * cells * 1.1 } };
}

export const CHEMISTRIES: Record<ChemistryName, Chemistry> = {
  'li-ion-1s': chemistry('li-ion-1s', 1, LI_ION_CELL, 4.2),
  'li-ion-2s': chemistry('li-ion-2s', 2, LI_ION_CELL, 4.2),
  'li-ion-3s': chemistry('li-ion-3s', 3, LI_ION_CELL, 4.2),
  'lifepo4-4s': chemistry('lifepo4-4s', 4, LIFEPO4_CELL, 3.65),
  // Lead-acid equalisation charges reach 2.5 V per cell (15 V).
  'lead-acid-12v': chemistry('lead-acid-12v', 6, LEAD_ACID_12V, 2.5),
};

/** State of charge (0..100) the pack's resting voltage gives, linear between the table's points, clamped. */
export function socFromRestingVolts(c: Chemistry, packVolts: number): number {
  const v = packVolts / c.cells;
  const curve = c.curve;
  if (v <= curve[0]![1]) return 0;
  const last = curve[curve.length - 1]!;
  if (v >= last[1]) return 100;
  for (let i = 1; i < curve.length; i++) {
    const [p1, v1] = curve[i]!;
    if (v <= v1) {
      const [p0, v0] = curve[i - 1]!;
      return p0 + ((v - v0) / (v1 - v0)) * (p1 - p0);
    }
  }
  return 100;
}

/** The pack's resting voltage at a state of charge (the inverse of socFromRestingVolts; simulations and tests). */
export function restingVoltsAt(c: Chemistry, soc: number): number {
  const curve = c.curve;
  const s = Math.min(100, Math.max(0, soc));
  for (let i = 1; i < curve.length; i++) {
    const [p1, v1] = curve[i]!;
    if (s <= p1) {
      const [p0, v0] = curve[i - 1]!;
      return (v0 + ((s - p0) / (p1 - p0)) * (v1 - v0)) * c.cells;
    }
  }
  return curve[curve.length - 1]![1] * c.cells;
}
