/**
 * What the simulator's nodes share: the clock, an in-memory air that hands each node a PacketRadio (the mesh part's
 * mesh/memory-air.ts MemoryAir has this shape), and the mesh factory (mesh/create-mesh.ts createMesh). Every
 * simulated node, the device and its remote peers alike, is the real mesh with a real application on that air, so
 * adverts, ACKs and PATH returns are real packets.
 */
import type { Clock } from '../../../lib/clock/clock.js';
import type { LoraCodingRate, LoraModulation } from '../../../lib/lora/modulation.js';
import type { PacketRadio } from '../../../lib/lora/packet-radio.js';
import { MESHCORE_SYNC_WORD, meshCorePreamble } from '../../../lib/lora/meshcore-presets.js';
import type { MeshCoreMesh, MeshOptions } from '../mesh/mesh-api.js';

export interface SimAir {
  radio(name: string): PacketRadio;
  /** a and b hear each other, with this link quality (SNR dB, RSSI dBm) where the air models it. */
  link(a: string, b: string, quality?: { snrDb?: number; rssiDbm?: number }): unknown;
}

export type MeshFactory = (options: MeshOptions) => MeshCoreMesh;

export interface SimWorld {
  clock: Clock;
  air: SimAir;
  createMesh: MeshFactory;
  modulation: LoraModulation;
}

/** The modulation of the companion's radio prefs (kHz, Hz, SF, CR). */
export function modulationOf(p: { freqKhz: number; bwHz: number; sf: number; cr: number; txPowerDbm: number }): LoraModulation {
  return {
    frequencyHz: p.freqKhz * 1000, spreadingFactor: p.sf, bandwidthHz: p.bwHz, codingRate: p.cr as LoraCodingRate,
    preambleLength: meshCorePreamble(p.sf), syncWord: MESHCORE_SYNC_WORD, crcOn: true, invertIq: false, explicitHeader: true,
    txPowerDbm: p.txPowerDbm,
  };
}
