/**
 * A LoRa radio as a mesh firmware's router drives it (Meshtastic RadioLibInterface below its TX queue, MeshCore
 * Dispatcher's Radio): one frame on air at a time, a check for activity before each transmission, and every frame
 * heard. The native nodes implement it over the SX126x driver (real or on the simulated air); tests use memory airs.
 */
export interface PacketRadioFrame {
  /** The whole LoRa payload as received. */
  bytes: Uint8Array;
  rssiDbm: number;
  snrDb: number;
}

export interface PacketRadio {
  /** Sends one frame; resolves when it has left the air (TX done) with its time on air. Never called concurrently. */
  transmit(frame: Uint8Array): Promise<{ airtimeMs: number }>;
  /**
   * Someone is on the channel now: SX126x CAD (Meshtastic RadioLibInterface::isChannelActive) or a reception in
   * progress (MeshCore RadioLibWrapper::isReceiving). A mesh defers its transmission while true.
   */
  channelBusy(): Promise<boolean>;
  /** Every frame received (the radio is promiscuous, as the firmware's). Returns the unsubscribe function. */
  onReceive(listener: (frame: PacketRadioFrame) => void): () => void;
  /** The current noise floor in dBm when the radio measures one (MeshCore stats report it). */
  noiseFloorDbm?(): number | undefined;
}
