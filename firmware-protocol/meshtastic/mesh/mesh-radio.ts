/**
 * The radio as the Meshtastic mesh router drives it (the part of firmware src/mesh/RadioLibInterface.cpp below the
 * TX queue): one frame on air at a time, channel activity detection before each transmission, and every frame
 * heard. The shape is shared with MeshCore (lib/lora/packet-radio.ts); the native node implements it over the SX126x
 * driver (real or on the simulated air); tests use testing/memory-air.ts. For Meshtastic, `bytes` is the 16-byte
 * header + encrypted Data.
 */
export type { PacketRadio as MeshRadio, PacketRadioFrame as MeshRadioFrame } from '../../../lib/lora/packet-radio.js';
