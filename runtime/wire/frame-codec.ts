/**
 * Lattice link frames: what bearers that speak Lattice (IP, MQTT, LoRa, BLE) carry between relays.
 *
 *   byte 0: high nibble = wire version (1), low nibble = kind (1 bundle, 2 delivery bloom, 3 control)
 *   bytes 1..: payload (an encoded bundle, a signed bloom message, or a CBOR control message)
 *
 * One byte of overhead keeps LoRa frames small; the version nibble lets a relay refuse frames from a newer
 * protocol cleanly instead of misparsing them.
 */
import type { FrameKind } from '../bearer/bearer.js';
import { MAX_BUNDLE_BYTES } from '../bundle/bundle-codec.js';

export const WIRE_VERSION = 1;
export const MAX_FRAME_BYTES = MAX_BUNDLE_BYTES + 1;

const KIND_CODE: Record<FrameKind, number> = { bundle: 1, bloom: 2, control: 3 };
const CODE_KIND: Record<number, FrameKind> = { 1: 'bundle', 2: 'bloom', 3: 'control' };

export class FrameDecodeError extends Error {
  override name = 'FrameDecodeError';
  constructor(readonly reason: string) {
    super(`malformed frame: ${reason}`);
  }
}

export interface Frame {
  kind: FrameKind;
  payload: Uint8Array;
}

export function encodeFrame(frame: Frame): Uint8Array {
  const out = new Uint8Array(1 + frame.payload.length);
  out[0] = (WIRE_VERSION << 4) | KIND_CODE[frame.kind];
  out.set(frame.payload, 1);
  return out;
}

export function decodeFrame(bytes: Uint8Array): Frame {
  if (!(bytes instanceof Uint8Array) || bytes.length < 2) throw new FrameDecodeError('shorter than 2 bytes');
  if (bytes.length > MAX_FRAME_BYTES) throw new FrameDecodeError(`over ${MAX_FRAME_BYTES} bytes`);
  const version = bytes[0]! >> 4;
  if (version !== WIRE_VERSION) throw new FrameDecodeError(`wire version ${version}, expected ${WIRE_VERSION}`);
  const kind = CODE_KIND[bytes[0]! & 0x0f];
  if (!kind) throw new FrameDecodeError(`unknown kind ${bytes[0]! & 0x0f}`);
  return { kind, payload: bytes.subarray(1) };
}
