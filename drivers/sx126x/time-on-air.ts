/**
 * LoRa time on air, SX126x datasheet §6.1.4 as implemented by Lora-net/sx126x_driver src/sx126x.c
 * (sx126x_get_lora_time_on_air_numerator) and RadioLib SX126x::calculateTimeOnAir:
 *   SF>=7: n = ceil(max(8PL + 16CRC - 4SF + 8 + 20EXPL, 0) / (4(SF - 2LDRO))), ToA = (Npre + 4.25 + 8 + n(CR+4)) Tsym
 *   SF<=6: n = ceil(max(8PL + 16CRC - 4SF + 20EXPL, 0) / (4SF)),             ToA = (Npre + 6.25 + 8 + n(CR+4)) Tsym
 * The runtime's airtime law (runtime/airtime) has its own copy; drivers must not import runtime/.
 */
export interface TimeOnAirParams {
  spreadingFactor: number;
  bandwidthHz: number;
  /** 5..8 for 4/5..4/8. */
  codingRate: number;
  preambleLength: number;
  crcOn: boolean;
  explicitHeader: boolean;
  lowDataRateOptimize: boolean;
}

export function loraTimeOnAirMs(p: TimeOnAirParams, payloadLength: number): number {
  const sf = p.spreadingFactor;
  const cr = p.codingRate - 4;
  const tsym = (2 ** sf / p.bandwidthHz) * 1000;
  const expl = p.explicitHeader ? 1 : 0;
  const crc = p.crcOn ? 1 : 0;
  if (sf >= 7) {
    const num = Math.max(8 * payloadLength + 16 * crc - 4 * sf + 8 + 20 * expl, 0);
    const n = Math.ceil(num / (4 * (sf - 2 * (p.lowDataRateOptimize ? 1 : 0))));
    return (p.preambleLength + 4.25 + 8 + n * (cr + 4)) * tsym;
  }
  const num = Math.max(8 * payloadLength + 16 * crc - 4 * sf + 20 * expl, 0);
  const n = Math.ceil(num / (4 * sf));
  return (p.preambleLength + 6.25 + 8 + n * (cr + 4)) * tsym;
}
