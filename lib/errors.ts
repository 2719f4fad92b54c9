/** Errors of the base layer, one class per failure mode; each has a stable `name` that callers and tests check. */

/**
 * A wait or a pending operation ended because its caller's signal aborted or its owner stopped. The name is the
 * platform's (`DOMException` 'AbortError', node:timers/promises), so `err.name === 'AbortError'` holds for ours and
 * theirs alike. A layer subclasses it only to add fields (the bearer that stopped, what was waited for).
 */
export class AbortError extends Error {
  override readonly name = 'AbortError';
  constructor(message = 'the operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A text needs more parts than allowed (splitText's `maxParts`): refused whole rather than cut silently. */
export class TextTooLongError extends Error {
  override readonly name = 'TextTooLongError';
  constructor(readonly bytes: number, readonly maxParts: number) {
    super(`text of ${bytes} bytes needs more than ${maxParts} parts`);
  }
}

/** The channel (centre ± bandwidth/2) does not lie entirely inside one sub-band of the region. */
export class ChannelOutOfBandError extends Error {
  override readonly name = 'ChannelOutOfBandError';
  constructor(readonly region: string, readonly frequencyHz: number, readonly bandwidthHz: number) {
    super(`${frequencyHz / 1e6} MHz with ${bandwidthHz / 1e3} kHz bandwidth is not inside one ${region} sub-band`);
  }
}
