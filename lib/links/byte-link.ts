/**
 * ByteLink: a duplex byte stream to a device (USB serial, a PTY, a TCP socket, a BLE UART).
 *
 * The narrowest seam a protocol session needs: write bytes, hear bytes, learn that the link went away. Declared
 * once here in the base layer, so drivers/ (drivers/serial/byte-link.ts, the links it opens) and firmware-protocol/
 * (firmware-protocol/framing/byte-link.ts, the sessions that use them) name the same type without importing each
 * other. firmware-protocol/framing/testing/byte-link-suite.ts checks the contract on the in-memory link, the serial
 * link (over a PTY) and the TCP link.
 */
export interface ByteLink {
  /** Human-readable description for logs: `/dev/ttyUSB0`, `127.0.0.1:4403`. */
  readonly description: string;
  /** Resolves when the bytes were handed to the OS (serial: drained, or the port closed after the OS took them).
   * Rejects with LinkClosedError when they were not, and with the signal's reason when it is aborted; never throws
   * at the caller. */
  write(data: Uint8Array, options?: { signal?: AbortSignal }): Promise<void>;
  /** Registers a receive listener; returns a function that removes it. A listener that throws does not break the
   * link nor keep the other listeners from the data. */
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /** Called once when the link closes: `error` when the device went away, undefined after close(). */
  onClose(listener: (error?: Error) => void): () => void;
  /** Closes the link; idempotent. */
  close(): Promise<void>;
  readonly isOpen: boolean;
}

/** Opens a fresh link each call (used by sessions that reconnect with backoff). */
export type LinkOpener = (options?: { signal?: AbortSignal }) => Promise<ByteLink>;
