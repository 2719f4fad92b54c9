/**
 * The simulated MeshCore companion radio (SimDevice) on an in-memory ByteLink (one client session of its device side) (framing/sim/memory-link.ts),
 * through a firmware serial interface and no PTY: for unit tests and benchmarks. `drop()` closes it with an error
 * like an unplugged device; `fromDevice()` puts bytes on the line as if the radio wrote them (garbage injection).
 */
import { createMemoryLink, type MemoryLink } from '../../framing/sim/memory-link.js';
import type { SimDevice } from './sim-device.js';
import { SerialSimInterface } from './sim-interfaces.js';

export { MemoryLinkClosedError, type MemoryLink } from '../../framing/sim/memory-link.js';

/** The link, and the simulator's serial interface it is attached to (its fault knobs, e.g. `splitWrites`). */
export function connectMemoryLink(device: SimDevice, description = 'memory:meshcore-sim'): MemoryLink & { readonly iface: SerialSimInterface } {
  let link: MemoryLink | undefined;
  const iface = new SerialSimInterface({ write: (bytes) => link?.fromDevice(bytes) });
  device.addInterface(iface);
  link = createMemoryLink({
    receive: (bytes) => device.receive(iface, bytes),
    closed: () => device.removeInterface(iface),
  }, description);
  return Object.assign(link, { iface });
}
