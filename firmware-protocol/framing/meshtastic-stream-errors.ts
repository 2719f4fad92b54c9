/** Errors of the Meshtastic stream framing; tests assert on `name`. */
export class MeshtasticFrameTooLargeError extends RangeError {
  override name = 'MeshtasticFrameTooLargeError';
  constructor(readonly length: number, readonly max: number) {
    super(`Meshtastic stream frame payload of ${length} bytes exceeds the firmware limit of ${max} (MAX_TO_FROM_RADIO_SIZE)`);
  }
}
