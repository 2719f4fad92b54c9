/**
 * The device's NodeDB (firmware src/mesh/NodeDB.cpp): every node heard, with its user (names, public key), position,
 * device metrics, last heard, SNR and hops away. Index 0 is our own node, as NodeDB::readNextMeshNode returns it
 * first. The mesh side updates it through NodeDirectory; clients read it in the handshake; admin messages remove and
 * favourite nodes. It is bounded: a full DB forgets the least interesting node (NodeDB::getOrCreateMeshNode).
 * Persistence is the owner's (DeviceState): `onChange` says when something worth a save changed.
 */
import { create, equals } from '@bufbuild/protobuf';
import { Mesh, type Telemetry } from '@meshtastic/protobufs';
import type { NodeDirectory } from './mesh-port.js';

/** firmware: MAX_NUM_NODES is 80..250 depending on the board (mesh-pb-constants.h); 100 for a small Linux node. */
export const DEFAULT_MAX_NODES = 100;

export type NodeDbChange = 'structure' | 'heard';

export class DeviceNodeDb implements NodeDirectory {
  private readonly table = new Map<number, Mesh.NodeInfo>();
  /** NodeInfoLite.next_hop of each node (the relay's last byte), kept beside the official NodeInfo, which has none. */
  private readonly nextHops = new Map<number, number>();
  private own: Mesh.Position | undefined;
  /** Nodes removed to make room for newer ones (NodeDB "Node database full"). */
  evicted = 0;
  /** NodeInfos refused because the public key changed (NodeDB::updateUser "Public Key mismatch"). */
  keyMismatches = 0;

  constructor(
    readonly ownNum: number,
    private readonly o: { maxNodes?: number; now?: () => number; onChange?: (what: NodeDbChange) => void } = {},
  ) {}

  private get max(): number {
    return this.o.maxNodes ?? DEFAULT_MAX_NODES;
  }

  private nowSecs(): number {
    return Math.floor((this.o.now?.() ?? Date.now()) / 1000);
  }

  /** Other nodes in DB order (oldest entry first), copies. */
  others(): Mesh.NodeInfo[] {
    return [...this.table.values()].map((n) => create(Mesh.NodeInfoSchema, n));
  }

  get size(): number {
    return this.table.size;
  }

  get(num: number): Mesh.NodeInfo | undefined {
    return this.table.get(num >>> 0);
  }

  publicKeyOf(num: number): Uint8Array | undefined {
    const k = this.table.get(num >>> 0)?.user?.publicKey;
    return k && k.length === 32 ? k : undefined;
  }

  /** Every node in the DB (NodeDirectory.nodes): the router reads favourites and nodes online from it. */
  nodes(): Iterable<Mesh.NodeInfo> {
    return this.table.values();
  }

  /** NextHopRouter's next hop towards a node, kept with the DB (firmware NodeInfoLite.next_hop); 0 clears it. */
  setNextHop(num: number, relayByte: number): void {
    const n = num >>> 0;
    if (!this.table.has(n)) return;
    const b = relayByte & 0xff;
    if ((this.nextHops.get(n) ?? 0) === b) return;
    if (b === 0) this.nextHops.delete(n);
    else this.nextHops.set(n, b);
    this.o.onChange?.('heard');
  }

  nextHopOf(num: number): number | undefined {
    return this.nextHops.get(num >>> 0);
  }

  /** The next hops to save (node number -> relay byte). */
  nextHopsSnapshot(): Record<string, number> {
    return Object.fromEntries([...this.nextHops].filter(([n]) => this.table.has(n)));
  }

  loadNextHops(hops: Record<string, number> | undefined): void {
    this.nextHops.clear();
    for (const [k, v] of Object.entries(hops ?? {})) if (this.table.has(Number(k) >>> 0) && v > 0 && v < 256) this.nextHops.set(Number(k) >>> 0, v);
  }

  /** Replaces the whole DB (loading a snapshot). */
  load(nodes: Mesh.NodeInfo[]): void {
    this.table.clear();
    for (const n of nodes) if (n.num >>> 0 !== this.ownNum) this.table.set(n.num >>> 0, n);
  }

  /** Replaces one node's entry whole: a simulator's world view (what its simulated radio has heard). */
  put(info: Mesh.NodeInfo): void {
    const num = info.num >>> 0;
    if (num === this.ownNum) return;
    if (!this.table.has(num) && this.table.size >= this.max) this.evictOne();
    this.table.set(num, create(Mesh.NodeInfoSchema, info));
  }

  /** NodeDB::getOrCreateMeshNode: a new node pushes out the oldest one that is not a favourite, not ignored, and
   * preferably has no public key (the firmware keeps keyed nodes longer: losing a key breaks DMs). */
  private getOrCreate(num: number): Mesh.NodeInfo {
    num >>>= 0;
    let n = this.table.get(num);
    if (n) return n;
    if (this.table.size >= this.max) this.evictOne();
    n = create(Mesh.NodeInfoSchema, { num });
    this.table.set(num, n);
    this.o.onChange?.('structure');
    return n;
  }

