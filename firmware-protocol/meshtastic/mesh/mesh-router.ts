/**
 * The node's routing as firmware 2.7 does it (src/mesh/Router.cpp, FloodingRouter.cpp, NextHopRouter.cpp,
 * ReliableRouter.cpp, MeshService.cpp handleToRadio/handleFromRadio, MeshModule.cpp callModules, RoutingModule.cpp),
 * over a MeshRadio, on an injected clock. The firmware's class chain Router → FloodingRouter → NextHopRouter →
 * ReliableRouter is one object; here MeshRouter composes its steps, one file each, sharing a RouterCore:
 *
 * Receive (receive-path.ts): frame → header → ignore rules → shouldFilterReceived (receive-filter.ts: implicit ACK,
 * dupes, hop-limit upgrade, repeated reliable sends) → perhapsDecode (PacketCipher) → modules (NodeInfo, position,
 * telemetry, traceroute) → routing step (sniff-received.ts: ACK/NAK bookkeeping, next-hop learning) →
 * perhapsRebroadcast (rebroadcast.ts) → delivery to clients → reply or NO_RESPONSE NAK.
 * Send (local-send.ts): sendFromPhone / module packets / ACKs → sendLocal → ReliableRouter::send
 * (reliable-delivery.ts: retransmission records) → flooding or next-hop send (rebroadcast.ts: history, next hop) →
 * Router::send (radio-send.ts: duty cycle, hop_start, encode) → TX queue (tx-scheduler.ts).
 */
import { randomInt } from 'node:crypto';
import { Mesh } from '@meshtastic/protobufs';
import type { MeshPort } from '../device/mesh-port.js';
import { AirtimeStats } from './airtime-stats.js';
import { scaledIntervalMs } from './congestion-scaling.js';
import { slotTimeMs, type RandomSource } from './contention.js';
import { GatewayTap, type TapListener } from './gateway-tap.js';
import { DEFAULT_HOP_LIMIT, NODENUM_BROADCAST, lastByteOfNodeNum } from './hops.js';
import { LocalSend } from './local-send.js';
import { noMeshMetrics } from './mesh-metrics.js';
import type { MeshRouterOptions } from './mesh-router-options.js';
import { NODEINFO_MIN_INTERVAL_MS, NodeInfoModule } from './modules/node-info-module.js';
import { OnlineNodes } from './online-nodes.js';
import { PositionModule } from './modules/position-module.js';
import { TelemetryModule } from './modules/telemetry-module.js';
import { TextMessageModule } from './modules/text-message-module.js';
import { TraceRouteModule } from './modules/traceroute-module.js';
import { NextHopTable } from './next-hop-table.js';
import { PacketHistory } from './packet-history.js';
import { packetIdGenerator } from './packet-id.js';
import { RadioSend } from './radio-send.js';
import { Rebroadcast } from './rebroadcast.js';
import { ReceiveFilter } from './receive-filter.js';
import { ReceivePath, type Neighbour } from './receive-path.js';
import { ReliableDelivery } from './reliable-delivery.js';
import { Retransmissions } from './retransmissions.js';
import { defaultRebroadcastMode, effectiveRole, type MeshRole, type MeshRoleName, type RebroadcastMode } from './role.js';
import { configuredHopLimit } from './routing-replies.js';
import { packetTimeMs, type RouterCore } from './router-core.js';
import { TxScheduler } from './tx-scheduler.js';

