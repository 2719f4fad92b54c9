/**
 * Lattice's own air format: the default modulation, the presets an operator names in config (`lora.preset`,
 * `lora.region`), and the modulation they give in a region with the transmit power capped to what the sub-band
 * allows. Preset names and their SF/BW/CR are Meshtastic's (./meshtastic-presets.ts) so operators can reason in
 * familiar terms; channels are placed with Meshtastic's slot rule (./channel-slot.ts) in the region's Meshtastic
 * band, under the channel name "Lattice". Every preset keeps Lattice's own sync word and preamble, so Meshtastic
 * (0x2B) and MeshCore (0x12) radios on the same channel do not decode our frames as theirs (nor we theirs).
 */
import { channelFrequencyHz } from './channel-slot.js';
import { meshtasticBand, MeshtasticModemPresets } from './meshtastic-presets.js';
import type { LoraModulation, ModemPreset } from './modulation.js';
import { EU868, US915, maxConductedDbm, subBandFor, type RegionRules, type SubBand } from './regions.js';
import { ANZ433, CN470, EU433, KZ433, MY433, PH433, UA433 } from './regions-sub-810.js';

/**
 * Lattice's default: EU868 band P (869.4–869.65 MHz, 10 % duty, 500 mW ERP), below Meshtastic's 869.525 slot;
 * SF9/BW125 for range with ~0.2 s frames; a sync word (0x24) distinct from Meshtastic 0x2B, MeshCore/private 0x12
 * and LoRaWAN 0x34 so the meshes do not decode each other's frames.
 */
export const LatticeDefault: LoraModulation = {
  frequencyHz: 869_462_500,
  spreadingFactor: 9,
  bandwidthHz: 125_000,
  codingRate: 5,
  preambleLength: 12,
  syncWord: 0x24,
  crcOn: true,
  invertIq: false,
  explicitHeader: true,
  txPowerDbm: 14,
};

/** Lattice default retuned per region (same modem settings). */
export const LatticeRegionFrequencies: Readonly<Record<string, number>> = {
  EU_868: 869_462_500,
  US: 906_875_000,
  ANZ: 916_875_000,
  IN: 865_937_500,
  EU_433: 433_875_000,
};

/** The presets `lora.preset` accepts: `Lattice` (LatticeDefault's modem settings) and Meshtastic's, by display name. */
export const PRESETS: Readonly<Record<string, ModemPreset>> = {
  Lattice: { spreadingFactor: LatticeDefault.spreadingFactor, bandwidthHz: LatticeDefault.bandwidthHz, codingRate: LatticeDefault.codingRate },
  LongFast: MeshtasticModemPresets.LONG_FAST,
  LongSlow: MeshtasticModemPresets.LONG_SLOW,
  LongModerate: MeshtasticModemPresets.LONG_MODERATE,
  MediumSlow: MeshtasticModemPresets.MEDIUM_SLOW,
  MediumFast: MeshtasticModemPresets.MEDIUM_FAST,
  ShortSlow: MeshtasticModemPresets.SHORT_SLOW,
  ShortFast: MeshtasticModemPresets.SHORT_FAST,
  ShortTurbo: MeshtasticModemPresets.SHORT_TURBO,
  LongTurbo: MeshtasticModemPresets.LONG_TURBO,
};
/** Meshtastic's display name for LONG_MODERATE. */
const ALIASES: Record<string, string> = { LongMod: 'LongModerate' };

/** Sync word of Lattice frames (not 0x12, 0x2B nor 0x34). */
export const LATTICE_SYNC_WORD = LatticeDefault.syncWord;
export const LATTICE_PREAMBLE = LatticeDefault.preambleLength;
export const LATTICE_CHANNEL_NAME = 'Lattice';

/** A region Lattice runs in: its regulatory rules and the band the mesh channel is placed in (Meshtastic's). */
export interface RegionPlan {
  rules: RegionRules;
  lowHz: number;
  highHz: number;
}

