/**
 * Modem presets and channel placement for Lattice on LoRa. Preset names and their SF/BW/CR are Meshtastic's
 * (meshtastic/firmware src/mesh/MeshRadio.h `modemPresetToParams`; research/meshtastic.md §3.1) so operators can
 * reason in familiar terms; the channel is placed with Meshtastic's slot rule (RadioInterface::applyModemConfig:
 * slot = djb2(channel name) % numSlots, freq = bandStart + bw/2 + slot·bw) inside the region's mesh band, using the
 * channel name "Lattice". The preset `Lattice` is the driver's LatticeDefault (SF9/BW125 at a per-region frequency,
 * drivers/sx126x/presets.ts). Every preset uses Lattice's own sync word and preamble (LatticeDefault) so Meshtastic
 * (0x2B) and MeshCore (0x12) radios on the same channel do not decode our frames as theirs (nor we theirs).
 */
import type { LoraModulation } from '../../../drivers/sx126x/lora-radio.js';
import { LatticeDefault, LatticeRegionFrequencies } from '../../../drivers/sx126x/presets.js';
import { EU868, US915, maxConductedDbm, subBandFor, type RegionRules, type SubBand } from '../../airtime/regions.js';

export interface PresetParams {
  spreadingFactor: number;
  bandwidthHz: number;
  codingRate: 5 | 6 | 7 | 8;
}

export const PRESETS: Readonly<Record<string, PresetParams>> = {
  Lattice: { spreadingFactor: LatticeDefault.spreadingFactor, bandwidthHz: LatticeDefault.bandwidthHz, codingRate: LatticeDefault.codingRate },
  LongFast: { spreadingFactor: 11, bandwidthHz: 250_000, codingRate: 5 },
  LongSlow: { spreadingFactor: 12, bandwidthHz: 125_000, codingRate: 8 },
  LongModerate: { spreadingFactor: 11, bandwidthHz: 125_000, codingRate: 8 },
  MediumSlow: { spreadingFactor: 10, bandwidthHz: 250_000, codingRate: 5 },
  MediumFast: { spreadingFactor: 9, bandwidthHz: 250_000, codingRate: 5 },
  ShortSlow: { spreadingFactor: 8, bandwidthHz: 250_000, codingRate: 5 },
  ShortFast: { spreadingFactor: 7, bandwidthHz: 250_000, codingRate: 5 },
  ShortTurbo: { spreadingFactor: 7, bandwidthHz: 500_000, codingRate: 5 },
  LongTurbo: { spreadingFactor: 11, bandwidthHz: 500_000, codingRate: 8 },
};
/** Meshtastic's display name for LONG_MODERATE. */
const ALIASES: Record<string, string> = { LongMod: 'LongModerate' };

/** Sync word of Lattice frames (not 0x12, 0x2B nor 0x34), from the driver's LatticeDefault. */
export const LATTICE_SYNC_WORD = LatticeDefault.syncWord;
export const LATTICE_PREAMBLE = LatticeDefault.preambleLength;
export const LATTICE_CHANNEL_NAME = 'Lattice';

export interface RegionPlan {
  rules: RegionRules;
  /** Band the mesh channel is placed in (Meshtastic's region table, RadioInterface.cpp regions[]). */
  lowHz: number;
  highHz: number;
}

export const REGION_PLANS: Readonly<Record<string, RegionPlan>> = {
  EU_868: { rules: EU868, lowHz: 869_400_000, highHz: 869_650_000 },
  US: { rules: US915, lowHz: 902_000_000, highHz: 928_000_000 },
};

export function presetParams(name: string): PresetParams | undefined {
  return PRESETS[ALIASES[name] ?? name];
}

/** djb2 over the UTF-8 bytes, as uint32 (Meshtastic RadioInterface.cpp `hash`). */
export function djb2(s: string): number {
  let h = 5381;
  for (const c of Buffer.from(s, 'utf8')) h = (Math.imul(h, 33) + c) >>> 0;
  return h;
}

/** Channel centre for a bandwidth in a region plan, by Meshtastic's slot rule. */
export function channelFrequencyHz(plan: RegionPlan, bandwidthHz: number, channelName = LATTICE_CHANNEL_NAME): number {
  const slots = Math.floor((plan.highHz - plan.lowHz) / bandwidthHz);
  if (slots < 1) throw new RangeError(`a ${bandwidthHz / 1000} kHz channel does not fit ${plan.lowHz / 1e6}–${plan.highHz / 1e6} MHz`);
  return plan.lowHz + bandwidthHz / 2 + (djb2(channelName) % slots) * bandwidthHz;
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

/** The full radio modulation for a preset in a region; throws RangeError naming what is unknown. */
export function latticeModulation(o: ModulationOptions): { modulation: LoraModulation; plan: RegionPlan; subBand: SubBand; txPowerCapped: boolean } {
  const p = presetParams(o.preset);
  if (!p) throw new RangeError(`unknown preset ${o.preset} (known: ${Object.keys(PRESETS).join(', ')})`);
  const plan = REGION_PLANS[o.region];
  if (!plan) throw new RangeError(`unknown region ${o.region} (known: ${Object.keys(REGION_PLANS).join(', ')})`);
  const latticeFrequency = (ALIASES[o.preset] ?? o.preset) === 'Lattice' ? LatticeRegionFrequencies[o.region] : undefined;
  const frequencyHz = o.frequencyHz ?? latticeFrequency ?? channelFrequencyHz(plan, p.bandwidthHz);
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
