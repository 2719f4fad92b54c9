/**
 * Position (firmware src/modules/PositionModule.cpp, src/mesh/PositionPrecision.cpp): learns positions sent to us or
 * broadcast; broadcasts ours on the firmware's schedule and answers a position want_response with it — if we have one
 * (a node without GPS and without a fixed position has lat/lon 0, so allocPositionPacket returns nothing and
 * MeshModule NAKs NO_RESPONSE) — at most once per 3 minutes.
 *
 * What goes out is blurred to the channel's module_settings.position_precision (getPositionPrecisionForChannel: 0 =
 * the channel shares no position, the firmware's default since position sharing became opt-in; at most 15 bits on a
 * channel whose key is public). The broadcast (runOnce) goes on the first channel that shares positions, first after
 * the module's start delay, then every position_broadcast_secs (default 1 h, 12 h for routers, congestion-scaled),
 * and never more often than every 12 h while the position is fixed (default_position_stationary_broadcast_secs).
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Config, Mesh, Portnums } from '@meshtastic/protobufs';
import type { CancelTimer, TimerClock } from '../../../../lib/clock/timer-clock.js';
import type { NodeDirectory } from '../../device/mesh-port.js';
import { NODENUM_BROADCAST } from '../hops.js';
import type { MeshModule } from '../mesh-module.js';

/** PositionModule::allocReply: "Skip Position reply since we sent a reply <3min ago". */
export const POSITION_REPLY_INTERVAL_MS = 3 * 60 * 1000;
/** MeshModule::setStartDelay: 30 s + 15 s per periodic module before it; NodeInfo is the first, Position the second. */
export const POSITION_START_DELAY_MS = 45_000;
/** PositionModule RUNONCE_INTERVAL: how often runOnce looks again while it may not send. */
export const POSITION_RUNONCE_MS = 5_000;
/** Default.h default_position_stationary_broadcast_secs: the floor while the position is fixed. */
export const POSITION_STATIONARY_BROADCAST_MS = 12 * 60 * 60 * 1000;
/** PositionPrecision.h MAX_POSITION_PRECISION_PUBLIC_KEY: never more precise on a channel anyone can decrypt. */
export const MAX_POSITION_PRECISION_PUBLIC_KEY = 15;

const Flags = Config.Config_PositionConfig_PositionFlags;

/** PositionPrecision.cpp truncateCoordinate: keep the top `precision` bits, then move to the middle of the cell. */
export function truncateCoordinate(coordinate: number, precision: number): number {
  if (precision === 0 || precision >= 32) return coordinate | 0;
  const truncated = ((coordinate >>> 0) & ((0xffffffff << (32 - precision)) >>> 0)) >>> 0;
  return (truncated + 2 ** (31 - precision)) | 0;
}

/** PositionPrecision.cpp applyPositionPrecision(Position&). */
export function applyPositionPrecision(p: Mesh.Position, precision: number): Mesh.Position {
  if (precision === 0) return create(Mesh.PositionSchema, { time: p.time });
  const bits = Math.min(precision, 32);
  const out = create(Mesh.PositionSchema, { ...p, precisionBits: bits });
  if (bits < 32) {
    out.latitudeI = truncateCoordinate(p.latitudeI ?? 0, bits);
    out.longitudeI = truncateCoordinate(p.longitudeI ?? 0, bits);
  }
  return out;
}

export interface PositionModuleOptions {
  ourNum: number;
  directory: NodeDirectory;
  now: () => number;
  /** Our position (the NodeDB's local position: a fixed position set by config or AdminModule), if any. */
  position?: () => Mesh.Position | undefined;
  /** getPositionPrecisionForChannel(index); none = full precision (32). */
  precisionFor?: (channel: number) => number;
  /** The periodic broadcast (runOnce); without `send` the module only learns and answers. */
  broadcast?: {
    timers: TimerClock;
    /** config.position.fixed_position */
    fixed: () => boolean;
    /** position_broadcast_secs (or its default) in ms, congestion-scaled (Default::getConfiguredOrDefaultMsScaled). */
    intervalMs: () => number;
    /** config.position.position_flags */
    flags: () => number;
    /** AirTime::isTxAllowedChannelUtil. */
    channelUtilOk: () => boolean;
    /** Unix seconds, for Position.time (a Linux node keeps NTP time). */
    unixSeconds: () => number;
    /** Whether a node in this role asks for replies (not a TRACKER) and its priority (RELIABLE for trackers). */
    tracker?: () => boolean;
    send: (p: Mesh.MeshPacket) => number;
    cancelOwn: (id: number) => void;
  };
}

export class PositionModule implements MeshModule {
  readonly name = 'position';
  readonly portnum = Portnums.PortNum.POSITION_APP;
  readonly promiscuous = false;
  private lastReplyAt: number | undefined;
  private lastSendAt: number | undefined;
  private prevPacketId = 0;
  private seq = 0;
  private timer: CancelTimer | undefined;
  /** sendOurPosition's requestReplies: the first broadcast after a start asks the others for theirs. */
  private askedSinceStart = false;
  /** Position broadcasts sent. */
  sent = 0;

  constructor(private readonly o: PositionModuleOptions) {}

  start(): void {
    const b = this.o.broadcast;
    if (!b || this.timer) return;
    this.askedSinceStart = false;
    this.timer = b.timers.setTimer(POSITION_START_DELAY_MS, () => this.runOnce(), { name: 'mesh-position', unref: true });
  }

