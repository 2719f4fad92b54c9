/**
 * The client's copy of the radio's node database: filled from FromRadio.node_info during the want_config
 * handshake, then kept current from NODEINFO_APP (User) and POSITION_APP packets, the way the firmware's own
 * NodeDB::updateUser / updatePosition do (src/mesh/NodeDB.cpp).
 */
import { fromBinary } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import { nodeIdString } from './node-id.js';

export interface NodeEntry {
  num: number;
  id: string;
  longName?: string;
  shortName?: string;
  /** Curve25519 public key (32 bytes) when the node announced one. */
  publicKey?: Uint8Array;
  hwModel?: number;
  latitude?: number;
  longitude?: number;
  altitude?: number;
  lastHeard?: number;
  snr?: number;
  hopsAway?: number;
}

export type NodeChange = { entry: NodeEntry; isNew: boolean; keyLearned: boolean };

export class NodeDb {
  private readonly nodes = new Map<number, NodeEntry>();

  get size(): number {
    return this.nodes.size;
  }

  get(num: number): NodeEntry | undefined {
    return this.nodes.get(num >>> 0);
  }

  all(): NodeEntry[] {
    return [...this.nodes.values()];
  }

  clear(): void {
    this.nodes.clear();
  }

  /** From FromRadio.node_info (handshake). */
  applyNodeInfo(info: Mesh.NodeInfo): NodeChange {
    const change = this.applyUser(info.num, info.user);
    const e = change.entry;
    if (info.position) this.setPosition(e, info.position);
    if (info.lastHeard) e.lastHeard = info.lastHeard;
    if (info.snr) e.snr = info.snr;
    if (info.hopsAway !== undefined) e.hopsAway = info.hopsAway;
    return change;
  }

  /** From a NODEINFO_APP packet (payload = User). Returns undefined when the payload is not a User. */
  applyNodeInfoPacket(from: number, payload: Uint8Array, rxTime?: number): NodeChange | undefined {
    let user: Mesh.User;
    try {
      user = fromBinary(Mesh.UserSchema, payload);
    } catch {
      return undefined;
    }
    const change = this.applyUser(from, user);
    if (rxTime) change.entry.lastHeard = rxTime;
    return change;
  }

  applyPositionPacket(from: number, payload: Uint8Array): NodeEntry | undefined {
    let pos: Mesh.Position;
    try {
      pos = fromBinary(Mesh.PositionSchema, payload);
    } catch {
      return undefined;
    }
    const e = this.ensure(from).entry;
    this.setPosition(e, pos);
    return e;
  }

  /** Any packet heard from a node refreshes last-heard (NodeDB::updateFrom). */
  touch(from: number, rxTime: number, snr?: number): void {
    const e = this.ensure(from).entry;
    if (rxTime) e.lastHeard = rxTime;
    if (snr) e.snr = snr;
  }

  private ensure(num: number): { entry: NodeEntry; isNew: boolean } {
    const key = num >>> 0;
    let entry = this.nodes.get(key);
    const isNew = !entry;
    if (!entry) {
      entry = { num: key, id: nodeIdString(key) };
      this.nodes.set(key, entry);
    }
    return { entry, isNew };
  }

  private applyUser(num: number, user: Mesh.User | undefined): NodeChange {
    const { entry, isNew } = this.ensure(num);
    let keyLearned = false;
    if (user) {
      if (user.longName) entry.longName = user.longName;
      if (user.shortName) entry.shortName = user.shortName;
      if (user.hwModel) entry.hwModel = user.hwModel;
      if (user.publicKey.length === 32) {
        keyLearned = !entry.publicKey || !sameBytes(entry.publicKey, user.publicKey);
        entry.publicKey = user.publicKey.slice();
      }
    }
    return { entry, isNew, keyLearned };
  }

  private setPosition(e: NodeEntry, pos: Mesh.Position): void {
    // latitude_i / longitude_i are degrees × 1e7 (mesh.proto Position).
    if (pos.latitudeI !== undefined && pos.latitudeI !== 0) e.latitude = pos.latitudeI / 1e7;
    if (pos.longitudeI !== undefined && pos.longitudeI !== 0) e.longitude = pos.longitudeI / 1e7;
    if (pos.altitude !== undefined) e.altitude = pos.altitude;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
