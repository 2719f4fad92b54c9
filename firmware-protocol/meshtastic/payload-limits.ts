/**
 * Largest text payload that fits one Meshtastic LoRa frame, as messages.ts dataFits computes it for a TEXT_MESSAGE
 * packet the firmware originates: 16 bytes of header + the encoded Data (portnum, payload, bitfield: 6 bytes of
 * overhead for a payload over 127 bytes) <= 255 (MAX_LORA_PAYLOAD_LEN), with 12 more bytes for a PKI DM
 * (MESHTASTIC_PKC_OVERHEAD). Kept free of protobuf imports so callers that only need the limit (the bridge's planner)
 * do not load the schemas; messages.test.ts checks it against dataFits.
 */
export function maxPayloadBytes(pki: boolean): number {
  return pki ? 220 : 232;
}