  stop(): void {
    this.timer?.();
    this.timer = undefined;
  }

  /** PositionModule::runOnce for a node whose position is fixed or absent (no GPS, so no smart broadcast). */
  private runOnce(): void {
    const b = this.o.broadcast!;
    this.timer = undefined;
    const now = b.timers.now();
    const fixed = b.fixed();
    const interval = fixed ? Math.max(b.intervalMs(), POSITION_STATIONARY_BROADCAST_MS) : b.intervalMs();
    let next = POSITION_RUNONCE_MS;
    if (b.channelUtilOk() && (this.lastSendAt === undefined || now - this.lastSendAt >= interval)) {
      // "waitingForFreshPosition": without a fixed position there is nothing fresh to send (no GPS here).
      if (fixed && this.hasValidPosition()) {
        this.lastSendAt = now;
        this.sendOurPosition();
        next = interval;
      }
    }
    this.timer = b.timers.setTimer(next, () => this.runOnce(), { name: 'mesh-position', unref: true });
  }

  private hasValidPosition(): boolean {
    const p = this.o.position?.();
    return !!p && ((p.latitudeI ?? 0) !== 0 || (p.longitudeI ?? 0) !== 0);
  }

  private precisionFor(channel: number): number {
    return this.o.precisionFor ? this.o.precisionFor(channel) : 32;
  }

  /** PositionModule::sendOurPosition(): broadcast on the first channel that shares a position; false if none. Also
   * what AdminModule set_fixed_position calls ("Send our new fixed position to the mesh for good measure"). */
  sendOurPosition(): boolean {
    const b = this.o.broadcast;
    if (!b) return false;
    const wantReplies = !this.askedSinceStart;
    this.askedSinceStart = true;
    for (let ch = 0; ch < 8; ch++) {
      if (this.precisionFor(ch) === 0) continue;
      const p = this.allocPositionPacket(ch);
      if (!p) return false;
      if (this.prevPacketId) b.cancelOwn(this.prevPacketId); // "cancel any not yet sent (now stale) position packets"
      const tracker = b.tracker?.() ?? false;
      p.to = NODENUM_BROADCAST;
      if (p.payloadVariant.case === 'decoded') p.payloadVariant.value.wantResponse = tracker ? false : wantReplies;
      p.priority = tracker ? Mesh.MeshPacket_Priority.RELIABLE : Mesh.MeshPacket_Priority.BACKGROUND;
      if (ch > 0) p.channel = ch;
      this.prevPacketId = b.send(p);
      this.sent++;
      return true;
    }
    return false;
  }

  /** PositionModule::allocPositionPacket: our position with only the fields position_flags asks for, blurred to the
   * channel's precision; none when the channel shares no position or we have none. */
  private allocPositionPacket(channel: number): Mesh.MeshPacket | undefined {
    const precision = this.precisionFor(channel);
    if (precision === 0) return undefined; // "Skip location send because precision is set to 0!"
    const local = this.o.position?.();
    if (!local || ((local.latitudeI ?? 0) === 0 && (local.longitudeI ?? 0) === 0)) return undefined; // "lat/lon are zero"
    this.seq++;
    const b = this.o.broadcast;
    const flags = b?.flags() ?? 0;
    const p = create(Mesh.PositionSchema, {
      latitudeI: local.latitudeI ?? 0,
      longitudeI: local.longitudeI ?? 0,
      time: b ? b.unixSeconds() : local.time,
      locationSource: b?.fixed() ? Mesh.Position_LocSource.LOC_MANUAL : local.locationSource,
    });
    if (flags & Flags.ALTITUDE) {
      if (flags & Flags.ALTITUDE_MSL) p.altitude = local.altitude ?? 0;
      else p.altitudeHae = local.altitudeHae ?? 0;
    }
    if (flags & Flags.TIMESTAMP) p.timestamp = local.timestamp;
    if (flags & Flags.SEQ_NO) p.seqNumber = this.seq;
    if (flags & Flags.HEADING) p.groundTrack = local.groundTrack ?? 0;
    if (flags & Flags.SPEED) p.groundSpeed = local.groundSpeed ?? 0;
    const blurred = applyPositionPrecision(p, precision);
    return create(Mesh.MeshPacketSchema, {
      payloadVariant: { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.POSITION_APP, payload: toBinary(Mesh.PositionSchema, blurred) }) },
    });
  }

  handle(p: Mesh.MeshPacket): void {
    if (p.payloadVariant.case !== 'decoded' || p.from === this.o.ourNum) return;
    try {
      this.o.directory.updatePosition(p.from, fromBinary(Mesh.PositionSchema, p.payloadVariant.value.payload));
    } catch {
      // not a Position: not handled
    }
  }

  /** PositionModule::allocReply, with the precision of the channel the request came on (handleReceivedProtobuf). */
  reply(request?: Mesh.MeshPacket): Mesh.MeshPacket | 'ignore' | undefined {
    const now = this.o.now();
    if (this.lastReplyAt !== undefined && now - this.lastReplyAt < POSITION_REPLY_INTERVAL_MS) return 'ignore';
    const p = this.allocPositionPacket(request?.channel ?? 0);
    if (!p) return undefined;
    this.lastReplyAt = now;
    return p;
  }
}
