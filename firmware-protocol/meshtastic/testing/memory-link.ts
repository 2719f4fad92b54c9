/**
 * An in-memory ByteLink wired to a SimDevice, no OS involved: the fastest way to drive the session against the
 * simulated firmware. Bytes travel asynchronously (setImmediate) like on a real link; `unplug()` closes it with an
 * error like a vanished USB device.
 */
import type { ByteLink } from '../../framing/byte-link.js';
import type { SimDevice } from './sim-device.js';

export class MemoryLinkClosedError extends Error {
  override name = 'LinkClosedError';
  constructor(readonly link: string) {
    super(`link ${link} is closed`);
  }
}

export function memoryLink(device: SimDevice, kind: 'serial' | 'tcp' = 'serial', description = `memory:${kind}`): ByteLink & { unplug(): void; hostWrites: Uint8Array[] } {
  const data = new Set<(c: Uint8Array) => void>();
  const closers = new Set<(e?: Error) => void>();
  let open = true;
  const hostWrites: Uint8Array[] = [];
  const shut = (err?: Error) => {
    if (!open) return;
    open = false;
    device.detach(api);
    for (const c of [...closers]) c(err);
    data.clear();
    closers.clear();
  };
  const api = device.attach({
    kind,
    write: (bytes) => {
      const copy = bytes.slice();
      setImmediate(() => {
        if (open) for (const l of [...data]) l(copy);
      });
    },
    close: () => setImmediate(() => shut(new MemoryLinkClosedError(description))),
  });
  return {
    description,
    hostWrites,
    get isOpen() {
      return open;
    },
    write(bytes: Uint8Array) {
      if (!open) return Promise.reject(new MemoryLinkClosedError(description));
      const copy = bytes.slice();
      hostWrites.push(copy);
      setImmediate(() => {
        if (open && !device.isBooting) api.receive(copy);
      });
      return Promise.resolve();
    },
    onData(l: (c: Uint8Array) => void) {
      data.add(l);
      return () => data.delete(l);
    },
    onClose(l: (e?: Error) => void) {
      closers.add(l);
      return () => closers.delete(l);
    },
    close() {
      shut();
      return Promise.resolve();
    },
    unplug() {
      shut(new MemoryLinkClosedError(description));
    },
  };
}
