/**
 * An in-memory ByteLink: the host end of a line whose other end is a simulated device in the same process (the
 * Meshtastic and MeshCore simulators attach to it through their own small adapters, sim/memory-link.ts in
 * each). No OS involved, so sessions and gateways run against the simulated firmware at full speed; bytes still
 * travel on a later event-loop turn, as from a real port, and the link honours the whole ByteLink contract
 * (testing/byte-link-suite.ts runs on it, on a PTY through the serial link and on the TCP link).
 *
 * It lives in firmware-protocol/framing because both simulators are here and drivers/ may not be imported; the
 * serial and TCP links keep their own LinkClosedError (drivers/serial/errors.ts) with the same name.
 */
import type { ByteLink } from '../byte-link.js';

export class MemoryLinkClosedError extends Error {
  override name = 'LinkClosedError';
  constructor(readonly link: string) {
    super(`link ${link} is closed`);
  }
}

/** The device end, as the simulator sees it. */
export interface MemoryLinkDevice {
  /** Bytes the host wrote, handed over on a later turn while the link is open. */
  receive(bytes: Uint8Array): void;
  /** The link closed (host close(), or drop()): forget this client. Called once. */
  closed?(): void;
}

export interface MemoryLink extends ByteLink {
  /** Every chunk the host wrote, in order (tests decode what the session sent). */
  readonly hostWrites: Uint8Array[];
  /** performance.now() when the last chunk reached the data listeners (latency measurements). */
  readonly lastDeliveryAt: number;
  /** Bytes as if the device wrote them (its replies, or garbage on the line): delivered on a later turn. */
  fromDevice(bytes: Uint8Array): void;
  /** The device goes away (unplugged, rebooted, socket reset): the link closes with `error`, by default a
   * LinkClosedError. */
  drop(error?: Error): void;
}

export function createMemoryLink(device: MemoryLinkDevice, description = 'memory'): MemoryLink {
  const dataListeners = new Set<(chunk: Uint8Array) => void>();
  const closeListeners = new Set<(error?: Error) => void>();
  const hostWrites: Uint8Array[] = [];
  let open = true;
  let lastDeliveryAt = 0;
  const shut = (error?: Error): void => {
    if (!open) return;
    open = false;
    device.closed?.();
    for (const l of [...closeListeners]) {
      try {
        l(error);
      } catch {
        // a listener's bug must not keep the others from hearing the link closed
      }
    }
    dataListeners.clear();
    closeListeners.clear();
  };
  return {
    description,
    hostWrites,
    get isOpen() {
      return open;
    },
    get lastDeliveryAt() {
      return lastDeliveryAt;
    },
    write(bytes, options) {
      if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
      if (!open) return Promise.reject(new MemoryLinkClosedError(description));
      const copy = bytes.slice();
      hostWrites.push(copy);
      setImmediate(() => {
        if (open) device.receive(copy);
      });
      return Promise.resolve();
    },
    onData(listener) {
      dataListeners.add(listener);
      return () => dataListeners.delete(listener);
    },
    onClose(listener) {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close() {
      shut();
      return Promise.resolve();
    },
    fromDevice(bytes) {
      const copy = bytes.slice();
      setImmediate(() => {
        if (!open) return;
        lastDeliveryAt = performance.now();
        for (const l of dataListeners) {
          try {
            l(copy);
          } catch {
            // a listener's bug must not break the link (as LinkBase does for the OS links)
          }
        }
      });
    },
    drop(error) {
      shut(error ?? new MemoryLinkClosedError(description));
    },
  };
}
