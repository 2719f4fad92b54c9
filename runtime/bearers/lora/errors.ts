/** Errors of the LoRa bearer; tests assert on `name`. */
import { AbortError } from '../../../lib/errors.js';

/** A received LoRa frame is not a Lattice link frame (wrong version, truncated, bad fragment fields). */
export class LinkFrameDecodeError extends Error {
  override name = 'LinkFrameDecodeError';
  constructor(readonly reason: string) {
    super(`malformed LoRa link frame: ${reason}`);
  }
}

/** A compact on-air bundle could not be decoded (truncated, bad field). */
export class CompactBundleDecodeError extends Error {
  override name = 'CompactBundleDecodeError';
  constructor(readonly reason: string) {
    super(`malformed compact bundle: ${reason}`);
  }
}

/** The radio failed to put a frame on the air (TX timeout, chip error); the bundle was not accepted. */
export class LoraTransmitError extends Error {
  override name = 'LoraTransmitError';
  constructor(readonly bearer: string, options?: { cause?: unknown }) {
    const why = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`${bearer}: transmit failed${why}`, options);
  }
}

/** The bearer was stopped while the send was pending. */
export class BearerStoppedError extends AbortError {
  constructor(readonly bearer: string) {
    super(`${bearer} stopped`);
  }
}

/** The bearer configuration cannot work (no frame fits the dwell limit, unknown preset or region). */
export class LoraConfigError extends Error {
  override name = 'LoraConfigError';
  constructor(readonly bearer: string, readonly reason: string) {
    super(`${bearer}: ${reason}`);
  }
}

/** A received Lattice v2 LoRa frame is malformed (truncated, reserved bits, impossible field combination). */
export class V2FrameDecodeError extends Error {
  override name = 'V2FrameDecodeError';
  constructor(readonly reason: string) {
    super(`malformed Lattice v2 frame: ${reason}`);
  }
}

/** A Lattice v2 frame decoded but does not authenticate or resolve here (bad MAC, unknown key hint). */
export class V2FrameRejectedError extends Error {
  override name = 'V2FrameRejectedError';
  constructor(readonly reason: 'bad-mac' | 'unknown-key' | 'unsupported', detail?: string) {
    super(`Lattice v2 frame rejected (${reason})${detail ? `: ${detail}` : ''}`);
  }
}

/** The v2 stamp file (v2/stamp-allocator.ts) cannot be read or written, or is corrupt: no stamp is handed out. */
export class StampFileError extends Error {
  override name = 'StampFileError';
  constructor(readonly path: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`${path}: ${reason}`, options);
  }
}

/** Every u32 stamp is used (the year 2160): the node must send v1. */
export class StampsExhaustedError extends Error {
  override name = 'StampsExhaustedError';
  constructor() {
    super('no v2 stamps left (u32 seconds since 2024 reached); the node must send v1');
  }
}