  private evictOne(): void {
    let oldest: Mesh.NodeInfo | undefined;
    let oldestBoring: Mesh.NodeInfo | undefined;
    for (const n of this.table.values()) {
      if (n.isFavorite || n.isIgnored) continue;
      if (!oldest || n.lastHeard < oldest.lastHeard) oldest = n;
      const boring = !n.user?.publicKey || n.user.publicKey.length === 0;
      if (boring && (!oldestBoring || n.lastHeard < oldestBoring.lastHeard)) oldestBoring = n;
    }
    const victim = oldestBoring ?? oldest;
    if (victim) {
      this.table.delete(victim.num >>> 0);
      this.evicted++;
    }
  }

  /** NodeDB::updateFrom: last heard, SNR, hops away and via-MQTT of every decoded packet from another node. */
  heardFrom(p: Mesh.MeshPacket): void {
    const from = p.from >>> 0;
    if (from === this.ownNum || from === 0 || p.payloadVariant.case !== 'decoded') return;
    const n = this.getOrCreate(from);
    n.lastHeard = p.rxTime || this.nowSecs();
    if (p.rxSnr) n.snr = p.rxSnr;
    n.viaMqtt = p.viaMqtt;
    if (p.hopStart !== 0 && p.hopLimit <= p.hopStart) n.hopsAway = p.hopStart - p.hopLimit;
    n.channel = p.channel;
    this.o.onChange?.('heard');
  }

  /** NodeDB::updateUser: refused when a known key would change (someone impersonating the node). */
  updateUser(num: number, user: Mesh.User, channelIndex: number): boolean {
    num >>>= 0;
    if (num === this.ownNum) return false;
    const known = this.table.get(num)?.user?.publicKey;
    if (known && known.length > 0 && user.publicKey.length > 0 && !sameBytes(known, user.publicKey)) {
      this.keyMismatches++;
      return false;
    }
    const n = this.getOrCreate(num);
    const next = create(Mesh.UserSchema, { ...user, publicKey: user.publicKey.length > 0 ? user.publicKey : known ?? new Uint8Array(0) });
    const changed = !n.user || !equals(Mesh.UserSchema, n.user, next);
    n.user = next;
    n.channel = channelIndex;
    if (changed) this.o.onChange?.('structure');
    return true;
  }

  /** Our own position (NodeDB localPosition, set only locally: AdminModule set_fixed_position, the configured fixed
   * position); none = we know no position of ours. A heard packet never sets it (updatePosition below refuses). */
  get ownPosition(): Mesh.Position | undefined {
    return this.own;
  }

  /** NodeDB::updatePosition(ourNum, p, RX_SRC_LOCAL) / clearLocalPosition. */
  setOwnPosition(position: Mesh.Position | undefined): void {
    this.loadOwnPosition(position);
    this.o.onChange?.('structure');
  }

  /** Our position as a snapshot had it (no change to save). */
  loadOwnPosition(position: Mesh.Position | undefined): void {
    this.own = position ? create(Mesh.PositionSchema, position) : undefined;
  }

  updatePosition(num: number, position: Mesh.Position): void {
    if (num >>> 0 === this.ownNum) return;
    this.getOrCreate(num).position = create(Mesh.PositionSchema, position);
    this.o.onChange?.('heard');
  }

  updateTelemetry(num: number, metrics: Telemetry.DeviceMetrics): void {
    if (num >>> 0 === this.ownNum) return;
    this.getOrCreate(num).deviceMetrics = metrics;
    this.o.onChange?.('heard');
  }

  /** AdminModule remove_by_nodenum → NodeDB::removeNodeByNum. */
  remove(num: number): boolean {
    const gone = this.table.delete(num >>> 0);
    if (gone) this.o.onChange?.('structure');
    return gone;
  }

  /** AdminModule set/remove_favorite_node: only for a node we know (getMeshNode != NULL). */
  setFavorite(num: number, favorite: boolean): boolean {
    const n = this.table.get(num >>> 0);
    if (!n) return false;
    n.isFavorite = favorite;
    this.o.onChange?.('structure');
    return true;
  }

  /** AdminModule set/remove_ignored_node: ignoring also forgets position, metrics and key. */
  setIgnored(num: number, ignored: boolean): boolean {
    const n = this.table.get(num >>> 0);
    if (!n) return false;
    n.isIgnored = ignored;
    if (ignored) {
      n.position = undefined;
      n.deviceMetrics = undefined;
      if (n.user) n.user.publicKey = new Uint8Array(0);
    }
    this.o.onChange?.('structure');
    return true;
  }

  /** NodeDB::resetNodes: everyone goes, favourites stay when asked. */
  reset(keepFavorites: boolean): void {
    for (const [num, n] of this.table) if (!(keepFavorites && n.isFavorite)) this.table.delete(num);
    this.o.onChange?.('structure');
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