export type { MeshRouterOptions } from './mesh-router-options.js';
export type { Neighbour } from './receive-path.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class MeshRouter implements MeshPort {
  readonly nodeNum: number;
  private currentRole: MeshRole;
  private currentRebroadcastMode: RebroadcastMode;
  private readonly schedulerOptions: ConstructorParameters<typeof TxScheduler>[0];
  readonly airtime: AirtimeStats;
  readonly history: PacketHistory;
  readonly nextHops: NextHopTable;
  readonly nodeInfo: NodeInfoModule;
  readonly position: PositionModule;
  private readonly c: RouterCore;
  private unsubscribe: (() => void) | undefined;
  private startedAt = 0;

  constructor(private readonly o: MeshRouterOptions) {
    this.nodeNum = o.nodeNum >>> 0;
    if (this.nodeNum === 0 || this.nodeNum === NODENUM_BROADCAST) throw new RangeError(`node number must be 1..0xfffffffe, got ${o.nodeNum}`);
    this.currentRole = effectiveRole(o.role);
    this.currentRebroadcastMode = o.rebroadcastMode ?? defaultRebroadcastMode(this.currentRole);
    const ourRelayId = lastByteOfNodeNum(this.nodeNum);
    const random: RandomSource = o.random ?? ((max) => (max <= 0 ? 0 : randomInt(max)));
    const metrics = o.metrics ?? noMeshMetrics;
    const slotMs = slotTimeMs(o.modulation);
    const now = () => o.clock.now();
    const unixSeconds = o.unixSeconds ?? (() => Math.floor(Date.now() / 1000));
    this.airtime = new AirtimeStats(now);
    this.history = new PacketHistory(this.nodeNum, ourRelayId, now, o.historyCapacity);
    this.nextHops = new NextHopTable(o.directory);
    const c = {
      o,
      nodeNum: this.nodeNum,
      ourRelayId,
      role: this.role,
      rebroadcastMode: this.rebroadcastMode,
      hopLimit: configuredHopLimit(o.hopLimit ?? DEFAULT_HOP_LIMIT),
      slotMs,
      random,
      newId: o.packetId ?? packetIdGenerator(random),
      unixSeconds,
      metrics,
      stats: { tx: 0, rx: 0, rxBad: 0, rxDupe: 0, txRelay: 0, txRelayCanceled: 0 },
      airtime: this.airtime,
      history: this.history,
      nextHops: this.nextHops,
      pending: new Retransmissions(),
      running: () => this.unsubscribe !== undefined,
      online: new OnlineNodes(this.nodeNum, o.directory, unixSeconds),
      tap: new GatewayTap(),
    } as Mutable<RouterCore>;
    c.scheduler = new TxScheduler(this.schedulerOptions = {
      radio: o.radio,
      timers: o.clock,
      role: this.role,
      slotMs,
      random,
      channelUtilization: () => this.airtime.channelUtilizationPercent(),
      metrics,
      onSent: (q, airtimeMs) => c.radio.completeSending(q, airtimeMs),
    });
    c.receive = new ReceivePath(c);
    c.filter = new ReceiveFilter(c);
    c.local = new LocalSend(c);
    c.relay = new Rebroadcast(c);
    c.radio = new RadioSend(c);
    c.reliable = new ReliableDelivery(c);
    this.nodeInfo = c.nodeInfo = new NodeInfoModule({
      ourNum: this.nodeNum,
      owner: o.owner,
      directory: o.directory,
      timers: o.clock,
      broadcastSecs: o.nodeInfoBroadcastSecs ?? 0,
      channelUtilOk: () => this.airtime.isTxAllowedChannelUtil(false),
      send: (p) => {
        p.hopLimit = c.hopLimit; // Router::allocForSending
        return c.local.sendFromModule(p);
      },
      cancelOwn: (id) => c.radio.cancelSending(this.nodeNum, id),
      minIntervalMs: () => scaledIntervalMs(NODEINFO_MIN_INTERVAL_MS, this.role, c.online.count(), o.modulation),
      toPhone: (p) => c.receive.sendToPhone(p),
    });
    c.text = new TextMessageModule();
    const pc = o.positionConfig;
    this.position = new PositionModule({
      ourNum: this.nodeNum, directory: o.directory, now,
      ...(o.position ? { position: o.position } : {}),
      ...(o.positionPrecision ? { precisionFor: o.positionPrecision } : {}),
      ...(pc ? {
        broadcast: {
          timers: o.clock,
          fixed: () => pc().fixedPosition,
          // Default::getConfiguredOrDefaultMsScaled(position_broadcast_secs, default_broadcast_interval_secs)
          intervalMs: () => scaledIntervalMs((pc().broadcastSecs || (this.role === 'ROUTER' || this.role === 'ROUTER_LATE' ? 12 * 3600 : 3600)) * 1000, this.role, c.online.count(), o.modulation),
          flags: () => pc().flags,
          channelUtilOk: () => this.airtime.isTxAllowedChannelUtil(true),
          unixSeconds: c.unixSeconds,
          send: (p: Mesh.MeshPacket) => {
            p.hopLimit = c.hopLimit; // Router::allocForSending
            return c.local.sendFromModule(p);
          },
          cancelOwn: (id: number) => c.radio.cancelSending(this.nodeNum, id),
        },
      } : {}),
    });
    c.modules = [
      this.nodeInfo,
      this.position,
      new TraceRouteModule({ ourNum: this.nodeNum, setNextHop: (target, byte) => c.relay.maybeSetNextHop(target, byte) }),
      c.text,
      new TelemetryModule({
        ourNum: this.nodeNum, directory: o.directory, answersBroadcasts: this.role === 'ROUTER', answersBroadcastsNow: () => this.role === 'ROUTER',
        stats: () => this.localStats(), unixSeconds: c.unixSeconds, ...(o.battery ? { battery: o.battery } : {}),
        ...(o.powerMetrics ? { powerMetrics: o.powerMetrics } : {}),
      }),
      ...(o.modules ?? []),
    ];
    this.c = c;
  }

  get role(): MeshRole {
    return this.currentRole;
  }

  get rebroadcastMode(): RebroadcastMode {
    return this.currentRebroadcastMode;
  }

  /**
   * Runs the node in another role from now on: routing (rebroadcasting, dupe cancelling, the rebroadcast mode a
   * role installs), the contention window and the answers to broadcast telemetry requests follow it. The firmware
   * applies a role change on the reboot after set_config; a relay short of power (runtime/power) changes it live,
   * ROUTER to CLIENT and back. A configured rebroadcast mode stays.
   */
  setRole(role: MeshRoleName): void {
    const r = effectiveRole(role);
    const mode = this.o.rebroadcastMode ?? defaultRebroadcastMode(r);
    this.currentRole = r;
    this.currentRebroadcastMode = mode;
    const c = this.c as Mutable<RouterCore>;
    c.role = r;
    c.rebroadcastMode = mode;
    this.schedulerOptions.role = r;
  }

  start(): void {
    if (this.unsubscribe) return;
    this.startedAt = this.o.clock.now();
    this.unsubscribe = this.o.radio.onReceive((f) => this.c.receive.onFrame(f));
    this.c.scheduler.start();
    this.nodeInfo.start();
    this.position.start();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.c.scheduler.stop();
    this.nodeInfo.stop();
    this.position.stop();
    this.c.reliable.stop();
  }

  // ---- MeshPort ------------------------------------------------------------------------------------------------

  /** MeshService::handleToRadio → sendToMesh → Router::sendLocal(RX_SRC_USER). */
  sendFromPhone(packet: Mesh.MeshPacket): number {
    return this.c.local.sendFromPhone(packet);
  }

  /** MeshService::sendToMesh(p, RX_SRC_LOCAL): a packet a module of ours originates (telemetry broadcasts). */
  sendLocal(packet: Mesh.MeshPacket): number {
    return this.c.local.sendFromModule(packet);
  }

  onToPhone(listener: (packet: Mesh.MeshPacket) => void): () => void {
    return this.c.receive.onToPhone(listener);
  }

  // ---- MQTT gateway hooks (gateway-tap.ts) -----------------------------------------------------------------------

  /** Packets handled as received and packets we originate, as MQTT.cpp onSend is given them. */
  onTapped(listener: TapListener): () => void {
    return this.c.tap.on(listener);
  }

  /** MQTT.cpp onReceiveProto → Router::enqueueReceivedMessage: a downlinked packet handled as if received, with
   * via_mqtt and transport MQTT set. Ignored while the router is stopped. */
  injectReceived(packet: Mesh.MeshPacket): void {
    if (!this.unsubscribe) return;
    this.c.receive.injectReceived(packet);
  }

  /** MQTT.cpp onReceiveProto: our packet `id` came back from the broker on our own gateway id. An ACK from us to us
   * (routingModule->allocAckNak NONE → sendLocal) is handled as received: the retransmissions stop and the clients
   * see the ACK. Ignored while the router is stopped. */
  implicitAck(id: number, channel: number): void {
    if (!this.unsubscribe) return;
    this.c.local.sendAckNak(Mesh.Routing_Error.NONE, this.nodeNum, id, channel, 0);
  }

  // ---- what the runtime shows ----------------------------------------------------------------------------------

  /** Nodes heard directly, most recent first. */
  neighbours(): Neighbour[] {
    return [...this.c.receive.neighbourTable.values()].sort((a, b) => b.lastHeardAt - a.lastHeardAt);
  }

  /** Router::getQueueStatus. */
  queueStatus(): { free: number; maxlen: number } {
    return { free: this.c.scheduler.queue.free, maxlen: this.c.scheduler.queue.maxLen };
  }

  /** Packets awaiting an ACK (ours and those we are next hop for). */
  get pendingRetransmissions(): number {
    return this.c.pending.size;
  }

  /** LocalStats as the firmware reports them (DeviceTelemetry getLocalStatsTelemetry). */
  localStats(): { uptimeSeconds: number; channelUtilization: number; airUtilTx: number; numPacketsTx: number; numPacketsRx: number; numPacketsRxBad: number; numRxDupe: number; numTxRelay: number; numTxRelayCanceled: number } {
    const s = this.c.stats;
    return {
      uptimeSeconds: Math.floor((this.o.clock.now() - this.startedAt) / 1000),
      channelUtilization: this.airtime.channelUtilizationPercent(),
      airUtilTx: this.airtime.utilizationTxPercent(),
      numPacketsTx: s.tx,
      numPacketsRx: s.rx,
      numPacketsRxBad: s.rxBad,
      numRxDupe: s.rxDupe,
      numTxRelay: s.txRelay,
      numTxRelayCanceled: s.txRelayCanceled,
    };
  }

  /** Time on air of a frame of `bytes` bytes with our modulation (RadioLibInterface::getPacketTime). */
  packetTimeMs(bytes: number): number {
    return packetTimeMs(this.c, bytes);
  }
}
