/**
 * An in-process ByteLink wired to a SimDevice through a firmware serial interface (no PTY): for unit tests and
 * benchmarks. Delivery is asynchronous (setImmediate), like bytes arriving from a port.
 */
import type { ByteLink } from '../../framing/byte-link.js';
import type { SimDevice } from './sim-device.js';
import { SerialSimInterface } from './sim-interfaces.js';

export interface MemoryLink extends ByteLink {
  /** Bytes as if the radio wrote them (garbage injection). */
  injectFromRadio(bytes: Uint8Array): void;
  readonly iface: SerialSimInterface;
  /** Simulates unplugging: the link closes with an error. */
  drop(error?: Error): void;
  /** performance.now() when the last chunk was handed to listeners (latency measurements). */
  lastDeliveryAt: number;
}

export function connectMemoryLink(device: SimDevice, description = 'memory:meshcore-sim'): MemoryLink {
  const data = new Set<(c: Uint8Array) => void>();
  const closes = new Set<(e?: Error) => void>();
  let open = true;
  const deliver = (b: Uint8Array) => {
    const copy = b.slice();
    setImmediate(() => {
      if (!open) return;
      link.lastDeliveryAt = performance.now();
      for (const l of data) l(copy);
    });
  };
  const iface = new SerialSimInterface({ write: deliver });
  device.addInterface(iface);
  const detach = () => {
    const i = device.interfaces.indexOf(iface);
    if (i >= 0) device.interfaces.splice(i, 1);
  };
  const finish = (err?: Error) => {
    if (!open) return;
    open = false;
    detach();
    for (const l of closes) l(err);
    data.clear();
    closes.clear();
  };
  const link: MemoryLink = {
    description,
    iface,
    lastDeliveryAt: 0,
    get isOpen() {
      return open;
    },
    write(bytes, options) {
      options?.signal?.throwIfAborted();
      if (!open) return Promise.reject(Object.assign(new Error(`${description} closed`), { name: 'LinkClosedError' }));
      const copy = bytes.slice();
      setImmediate(() => device.receive(iface, copy));
      return Promise.resolve();
    },
    onData(l) {
      data.add(l);
      return () => data.delete(l);
    },
    onClose(l) {
      closes.add(l);
      return () => closes.delete(l);
    },
    close() {
      finish();
      return Promise.resolve();
    },
    injectFromRadio: deliver,
    drop: (err) => finish(err ?? new Error('device unplugged')),
  };
  return link;
}
