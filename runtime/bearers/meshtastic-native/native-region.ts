/**
 * The duty-cycle law a native node keeps, as the airtime governor (runtime/airtime) takes it: EU_868 is band P of
 * ETSI EN 300 220 (869.4–869.65 MHz, 10 %), the same sub-band a Lattice radio in EU_868 books, so one board's radios
 * share one budget there. Every other Meshtastic region is its row of the firmware's table (RadioInterface.cpp
 * regions[]: band, duty cycle, power limit) as one sub-band: EU_433 10 %, the others 100 %.
 *
 * The duty cycle limits the equipment, not one radio of it: a board's radios (Lattice, native Meshtastic, native
 * MeshCore) keep one ledger (lora-from-config.ts), keyed by sub-band id. So where Lattice's table has the sub-band
 * this row lies in (US915, EU433 h1.4, UA433…), the row takes that sub-band's id and every radio of the board in it
 * books one budget; before, a Lattice radio in EU_433 and a native node in EU_433 each had 10 % of the hour.
 *
 * Unlike runtime's US915 rules this sets no 400 ms dwell limit: the firmware sends full 255-byte frames at LongFast
 * in US (≈ 1.3 s) and a node that refused them could not relay its neighbours' packets.
 */
import { MeshtasticRegions, type MeshtasticRegionName } from '../../../lib/lora/meshtastic-presets.js';
import { REGION_PLANS } from '../../../lib/lora/lattice-presets.js';
import { EU868, type RegionRules } from '../../../lib/lora/regions.js';

export function nativeRegionRules(region: MeshtasticRegionName): RegionRules {
  if (region === 'EU_868') return EU868;
  const r = MeshtasticRegions[region];
  const lowHz = Math.round(r.startMHz * 1e6);
  const highHz = Math.round(r.endMHz * 1e6);
  const shared = REGION_PLANS[region]?.rules.subBands.find((b) => b.lowHz < highHz && b.highHz > lowHz);
  return {
    name: `meshtastic-${region}`,
    subBands: [{
      id: shared?.id ?? `meshtastic-${region.toLowerCase()}`,
      lowHz,
      highHz,
      dutyCycle: r.dutyCyclePercent / 100,
      maxPowerDbm: r.powerLimitDbm,
      powerReference: 'conducted',
    }],
  };
}
