/**
 * The simulated Meshtastic radio (SimDevice) on an in-memory ByteLink (framing/sim/memory-link.ts), no OS
 * involved: the fastest way to drive the session against the simulated firmware. `drop()` closes it with an error
 * like a vanished USB device; the radio closing its side (a reboot on serial) does the same.
 */
import { createMemoryLink, type MemoryLink } from '../../framing/sim/memory-link.js';
import type { SimDevice } from './sim-device.js';

export { MemoryLinkClosedError, type MemoryLink } from '../../framing/sim/memory-link.js';

export function memoryLink(device: SimDevice, kind: 'serial' | 'tcp' = 'serial', description = `memory:${kind}`): MemoryLink {
  // The device's sink is wired before the link exists: it only writes once the host has written (a handshake).
  let link: MemoryLink | undefined;
  const api = device.attach({
    kind,
    write: (bytes) => link?.fromDevice(bytes),
    close: () => setImmediate(() => link?.drop()),
  });
  link = createMemoryLink({
    receive: (bytes) => {
      if (!device.isBooting) api.receive(bytes);
    },
    closed: () => device.detach(api),
  }, description);
  return link;
}
