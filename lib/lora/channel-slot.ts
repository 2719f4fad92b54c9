/**
 * Meshtastic's channel placement, used for Meshtastic's channels and for Lattice's own (named "Lattice"), so both
 * land where a Meshtastic operator expects them (meshtastic/firmware src/mesh/RadioInterface.cpp applyModemConfig):
 *
 *   numSlots = floor((end − start) / (spacing + bw));  slot = djb2(channel name) % numSlots;
 *   f = start + bw/2 + slot · (spacing + bw)
 *
 * Worked in whole hertz, so no float rounding can change the slot count.
 */

/** A band to place a channel in: the mesh's share of the region (Meshtastic's RDEF start and end). */
export interface ChannelBand {
  lowHz: number;
  highHz: number;
  /** Gap between adjacent channels (Meshtastic's `spacing`, 0 in every region it ships). */
  spacingHz?: number;
}

/** djb2 over the UTF-8 bytes of the channel name, as uint32 (RadioInterface.cpp `hash`). */
export function meshtasticChannelHash(name: string): number {
  let h = 5381;
  for (const b of new TextEncoder().encode(name)) h = (Math.imul(h, 33) + b) >>> 0;
  return h;
}

/** Channel centre for a bandwidth in a band by the slot rule; RangeError when not even one channel fits. */
export function channelFrequencyHz(band: ChannelBand, bandwidthHz: number, channelName: string): number {
  const step = (band.spacingHz ?? 0) + bandwidthHz;
  const slots = Math.floor((band.highHz - band.lowHz) / step);
  if (slots < 1) throw new RangeError(`a ${bandwidthHz / 1000} kHz channel does not fit ${band.lowHz / 1e6}–${band.highHz / 1e6} MHz`);
  return band.lowHz + bandwidthHz / 2 + (meshtasticChannelHash(channelName) % slots) * step;
}
