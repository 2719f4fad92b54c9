/** Errors of the device side of the Meshtastic client API. Tests assert on `name`; fields carry the details. */

/** The persisted device state (config, channels, owner, node DB) could not be read back. Nothing is overwritten:
 * the owner decides whether to start from defaults (and keeps the bad file for a look). */
export class DeviceStoreCorruptError extends Error {
  override name = 'DeviceStoreCorruptError';
  constructor(readonly where: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`device state in ${where} is unreadable: ${reason}`, options);
  }
}

/** Writing the device state failed (disk full, permissions); the state in memory is kept and written again on the
 * next change. */
export class DeviceStoreWriteError extends Error {
  override name = 'DeviceStoreWriteError';
  constructor(readonly where: string, options?: { cause?: unknown }) {
    super(`could not write the device state to ${where}`, options);
  }
}

/** A client broke the stream protocol badly enough to lose its connection (garbage, a bogus frame length, a frame
 * left half-sent). Only that client is dropped. */
export class ClientProtocolError extends Error {
  override name = 'ClientProtocolError';
  constructor(readonly client: string, readonly reason: 'garbage' | 'bad-length' | 'stalled-mid-frame' | 'too-slow') {
    super(`client ${client} dropped: ${reason}`);
  }
}

/** An HTTP ToRadio body larger than the firmware takes (MAX_TO_FROM_RADIO_SIZE): refused whole, never cut. */
export class ToRadioTooLargeError extends Error {
  override name = 'ToRadioTooLargeError';
  constructor(readonly bytes: number, readonly limit: number) {
    super(`a ToRadio of ${bytes} bytes is larger than the ${limit} bytes the firmware takes (MAX_TO_FROM_RADIO_SIZE)`);
  }
}
