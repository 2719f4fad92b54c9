/**
 * Estimated time on air of a bridged text on the receiving mesh, for the per-direction airtime budget. It counts
 * one transmission by our radio (repeaters' re-sends are the mesh's cost, not our radio's duty cycle).
 *
 * - Meshtastic: 16-byte radio header (MeshPacket header, RadioInterface.h PacketHeader) + the Data protobuf (portnum
 *   tag and value 2 bytes, payload tag and length 2–3 bytes, bitfield 2 bytes) + the text; AES-CTR adds nothing;
 *   a PKI DM adds 12 bytes (8-byte auth tag + 4-byte extra nonce, MeshPacket PKI encryption).
 * - MeshCore: header and path-length bytes, then GRP_TXT's 1-byte channel hash + 2-byte MAC + AES-128 blocks of
 *   (4-byte timestamp, 1 flag byte, "<name>: <text>"); a DM (TXT_MSG) has 1-byte dest and src hashes and the same
 *   MAC + blocks (Mesh.cpp createGroupDatagram / createDatagram, CIPHER_BLOCK_SIZE 16, CIPHER_MAC_SIZE 2).
 */
import { timeOnAirMs, type TimeOnAirParams } from '../../lib/lora/time-on-air.js';
import type { MeshNet } from './attribution.js';

export function payloadBytesOnAir(net: MeshNet, textBytes: number, dm: boolean, selfNameBytes = 0): number {
  if (net === 'mt') return 16 + 2 + 3 + 2 + textBytes + (dm ? 12 : 0);
  const plain = 4 + 1 + (dm ? 0 : selfNameBytes + 2) + textBytes;
  const blocks = Math.ceil(plain / 16) * 16;
  return 2 + (dm ? 2 : 1) + 2 + blocks;
}

export function airtimeMs(net: MeshNet, modulation: TimeOnAirParams, textBytes: number, dm: boolean, selfNameBytes = 0): number {
  return timeOnAirMs(modulation, Math.min(255, payloadBytesOnAir(net, textBytes, dm, selfNameBytes)));
}
