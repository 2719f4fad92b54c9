/** The frames the simulated air carries and the interfaces between emulated chips and the air. */
import type { EmulatedSx126x } from './emulated-sx126x.js';

/** What a transmitter puts on the air: everything a receiver needs to decide whether it can demodulate it. */
export interface AirFrame {
  id: number;
  from: string;
  frf: number;
  frequencyHz: number;
  sf: number;
  bandwidthHz: number;
  /** 5..8 (4/5..4/8). */
  codingRate: number;
  ldro: boolean;
  preamble: number;
  explicitHeader: boolean;
  crcOn: boolean;
  invertIq: boolean;
  syncWord: number;
  payload: Uint8Array;
  txPowerDbm: number;
  startAt: number;
  endAt: number;
  /** Cut short by a TX timeout: receivers see a broken packet. */
  truncated: boolean;
}

/** What the air tells a receiver about one frame as heard at its antenna. */
export interface Heard {
  frame: AirFrame;
  rssiDbm: number;
  snrDb: number;
  decodable: boolean;
}

/** The chip's view of the air (SimulatedAir implements it). */
export interface AirPort {
  transmit(chip: EmulatedSx126x, frame: Omit<AirFrame, 'id' | 'startAt' | 'endAt' | 'truncated'>, durationMs: number): AirFrame;
  truncate(frame: AirFrame): void;
  /** Frames on the air now that this chip can hear on frf. */
  hearing(chip: EmulatedSx126x, frf: number, bandwidthHz: number): Heard[];
  noiseFloorDbm(bandwidthHz: number): number;
}
