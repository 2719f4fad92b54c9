/**
 * Position (firmware src/modules/PositionModule.cpp): learns positions sent to us or broadcast, and answers a position
 * want_response with ours — if we have one (a node without GPS and without a fixed position has lat/lon 0, so
 * allocPositionPacket returns nothing and MeshModule NAKs NO_RESPONSE) — at most once per 3 minutes.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import type { NodeDirectory } from '../../device/mesh-port.js';
import type { MeshModule } from '../mesh-module.js';

/** PositionModule::allocReply: "Skip Position reply since we sent a reply <3min ago". */
export const POSITION_REPLY_INTERVAL_MS = 3 * 60 * 1000;

export interface PositionModuleOptions {
  ourNum: number;
  directory: NodeDirectory;
  now: () => number;
  /** Our position (config fixed position), if any. */
  position?: () => Mesh.Position | undefined;
}

export class PositionModule implements MeshModule {
  readonly name = 'position';
  readonly portnum = Portnums.PortNum.POSITION_APP;
  readonly promiscuous = false;
  private lastReplyAt: number | undefined;

  constructor(private readonly o: PositionModuleOptions) {}

  handle(p: Mesh.MeshPacket): void {
    if (p.payloadVariant.case !== 'decoded' || p.from === this.o.ourNum) return;
    try {
      this.o.directory.updatePosition(p.from, fromBinary(Mesh.PositionSchema, p.payloadVariant.value.payload));
    } catch {
      // not a Position: not handled
    }
  }

  reply(): Mesh.MeshPacket | 'ignore' | undefined {
    const now = this.o.now();
    if (this.lastReplyAt !== undefined && now - this.lastReplyAt < POSITION_REPLY_INTERVAL_MS) return 'ignore';
    const pos = this.o.position?.();
    if (!pos || ((pos.latitudeI ?? 0) === 0 && (pos.longitudeI ?? 0) === 0)) return undefined; // "lat/lon are zero"
    this.lastReplyAt = now;
    return create(Mesh.MeshPacketSchema, {
      payloadVariant: { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.POSITION_APP, payload: toBinary(Mesh.PositionSchema, pos) }) },
    });
  }
}
