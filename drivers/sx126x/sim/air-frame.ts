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

/** The chip's RF settings as programmed: what a transmission carries, and what it listens with. */
export type ChipRf = Pick<AirFrame, 'frf' | 'frequencyHz' | 'sf' | 'bandwidthHz' | 'codingRate' | 'ldro' | 'preamble' | 'explicitHeader' | 'crcOn' | 'invertIq' | 'syncWord'>;

/**
 * The chip's view of the air: SimulatedAir (in-process, the chip times its own frames) and RemoteAirPort (the air of
 * `lattice sim air` over TCP, which says when a frame has left the air).
 */
export interface AirPort {
  transmit(chip: EmulatedSx126x, frame: Omit<AirFrame, 'id' | 'startAt' | 'endAt' | 'truncated'>, durationMs: number): AirFrame;
  truncate(frame: AirFrame): void;
  /** Frames on the air now that this chip can hear on frf. */
  hearing(chip: EmulatedSx126x, frf: number, bandwidthHz: number): Heard[];
  noiseFloorDbm(bandwidthHz: number): number;
  /** True when the air ends each transmission itself by calling chip.airTxDone(frame); otherwise the chip raises
   * TxDone after its own time on air. */
  readonly endsTransmissions?: boolean;
  /** The chip entered RX with these settings (a remote air tunes the chip's antenna to them). */
  listening?(chip: EmulatedSx126x, rf: ChipRf): void;
}
