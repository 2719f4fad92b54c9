/**
 * An in-memory companion link: a ByteLink whose far end is one client session of a CompanionDevice
 * (firmware-protocol/meshcore/companion/companion-device.ts), carrying the same framed bytes a TCP client sends to
 * port 5000 ('<' + u16 LE length + command; '>' + length + reply or push). The native node attaches its own
 * MeshCoreGateway (runtime/bearers/meshcore) through it, as one more client of its device beside the apps on the
 * TCP port: so `mc:` sends, DMs with retries, channels, the inbox, trace and the bridge work on the native node
 * exactly as on a companion radio, with no second implementation of any of them.
 */
import { createMemoryLink, type MemoryLink } from '../../../firmware-protocol/framing/sim/memory-link.js';
import { encodeMeshCoreFrame, MeshCoreFrameDecoder, MESHCORE_MARKER_FROM_RADIO, MESHCORE_MARKER_TO_RADIO } from '../../../firmware-protocol/framing/meshcore-frame.js';
import type { LinkOpener } from '../../../firmware-protocol/framing/byte-link.js';
import type { CompanionDevice, CompanionSession } from '../../../firmware-protocol/meshcore/companion/companion-device.js';

/** The device dropped this client (stop, or a protocol breach): the link closes with it. */
export class CompanionDetachedError extends Error {
  override name = 'LinkClosedError';
  constructor(readonly link: string, readonly reason: string) {
    super(`${link}: the device closed the session (${reason})`);
  }
}

/** One fresh link (and session) per call, as a reconnecting gateway expects of its opener. */
export function companionLinkOpener(device: CompanionDevice, description: string): LinkOpener {
  return async (options) => {
    options?.signal?.throwIfAborted();
    return connectCompanion(device, description);
  };
}

export function connectCompanion(device: CompanionDevice, description: string): MemoryLink {
  const decoder = new MeshCoreFrameDecoder({ marker: MESHCORE_MARKER_TO_RADIO });
  let session: CompanionSession | undefined;
  let link: MemoryLink | undefined;
  link = createMemoryLink({
    receive: (bytes) => {
      for (const frame of decoder.push(bytes)) session?.command(frame);
    },
    closed: () => {
      const s = session;
      session = undefined;
      s?.detach();
    },
  }, description);
  session = device.attach({
    send: (frame) => {
      if (link?.isOpen) link.fromDevice(encodeMeshCoreFrame(frame, MESHCORE_MARKER_FROM_RADIO));
    },
    close: (reason) => {
      // The device already forgot the session: close the link without detaching it again.
      session = undefined;
      link?.drop(new CompanionDetachedError(description, reason));
    },
  }, 'memory');
  return link;
}
