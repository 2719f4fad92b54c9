/** Test support: an in-memory NodeDirectory (the device side's persisted NodeDB in production). */
import { create } from '@bufbuild/protobuf';
import { Mesh, type Telemetry } from '@meshtastic/protobufs';
import type { NodeDirectory } from '../../device/mesh-port.js';

export class MemoryNodeDirectory implements NodeDirectory {
  readonly table = new Map<number, Mesh.NodeInfo>();
  readonly heard: Mesh.MeshPacket[] = [];
  /** NodeInfoLite.next_hop per node (only for nodes in the DB, as the firmware's getMeshNode(to)->next_hop). */
  readonly nextHops = new Map<number, number>();

  get(num: number): Mesh.NodeInfo | undefined {
    return this.table.get(num >>> 0);
  }

  publicKeyOf(num: number): Uint8Array | undefined {
    const k = this.table.get(num >>> 0)?.user?.publicKey;
    return k && k.length === 32 ? k : undefined;
  }

  heardFrom(packet: Mesh.MeshPacket): void {
    this.heard.push(packet);
    const n = this.ensure(packet.from);
    n.lastHeard = packet.rxTime;
    n.snr = packet.rxSnr;
  }

  updateUser(num: number, user: Mesh.User, channelIndex: number): boolean {
    const n = this.ensure(num);
    n.user = user;
    n.channel = channelIndex;
    return true;
  }

  updatePosition(num: number, position: Mesh.Position): void {
    this.ensure(num).position = position;
  }

  updateTelemetry(num: number, metrics: Telemetry.DeviceMetrics): void {
    this.ensure(num).deviceMetrics = metrics;
  }

  setNextHop(num: number, relayByte: number): void {
    if (this.table.has(num >>> 0)) this.nextHops.set(num >>> 0, relayByte & 0xff);
  }

  nextHopOf(num: number): number | undefined {
    return this.nextHops.get(num >>> 0);
  }

  nodes(): Iterable<Mesh.NodeInfo> {
    return this.table.values();
  }

  /** Pre-populates a node with a User (as if its NodeInfo had been heard). */
  know(num: number, longName = `node ${num.toString(16)}`): void {
    this.updateUser(num, create(Mesh.UserSchema, { id: `!${num.toString(16).padStart(8, '0')}`, longName, shortName: longName.slice(0, 4) }), 0);
  }

  private ensure(num: number): Mesh.NodeInfo {
    let n = this.table.get(num >>> 0);
    if (!n) {
      n = create(Mesh.NodeInfoSchema, { num: num >>> 0 });
      this.table.set(num >>> 0, n);
    }
    return n;
  }
}
