/**
 * A serial port (USB CDC/UART, or a PTY in tests) as a ByteLink, through `serialport`. Companion firmwares
 * (Meshtastic, MeshCore) and the Lattice serial bridge all run at 115200 8N1.
 */
import { SerialPort } from 'serialport';
import { LinkBase } from './link-base.js';
import { LinkClosedError, LinkOpenError } from './errors.js';

export interface SerialLinkOptions {
  path: string;
  baudRate?: number;
  signal?: AbortSignal;
}

export class SerialLink extends LinkBase {
  readonly description: string;
  private port: SerialPort;

  private constructor(port: SerialPort, path: string) {
    super();
    this.port = port;
    this.description = path;
    port.on('data', (chunk: Buffer) => this.emitData(chunk));
    port.on('close', (err?: Error | null) => this.emitClose(err ?? undefined));
    port.on('error', (err: Error) => this.emitClose(err));
  }

  get isOpen(): boolean {
    return this.port.isOpen;
  }

  static async open(options: SerialLinkOptions): Promise<SerialLink> {
    options.signal?.throwIfAborted();
    const port = new SerialPort({ path: options.path, baudRate: options.baudRate ?? 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => {
      port.open((err) => (err ? reject(new LinkOpenError(options.path, { cause: err })) : resolve()));
    });
    if (options.signal?.aborted) {
      await new Promise<void>((r) => port.close(() => r()));
      options.signal.throwIfAborted();
    }
    return new SerialLink(port, options.path);
  }

  write(data: Uint8Array, options?: { signal?: AbortSignal }): Promise<void> {
    // A promise-returning write rejects, never throws at the caller (ByteLink contract).
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    if (!this.port.isOpen) return Promise.reject(new LinkClosedError(this.description));
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength), (err) => {
        if (err) return reject(new LinkClosedError(this.description, { cause: err }));
        // The OS has every byte once the write succeeded; a drain that fails because the port closed meanwhile does
        // not take them back (the device may already have read and acted on them: a MeshCore radio puts a channel
        // text on the air as soon as it has the frame). The close itself is reported through onClose.
        this.port.drain(() => resolve());
      });
    });
  }

  close(): Promise<void> {
    if (!this.port.isOpen) {
      this.emitClose();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.port.close(() => {
        this.emitClose();
        resolve();
      });
    });
  }
}

export function openSerialLink(options: SerialLinkOptions): Promise<SerialLink> {
  return SerialLink.open(options);
}
