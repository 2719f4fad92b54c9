/**
 * LoraRadio: what a bearer needs from a LoRa chip driver, and nothing more.
 *
 * Implemented by the SX126x driver (drivers/sx126x/sx126x-radio.ts) over a real SPI/GPIO HAL, over the serial bridge
 * HAL, or over the emulated chip (drivers/sx126x/sim/emulated-radios.ts). The bearer (runtime/bearers/lora)
 * owns airtime accounting and law; this interface only moves bytes on and off the air.
 */

import type { LoraModulation } from '../../lib/lora/modulation.js';

/** The modulation is the chip-independent LoRa model (lib/lora/modulation.ts), re-exported for this interface's users. */
export type { LoraCodingRate, LoraModulation } from '../../lib/lora/modulation.js';

export interface RxPacket {
  payload: Uint8Array;
  /** Packet RSSI in dBm (GetPacketStatus RssiPkt, -v/2). */
  rssi: number;
  /** Packet SNR in dB (GetPacketStatus SnrPkt, int8/4). */
  snr: number;
  /** true when the chip flagged CrcErr, or HeaderErr without HeaderValid (RadioLib readData rule). */
  crcError: boolean;
  /** Wall-clock ms (the driver's clock, Date.now() by default) when RxDone was serviced. */
  receivedAt: number;
}

/**
 * What a radio handled by itself, for the runtime's metrics and logs: a chip found reset and re-initialised by the
 * driver's health check, or a listen-before-talk CAD that found the channel busy (the driver backs off and tries
 * again, up to its limit).
 */
export type LoraRadioEvent =
  | { type: 'reinitialised'; trigger: 'timer' | 'error'; mismatch: string }
  | { type: 'channel-busy'; attempt: number; attempts: number };

export interface LoraRadio {
  /**
   * True when transmit() listens before talking by itself (CAD right before SetTx, with back-off): the caller must
   * not run its own CAD as well. Absent or false: the caller may (the airtime governor's `lbt`).
   */
  readonly listensBeforeTalk?: boolean;
  /** Subscribe to what the radio handled by itself (LoraRadioEvent); returns an unsubscribe function. Optional. */
  onEvent?(listener: (e: LoraRadioEvent) => void): () => void;
  /** Put the chip in standby and apply the modulation; safe to call again to retune. */
  configure(m: LoraModulation, opts?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Transmit one packet (1..255 bytes) and resolve on the TxDone IRQ with the time on air the driver computed
   * (Semtech formula). Rejects with a typed error on timeout (default 5 ms + 5 x time on air, as RadioLib) or abort.
   * Continuous receive, if it was running, is resumed afterwards.
   */
  transmit(payload: Uint8Array, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<{ airtimeMs: number }>;
  /** Enter continuous receive (SetRx 0xFFFFFF); packets arrive through onPacket until standby()/close(). */
  startReceive(opts?: { signal?: AbortSignal }): Promise<void>;
  /** Channel activity detection (SetCad): true if a LoRa preamble was detected. Receive resumes afterwards if it was on. */
  channelActivity(opts?: { signal?: AbortSignal }): Promise<boolean>;
  /** Subscribe to received packets (CRC-failed ones included, flagged crcError); returns an unsubscribe function. */
  onPacket(listener: (p: RxPacket) => void): () => void;
  /** Leave RX/CAD and go to STDBY_RC. */
  standby(): Promise<void>;
  /** Standby, stop IRQ handling and release the HAL (SPI/GPIO/serial). */
  close(): Promise<void>;
}
