/**
 * The radio as the mesh router drives it (the part of firmware src/mesh/RadioLibInterface.cpp below the TX queue):
 * one frame on air at a time, channel activity detection before each transmission, and every frame heard. The native
 * node implements it over the SX126x driver (real or on the simulated air); tests use testing/memory-air.ts.
 */
export interface MeshRadioFrame {
  /** The whole LoRa payload: 16-byte header + encrypted Data. */
  bytes: Uint8Array;
  rssiDbm: number;
  snrDb: number;
}

export interface MeshRadio {
  /** Sends one frame; resolves when it has left the air (TX done) with its time on air. Never called concurrently. */
  transmit(frame: Uint8Array): Promise<{ airtimeMs: number }>;
  /** Channel activity detection (SX126x CAD, RadioLibInterface::isChannelActive): true when someone is transmitting. */
  channelBusy(): Promise<boolean>;
  /** Every frame received (the radio is promiscuous, as the firmware's). Returns the unsubscribe function. */
  onReceive(listener: (frame: MeshRadioFrame) => void): () => void;
}
