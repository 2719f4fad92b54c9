/**
 * LoRa time on air by the Semtech formula: SX1261/2 datasheet DS.SX1261-2 §6.1.4 "LoRa Time-on-Air", as implemented
 * by Lora-net/sx126x_driver `sx126x_get_lora_time_on_air_numerator` (src/sx126x.c) and RadioLib
 * SX126x::calculateTimeOnAir, and equal to Semtech AN1200.13 "LoRa Modem Designer's Guide" §4 for SF7–SF12. SF5/SF6
 * use the SX126x variant (6.25 header symbols, no "+8" in the payload numerator).
 *
 *   Tsym = 2^SF / BW
 *   SF≥7: n = ceil(max(8·PL + 16·CRC − 4·SF + 8 + 20·EXPL, 0) / (4·(SF − 2·LDRO)));  ToA = (Npre + 4.25 + 8 + n·(CR+4))·Tsym
 *   SF≤6: n = ceil(max(8·PL + 16·CRC − 4·SF + 20·EXPL, 0) / (4·SF));                ToA = (Npre + 6.25 + 8 + n·(CR+4))·Tsym
 *
 * The one copy: the SX126x driver reports it per transmission, the LoRa bearer books it against the duty cycle and
 * the dwell limit, the bridge estimates a bridged text's cost with it, and the simulators time their air with it.
 */
import { lowDataRateOptimizeFor, symbolTimeMs, type LoraModulation } from './modulation.js';

/** What time on air depends on: a LoraModulation without carrier, sync word, IQ and power. The coding rate may be
 * any number here; it is checked at run time (the bridge builds these from what a radio reports). */
export type TimeOnAirParams = Pick<LoraModulation, 'spreadingFactor' | 'bandwidthHz' | 'preambleLength' | 'explicitHeader' | 'crcOn' | 'lowDataRateOptimize'> & {
  /** Coding rate denominator 5..8 (4/5 .. 4/8). */
  codingRate: number;
};

function assertParams(m: TimeOnAirParams): void {
  if (!Number.isInteger(m.spreadingFactor) || m.spreadingFactor < 5 || m.spreadingFactor > 12) {
    throw new RangeError(`spreading factor must be 5..12, got ${m.spreadingFactor}`);
  }
  if (!(m.bandwidthHz >= 7_000 && m.bandwidthHz <= 500_000)) {
    throw new RangeError(`bandwidth must be 7.8..500 kHz, got ${m.bandwidthHz} Hz`);
  }
  if (!Number.isInteger(m.codingRate) || m.codingRate < 5 || m.codingRate > 8) {
    throw new RangeError(`coding rate denominator must be 5..8, got ${m.codingRate}`);
  }
  if (!Number.isInteger(m.preambleLength) || m.preambleLength < 1 || m.preambleLength > 0xffff) {
    throw new RangeError(`preamble length must be 1..65535 symbols, got ${m.preambleLength}`);
  }
}

/** Number of payload symbols after the 8 fixed header symbols (the `n` above). */
export function payloadSymbols(m: TimeOnAirParams, payloadBytes: number): number {
  const sf = m.spreadingFactor;
  const crc = m.crcOn ? 1 : 0;
  const expl = m.explicitHeader ? 1 : 0;
  if (sf <= 6) {
    const num = 8 * payloadBytes + 16 * crc - 4 * sf + 20 * expl;
    return Math.ceil(Math.max(num, 0) / (4 * sf));
  }
  const ldro = lowDataRateOptimizeFor(m) ? 1 : 0;
  const num = 8 * payloadBytes + 16 * crc - 4 * sf + 8 + 20 * expl;
  return Math.ceil(Math.max(num, 0) / (4 * (sf - 2 * ldro)));
}

/** Time on air of one frame of `payloadBytes` bytes, in milliseconds (exact, not rounded); RangeError on bad input. */
export function timeOnAirMs(m: TimeOnAirParams, payloadBytes: number): number {
  assertParams(m);
  if (!Number.isInteger(payloadBytes) || payloadBytes < 0 || payloadBytes > 255) {
    throw new RangeError(`LoRa payload must be 0..255 bytes, got ${payloadBytes}`);
  }
  const headerSymbols = m.spreadingFactor <= 6 ? 6.25 : 4.25;
  const symbols = m.preambleLength + headerSymbols + 8 + payloadSymbols(m, payloadBytes) * m.codingRate; // (CR + 4) with CR = 1..4 = denominator
  return symbols * symbolTimeMs(m);
}

/** The largest payload (0..255) whose time on air stays within `maxMs`; -1 when even an empty frame is too long. */
export function maxPayloadWithin(m: TimeOnAirParams, maxMs: number): number {
  if (timeOnAirMs(m, 0) > maxMs) return -1;
  let lo = 0;
  let hi = 255;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (timeOnAirMs(m, mid) <= maxMs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
