/**
 * A RawPacketSource over a MeshCore mesh (firmware-protocol/meshcore/mesh): the mesh calls its handler's logRxRaw
 * for every frame the radio decoded (Dispatcher::logRxRaw), and the tap hands a copy of each to the observers. The
 * native MeshCore node (issue 14) wires it with tapMeshHandler(handler, tap) and offers it as rawPacketSource().
 */
import type { MeshHandler } from '../../../../firmware-protocol/meshcore/mesh/mesh-handler.js';
import type { LocalIdentity } from '../../../../firmware-protocol/meshcore/ota/identity.js';
import type { RawPacket, RawPacketSource } from './raw-packet-source.js';

export interface RawPacketTapInit {
  identity: Pick<LocalIdentity, 'publicKey' | 'sign'>;
  /** The node's advert name, read at each message. */
  name: () => string;
  now: () => number;
  radioSummary?: () => string;
}

export class RawPacketTap implements RawPacketSource {
  private readonly listeners = new Set<(p: RawPacket) => void>();

  constructor(private readonly init: RawPacketTapInit) {}

  get publicKey(): Uint8Array {
    return this.init.identity.publicKey;
  }

  name(): string {
    return this.init.name();
  }

  sign(message: Uint8Array): Uint8Array {
    return this.init.identity.sign(message);
  }

  radioSummary(): string {
    return this.init.radioSummary?.() ?? '';
  }

  onRawPacket(listener: (p: RawPacket) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** MeshHandler.logRxRaw. A listener that throws stops neither the others nor the mesh. */
  logRxRaw(raw: Uint8Array, snrDb: number, rssiDbm: number): void {
    if (this.listeners.size === 0) return;
    const p = { raw: raw.slice(), snrDb, rssiDbm, at: this.init.now() };
    for (const l of this.listeners) {
      try {
        l(p);
      } catch {
        // an observer failing must not stop the mesh
      }
    }
  }
}

/** Makes `handler.logRxRaw` also feed the tap (the handler's own logRxRaw, if any, runs first). */
export function tapMeshHandler<H extends MeshHandler>(handler: H, tap: RawPacketTap): H {
  const own = handler.logRxRaw?.bind(handler);
  handler.logRxRaw = (raw, snrDb, rssiDbm) => {
    own?.(raw, snrDb, rssiDbm);
    tap.logRxRaw(raw, snrDb, rssiDbm);
  };
  return handler;
}
