/**
 * The LoRa modulation: every setting two radios must share to hear each other, plus the transmit power. One type for
 * the SX126x driver (which turns it into SetModulationParams/SetPacketParams bytes, drivers/sx126x/modulation.ts),
 * the LoRa bearer and its airtime law, the presets of every mesh (./meshtastic-presets.ts, ./meshcore-presets.ts,
 * ./lattice-presets.ts) and the bridge's airtime estimates.
 */

/** Coding rate denominator: 5 = 4/5 … 8 = 4/8 (SX126x SetModulationParams CR codes 1..4). */
export type LoraCodingRate = 5 | 6 | 7 | 8;

export interface LoraModulation {
  /** Carrier frequency in Hz (SX1262 150–960 MHz, SX1268 410–810 MHz). */
  frequencyHz: number;
  /** Spreading factor 5..12. */
  spreadingFactor: number;
  /** Bandwidth in Hz; one of the SX126x codes: 7810, 10420, 15630, 20830, 31250, 41670, 62500, 125000, 250000, 500000. */
  bandwidthHz: number;
  codingRate: LoraCodingRate;
  /** Preamble length in symbols (1..65535; the programmed value, the chip adds 4.25). */
  preambleLength: number;
  /**
   * LoRa sync word. 0x00..0xFF is the one-byte SX127x form (0x12 private, 0x34 public LoRaWAN, 0x2B Meshtastic),
   * expanded to the SX126x register pair 0x0740/0x0741 with control nibbles 0x44 exactly like RadioLib
   * `setSyncWord(s, 0x44)`: MSB = (s & 0xF0) | 0x04, LSB = ((s & 0x0F) << 4) | 0x04 (0x12 -> 0x1424, 0x34 -> 0x3444).
   * 0x0100..0xFFFF is taken as the raw two-byte register value and written unchanged.
   */
  syncWord: number;
  /** Payload CRC on. */
  crcOn: boolean;
  invertIq: boolean;
  /** true = explicit (variable-length) header, as on every mesh we talk to; false = implicit header (payload length
   * fixed by SetPacketParams). */
  explicitHeader: boolean;
  /** Conducted output power in dBm (SX1262/SX1268 high-power PA: -9..+22). */
  txPowerDbm: number;
  /**
   * Low data rate optimisation. When undefined it is set by rule: on when the symbol time 2^SF/BW is >= 16 ms
   * (SF11/SF12 at 125 kHz, SF12 at 250 kHz), as RadioLib's auto-LDRO does. Both ends of a link must agree.
   */
  lowDataRateOptimize?: boolean;
  /** Implicit-header payload length (only used when explicitHeader is false; default 255). */
  implicitPayloadLength?: number;
}

/** Symbol time in milliseconds: Tsym = 2^SF / BW (AN1200.13 §4; DS.SX1261-2 §6.1.4). */
export function symbolTimeMs(m: Pick<LoraModulation, 'spreadingFactor' | 'bandwidthHz'>): number {
  return (2 ** m.spreadingFactor * 1000) / m.bandwidthHz;
}

/**
 * LDRO by rule: mandated when the symbol time reaches 16 ms (SX1276 datasheet §4.1.1.6; RadioLib
 * setModulationParams `ldroAuto`, Tsym ≥ 16 ms).
 */
export function ldroByRule(spreadingFactor: number, bandwidthHz: number): boolean {
  return symbolTimeMs({ spreadingFactor, bandwidthHz }) >= 16;
}

/** The LDRO setting in effect: the forced one, else the rule. */
export function lowDataRateOptimizeFor(m: Pick<LoraModulation, 'spreadingFactor' | 'bandwidthHz' | 'lowDataRateOptimize'>): boolean {
  return m.lowDataRateOptimize ?? ldroByRule(m.spreadingFactor, m.bandwidthHz);
}

/** A modem preset: the three settings a mesh names together (Meshtastic's LONG_FAST = SF11, 250 kHz, 4/5). */
export type ModemPreset = Pick<LoraModulation, 'spreadingFactor' | 'bandwidthHz' | 'codingRate'>;
