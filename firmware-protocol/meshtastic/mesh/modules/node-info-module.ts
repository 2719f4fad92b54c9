/**
 * NodeInfo (firmware src/modules/NodeInfoModule.cpp): learns every node's User (promiscuous), broadcasts ours 30 s
 * after start and then every node_info_broadcast_secs, and answers a NodeInfo want_response with our User — at most
 * once per 10 min (scaled up above 40 nodes online for non-routers; 60 s for urgent sends), never to a requester heard
 * asking in the last 12 h, and not above 40 % channel utilisation; a changed User overheard between two other nodes
 * is passed to the clients.
 */
import { clone, create, equals, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import type { CancelTimer, TimerClock } from '../../../../lib/clock/timer-clock.js';
import type { NodeDirectory } from '../../device/mesh-port.js';
import { NODENUM_BROADCAST, isBroadcast } from '../hops.js';
import type { MeshModule } from '../mesh-module.js';

/** MeshModule.h MESHMODULE_MIN_BROADCAST_DELAY_MS: NodeInfo is the first periodic module, so it starts after 30 s. */
export const NODEINFO_START_DELAY_MS = 30_000;
/** Default.h default_node_info_broadcast_secs (3 h) and min_node_info_broadcast_secs (1 h). */
export const DEFAULT_NODEINFO_BROADCAST_SECS = 3 * 60 * 60;
export const MIN_NODEINFO_BROADCAST_SECS = 60 * 60;
/** NodeInfoModule::allocReply: 10 min between our NodeInfos (60 s for the shorter timeout). */
export const NODEINFO_MIN_INTERVAL_MS = 10 * 60 * 1000;
export const NODEINFO_SHORT_INTERVAL_MS = 60 * 1000;
/** USERPREFS_NODEINFO_REPLY_SUPPRESS_SECS: 12 h. */
export const NODEINFO_REPLY_SUPPRESS_MS = 12 * 60 * 60 * 1000;

const Priority = Mesh.MeshPacket_Priority;

export interface NodeInfoModuleOptions {
  ourNum: number;
  owner: () => Mesh.User;
  directory: NodeDirectory;
  timers: TimerClock;
  broadcastSecs: number;
  channelUtilOk: () => boolean;
  /** Router::sendLocal for a packet we originate (from, id, hop limit filled by the router). */
  send: (p: Mesh.MeshPacket) => number;
  /** MeshService::cancelSending of our previous NodeInfo still queued (now stale). */
  cancelOwn: (id: number) => void;
  /**
   * The least time between two NodeInfos of ours (allocReply: 10 min, Default::getConfiguredOrDefaultMsScaled by
   * the number of nodes online); default NODEINFO_MIN_INTERVAL_MS.
   */
  minIntervalMs?: () => number;
  /** MeshService::sendToPhone: a changed User overheard in a NodeInfo between two other nodes goes to the clients. */
  toPhone?: (p: Mesh.MeshPacket) => void;
}

export class NodeInfoModule implements MeshModule {
  readonly name = 'nodeinfo';
  readonly portnum = Portnums.PortNum.NODEINFO_APP;
  readonly promiscuous = true;
  private lastSentAt: number | undefined;
  private readonly lastRequestFrom = new Map<number, number>();
  private suppressCurrent = false;
  private shorterTimeout = false;
  private prevPacketId = 0;
  private timer: CancelTimer | undefined;

  /**
   * Multiplies the broadcast interval from the next broadcast on: a relay short of power (runtime/power) stretches
   * it, as an operator would raise node_info_broadcast_secs. 1 = as configured.
   */
  intervalFactor = 1;

  constructor(private readonly o: NodeInfoModuleOptions) {}

  start(): void {
    this.schedule(NODEINFO_START_DELAY_MS);
  }

  stop(): void {
    this.timer?.();
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.timer?.();
    this.timer = this.o.timers.setTimer(ms, () => {
      this.timer = undefined;
      // NodeInfoModule::runOnce (airTime->isTxAllowedAirUtil is the router's duty-cycle gate on send)
      this.sendOurNodeInfo(NODENUM_BROADCAST, false);
      this.schedule(Math.max(MIN_NODEINFO_BROADCAST_SECS, this.o.broadcastSecs || DEFAULT_NODEINFO_BROADCAST_SECS) * 1000 * this.intervalFactor);
    }, { name: 'mesh-nodeinfo', unref: true });
  }

  handle(p: Mesh.MeshPacket): 'stop' | void {
    if (p.payloadVariant.case !== 'decoded') return;
    if (p.from === this.o.ourNum) return; // "Ignoring packet supposed to be from our own node"
    this.suppressCurrent = false;
    const now = this.o.timers.now();
    if (p.payloadVariant.value.wantResponse) {
      const last = this.lastRequestFrom.get(p.from);
      if (last !== undefined && now - last < NODEINFO_REPLY_SUPPRESS_MS) this.suppressCurrent = true;
      this.lastRequestFrom.set(p.from, now);
    }
    let user: Mesh.User;
    try {
      user = fromBinary(Mesh.UserSchema, p.payloadVariant.value.payload);
    } catch {
      return; // ProtobufModule: a payload that does not parse is not handled
    }
    if (user.isLicensed) return 'stop'; // "Invalid nodeInfo detected, is_licensed mismatch!" (we are never licensed)
    user.id = `!${(p.from >>> 0).toString(16).padStart(8, '0')}`; // "Coerce user.id to be derived from the node number"
    const before = this.o.directory.get(p.from);
    const beforeUser = before?.user ? clone(Mesh.UserSchema, before.user) : undefined;
    const beforeChannel = before?.channel;
    const accepted = this.o.directory.updateUser(p.from, user, p.channel);
    p.payloadVariant.value.payload = toBinary(Mesh.UserSchema, user); // alterReceivedProtobuf
    // NodeDB::updateUser's `changed`: the stored User or channel differs (a refused update changes nothing). "if user
    // has changed while packet was not for us, inform phone" — broadcasts and packets to us reach the clients anyway.
    const after = this.o.directory.get(p.from);
    const changed = accepted && (!beforeUser || !after?.user || !equals(Mesh.UserSchema, beforeUser, after.user) || beforeChannel !== after.channel);
    if (changed && !isBroadcast(p.to) && p.to !== this.o.ourNum) this.o.toPhone?.(clone(Mesh.MeshPacketSchema, p));
  }

  reply(request: Mesh.MeshPacket): Mesh.MeshPacket | 'ignore' | undefined {
    if (this.suppressCurrent && request.from !== this.o.ourNum) {
      this.suppressCurrent = false;
      return 'ignore';
    }
    return this.allocNodeInfo() ?? 'ignore';
  }

  /** NodeInfoModule::sendOurNodeInfo. `shorterTimeout`: an urgent send (a PKI_UNKNOWN_PUBKEY answer), 60 s limit. */
  sendOurNodeInfo(dest: number, wantReplies: boolean, channel = 0, shorterTimeout = false): boolean {
    if (this.prevPacketId) this.o.cancelOwn(this.prevPacketId);
    this.shorterTimeout = shorterTimeout;
    const p = this.allocNodeInfo();
    this.shorterTimeout = false;
    if (!p) return false;
    p.to = dest;
    if (p.payloadVariant.case === 'decoded') p.payloadVariant.value.wantResponse = wantReplies;
    p.priority = shorterTimeout ? Priority.DEFAULT : Priority.BACKGROUND;
    if (channel > 0) p.channel = channel;
    this.prevPacketId = this.o.send(p);
    return true;
  }

  /** NodeInfoModule::allocReply (without the per-requester part): undefined when rate-limited. */
  private allocNodeInfo(): Mesh.MeshPacket | undefined {
    if (!this.o.channelUtilOk()) return undefined;
    const now = this.o.timers.now();
    const limit = this.shorterTimeout ? NODEINFO_SHORT_INTERVAL_MS : (this.o.minIntervalMs?.() ?? NODEINFO_MIN_INTERVAL_MS);
    if (this.lastSentAt !== undefined && now - this.lastSentAt < limit) return undefined;
    this.lastSentAt = now;
    const owner = { ...this.o.owner(), id: `!${(this.o.ourNum >>> 0).toString(16).padStart(8, '0')}` };
    const user = create(Mesh.UserSchema, owner);
    return create(Mesh.MeshPacketSchema, {
      payloadVariant: { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.NODEINFO_APP, payload: toBinary(Mesh.UserSchema, user) }) },
    });
  }
}