/**
 * The Meshtastic band cut to what the rules allow: Meshtastic's EU_433 row starts at 433.0 MHz, ERC 70-03 h1.4 at
 * 433.05, so a slot at the band's bottom edge would straddle the legal edge and be refused.
 */
function regionPlan(rules: RegionRules, band: ReturnType<typeof meshtasticBand>): RegionPlan {
  const legalLow = Math.min(...rules.subBands.map((b) => b.lowHz));
  const legalHigh = Math.max(...rules.subBands.map((b) => b.highHz));
  return { rules, lowHz: Math.max(band.lowHz, legalLow), highHz: Math.min(band.highHz, legalHigh) };
}

/**
 * Regions by their Meshtastic names. Below 810 MHz (the SX1268's range, drivers/sx126x/variant.ts) the ones the
 * firmware lists there (./regions-sub-810.ts); an SX1262 tunes all of them.
 */
export const REGION_PLANS: Readonly<Record<string, RegionPlan>> = {
  EU_868: regionPlan(EU868, meshtasticBand('EU_868')),
  US: regionPlan(US915, meshtasticBand('US')),
  EU_433: regionPlan(EU433, meshtasticBand('EU_433')),
  CN: regionPlan(CN470, meshtasticBand('CN')),
  ANZ_433: regionPlan(ANZ433, meshtasticBand('ANZ_433')),
  UA_433: regionPlan(UA433, meshtasticBand('UA_433')),
  MY_433: regionPlan(MY433, meshtasticBand('MY_433')),
  PH_433: regionPlan(PH433, meshtasticBand('PH_433')),
  KZ_433: regionPlan(KZ433, meshtasticBand('KZ_433')),
};

export function presetParams(name: string): ModemPreset | undefined {
  return PRESETS[ALIASES[name] ?? name];
}

export interface ModulationOptions {
  preset: string;
  region: string;
  frequencyHz?: number;
  /** Requested conducted power (default 14 dBm); capped to what the sub-band allows with this antenna. */
  txPowerDbm?: number;
  /** Antenna gain minus cable loss, dBi (default 2.15: a half-wave dipole, so ERP = conducted power). */
  antennaGainDbi?: number;
}

/** SX1262 high-power PA range (SetTxParams, DS.SX1261-2 §13.4.4). */
const CHIP_MAX_DBM = 22;

/**
 * The full radio modulation for a preset in a region; RangeError naming what is unknown, ChannelOutOfBandError when
 * the channel is not inside one sub-band.
 */
export function latticeModulation(o: ModulationOptions): { modulation: LoraModulation; plan: RegionPlan; subBand: SubBand; txPowerCapped: boolean } {
  const p = presetParams(o.preset);
  if (!p) throw new RangeError(`unknown preset ${o.preset} (known: ${Object.keys(PRESETS).join(', ')})`);
  const plan = REGION_PLANS[o.region];
  if (!plan) throw new RangeError(`unknown region ${o.region} (known: ${Object.keys(REGION_PLANS).join(', ')})`);
  const latticeFrequency = (ALIASES[o.preset] ?? o.preset) === 'Lattice' ? LatticeRegionFrequencies[o.region] : undefined;
  const frequencyHz = o.frequencyHz ?? latticeFrequency ?? channelFrequencyHz(plan, p.bandwidthHz, LATTICE_CHANNEL_NAME);
  const subBand = subBandFor(plan.rules, frequencyHz, p.bandwidthHz);
  const requested = o.txPowerDbm ?? 14;
  const allowed = Math.min(Math.floor(maxConductedDbm(subBand, o.antennaGainDbi ?? 2.15)), CHIP_MAX_DBM);
  const modulation: LoraModulation = {
    frequencyHz,
    spreadingFactor: p.spreadingFactor,
    bandwidthHz: p.bandwidthHz,
    codingRate: p.codingRate,
    preambleLength: LATTICE_PREAMBLE,
    syncWord: LATTICE_SYNC_WORD,
    crcOn: true,
    invertIq: false,
    explicitHeader: true,
    txPowerDbm: Math.min(requested, allowed),
  };
  return { modulation, plan, subBand, txPowerCapped: requested > allowed };
}
