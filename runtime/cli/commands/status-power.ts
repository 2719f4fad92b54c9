/** `lattice status`: the battery and panel part (runtime/power PowerView). */
import type { PowerView } from '../../power/power-runtime.js';
import { relative } from '../format/time.js';

const fixed = (x: number | undefined, d: number, unit: string) => (x === undefined ? '?' : `${x.toFixed(d)} ${unit}`);

export function renderPower(p: PowerView, now: number): string {
  const soc = p.stateOfCharge === undefined ? 'unknown (no reading yet)' : `${p.stateOfCharge.toFixed(0)} %`;
  const amps = p.batteryAmps;
  const flow = amps === undefined ? '' : amps > 0.005 ? `, charging ${fixed(amps, 2, 'A')}` : amps < -0.005 ? `, discharging ${fixed(-amps, 2, 'A')}` : ', resting';
  const volts = p.batteryVolts === undefined ? '' : `, ${fixed(p.batteryVolts, 2, 'V')}`;
  let out = `battery  ${soc}${volts}${flow} (${p.chemistry}, ${p.capacityAh} Ah)\n`;
  if (p.panelWatts !== undefined || p.loadWatts !== undefined) {
    out += `solar    panel ${fixed(p.panelWatts, 2, 'W')}${p.panelVolts !== undefined ? ` at ${fixed(p.panelVolts, 1, 'V')}` : ''}, load ${fixed(p.loadWatts, 2, 'W')}\n`;
  }
  const e = p.energyToday;
  out += `today    in ${e.inWh.toFixed(1)} Wh, out ${e.outWh.toFixed(1)} Wh${e.panelWh > 0 ? `, panel ${e.panelWh.toFixed(1)} Wh` : ''}${e.loadWh > 0 ? `, load ${e.loadWh.toFixed(1)} Wh` : ''}\n`;
  out += `policies ${p.policies.length === 0 ? 'none (battery fine)' : p.policies.join(', ')}\n`;
  const seen = p.lastReadingAt === undefined ? 'never read' : `read ${relative(p.lastReadingAt, now)}`;
  out += `sensor   ${p.sensor}, ${p.ok ? seen : `FAILING (${p.failures} tries${p.lastError ? `: ${p.lastError}` : ''}), last ${seen}`}\n`;
  return out;
}
