/**
 * LoraRadio: what a bearer needs from a LoRa chip driver, and nothing more.
 *
 * Implemented by the SX126x driver (drivers/sx126x/sx126x-radio.ts) over a real SPI/GPIO HAL, over the serial bridge
 * HAL, or over the emulated chip (drivers/sx126x/testing/emulated-radios.ts). The bearer (runtime/bearers/lora)
 * owns airtime accounting and law; this interface only moves bytes on and off the air.
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
  /** Preamble length in symbols (1..65535). */
  preambleLength: number;
  /**
   * LoRa sync word. 0x00..0xFF is the one-byte SX127x form (0x12 private, 0x34 public LoRaWAN, 0x2B Meshtastic),
   * expanded to the SX126x register pair 0x0740/0x0741 with control nibbles 0x44 exactly like RadioLib
   * `setSyncWord(s, 0x44)`: MSB = (s & 0xF0) | 0x04, LSB = ((s & 0x0F) << 4) | 0x04 (0x12 -> 0x1424, 0x34 -> 0x3444).
   * 0x0100..0xFFFF is taken as the raw two-byte register value and written unchanged.
   */
  syncWord: number;
  crcOn: boolean;
  invertIq: boolean;
  /** true = explicit (variable-length) header; false = implicit header (payload length fixed by SetPacketParams). */
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

export interface LoraRadio {
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
