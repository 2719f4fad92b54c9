/** Listener bookkeeping shared by ByteLink implementations (serial, TCP, BLE UART). */
import type { ByteLink } from './byte-link.js';

export abstract class LinkBase implements ByteLink {
  abstract readonly description: string;
  abstract readonly isOpen: boolean;
  private dataListeners = new Set<(chunk: Uint8Array) => void>();
  private closeListeners = new Set<(error?: Error) => void>();
  private closed = false;

  abstract write(data: Uint8Array, options?: { signal?: AbortSignal }): Promise<void>;
  abstract close(): Promise<void>;

  onData(listener: (chunk: Uint8Array) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  protected emitData(chunk: Uint8Array): void {
    for (const l of this.dataListeners) {
      try { l(chunk); } catch { /* a listener's bug must not break the link */ }
    }
  }

  protected emitClose(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) {
      try { l(error); } catch { /* isolated */ }
    }
    this.dataListeners.clear();
    this.closeListeners.clear();
  }
}
