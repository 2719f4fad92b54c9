/**
 * The node's routing as firmware 2.7 does it (src/mesh/Router.cpp, FloodingRouter.cpp, NextHopRouter.cpp,
 * ReliableRouter.cpp, MeshService.cpp handleToRadio/handleFromRadio, MeshModule.cpp callModules, RoutingModule.cpp),
 * over a MeshRadio, on an injected clock. The firmware's class chain Router → FloodingRouter → NextHopRouter →
 * ReliableRouter is one object here; each method names the firmware function it follows.
 *
 * Receive: frame → header (decodeFrame) → ignore rules → shouldFilterReceived (implicit ACK, dupes, hop-limit
 * upgrade, repeated reliable sends) → perhapsDecode (PacketCipher) → modules (NodeInfo, position, telemetry,
 * traceroute) → routing step (ACK/NAK bookkeeping, next-hop learning, perhapsRebroadcast, delivery to clients) →
 * reply or NO_RESPONSE NAK. Send: sendLocal → send (retransmission records, history, next hop) → Router::send
 * (duty cycle, hop_start, encode) → TX queue (tx-scheduler.ts).
 */
import { clone, toBinary } from '@bufbuild/protobuf';
import { randomInt } from 'node:crypto';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import type { TimerClock, CancelTimer } from '../../../lib/clock/timer-clock.js';
import type { LoraModulation } from '../../../lib/lora/modulation.js';
import { timeOnAirMs } from '../../../lib/lora/time-on-air.js';
import type { MeshPort, NodeDirectory } from '../device/mesh-port.js';
import type { EncodeFailure, PacketCipher } from '../ota/packet-cipher.js';
import { AirtimeStats } from './airtime-stats.js';
import { retransmissionMs, slotTimeMs, type RandomSource } from './contention.js';
import { DEFAULT_HOP_LIMIT, NODENUM_BROADCAST_NO_LORA, NODENUM_BROADCAST, NO_NEXT_HOP_PREFERENCE, getHopsAway, isBroadcast, lastByteOfNodeNum } from './hops.js';
import type { MeshMetrics } from './mesh-metrics.js';
import { noMeshMetrics } from './mesh-metrics.js';
import type { MeshModule } from './mesh-module.js';
import type { MeshRadio, MeshRadioFrame } from './mesh-radio.js';
import { NodeInfoModule } from './modules/node-info-module.js';
import { PositionModule } from './modules/position-module.js';
import { TelemetryModule } from './modules/telemetry-module.js';
import { TraceRouteModule } from './modules/traceroute-module.js';
import { NextHopTable } from './next-hop-table.js';
import { PacketHistory } from './packet-history.js';
import { packetIdGenerator } from './packet-id.js';
import { NUM_INTERMEDIATE_RETX, NUM_RELIABLE_RETX, Retransmissions } from './retransmissions.js';
import { defaultRebroadcastMode, effectiveRole, isRebroadcaster, roleAllowsCancelingDupe, type MeshRole, type MeshRoleName, type RebroadcastMode } from './role.js';
import { allocAckNak, configuredHopLimit, fixPriority, hopLimitForResponse, routingOf, setReplyTo } from './routing-replies.js';
import type { QueuedPacket } from './tx-queue.js';
import { TxScheduler } from './tx-scheduler.js';

const PortNum = Portnums.PortNum;
const RoutingError = Mesh.Routing_Error;
const LORA = Mesh.MeshPacket_TransportMechanism.TRANSPORT_LORA;

/** Router.cpp handleReceived: the ports a CORE_PORTNUMS_ONLY node still handles and relays. */
const CORE_PORTNUMS = new Set<number>([
  PortNum.TEXT_MESSAGE_APP, PortNum.TEXT_MESSAGE_COMPRESSED_APP, PortNum.POSITION_APP, PortNum.NODEINFO_APP, PortNum.ROUTING_APP,
  PortNum.TELEMETRY_APP, PortNum.ADMIN_APP, PortNum.ALERT_APP, PortNum.KEY_VERIFICATION_APP, PortNum.WAYPOINT_APP,
  PortNum.STORE_FORWARD_APP, PortNum.TRACEROUTE_APP, PortNum.STORE_FORWARD_PLUSPLUS_APP,
]);

const ENCODE_ERRORS: Record<EncodeFailure, Mesh.Routing_Error> = {
  'too-large': RoutingError.TOO_LARGE,
  'pki-no-public-key': RoutingError.PKI_SEND_FAIL_PUBLIC_KEY,
  'no-channel': RoutingError.NO_CHANNEL,
  'pki-failed': RoutingError.PKI_FAILED,
};

type RxSource = 'radio' | 'local' | 'user';

export interface MeshRouterOptions {
  /** Our node number: `from` of what we originate, the byte in relay_node/next_hop. */
  nodeNum: number;
  role: MeshRoleName;
  /** Default: NodeDB::installRoleDefaults (CORE_PORTNUMS_ONLY for ROUTER, else ALL). */
  rebroadcastMode?: RebroadcastMode;
  cipher: PacketCipher;
  directory: NodeDirectory;
  radio: MeshRadio;
  /** The LoRa modulation in use: slot time and time on air. */
  modulation: LoraModulation;
  clock: TimerClock;
  /** Integer in [0, max); default node:crypto randomInt. */
  random?: RandomSource;
  /** The region's duty cycle (the runtime's airtime ledger): false refuses the transmission (DUTY_CYCLE_LIMIT). */
  mayTransmit?: (airtimeMs: number) => boolean;
  /** config.lora.hop_limit; default 3. */
  hopLimit?: number;
  /** The 16-byte header codec (ota/ota-frame.ts decodeOtaFrame / encodeOtaFrame); decodeFrame throws on a bad frame. */
  decodeFrame: (bytes: Uint8Array) => Mesh.MeshPacket;
  encodeFrame: (packet: Mesh.MeshPacket) => Uint8Array;
  /** Our User as NodeInfo sends it (read at each send, so owner changes apply). */
  owner: () => Mesh.User;
  /** config.device.node_info_broadcast_secs; default 3 h, at least 1 h. */
  nodeInfoBroadcastSecs?: number;
  /** Our fixed position, if any (answers position requests). */
  position?: () => Mesh.Position | undefined;
  /** config.lora.config_ok_to_mqtt (Data.bitfield bit 0 of what we originate). */
  okToMqtt?: boolean;
  packetId?: () => number;
  metrics?: MeshMetrics;
  historyCapacity?: number;
  /** Unix seconds for rx_time and Telemetry.time; default Date.now. */
  unixSeconds?: () => number;
  /** More modules, called after the built-in ones and before the routing step. */
  modules?: MeshModule[];
}

/** A node heard directly (hop_start == hop_limit on its last packet). */
export interface Neighbour {
  num: number;
  lastHeardAt: number;
  snrDb: number;
  rssiDbm: number;
}

export class MeshRouter implements MeshPort {
  readonly nodeNum: number;
  readonly role: MeshRole;
  readonly rebroadcastMode: RebroadcastMode;
  readonly airtime: AirtimeStats;
  readonly history: PacketHistory;
  readonly nextHops = new NextHopTable();
  readonly nodeInfo: NodeInfoModule;
  private readonly ourRelayId: number;
  private readonly hopLimit: number;
  private readonly slotMs: number;
  private readonly random: RandomSource;
  private readonly newId: () => number;
  private readonly metrics: MeshMetrics;
  private readonly unixSeconds: () => number;
  private readonly scheduler: TxScheduler;
  private readonly pending = new Retransmissions();
  private readonly modules: MeshModule[];
  private readonly phoneListeners = new Set<(p: Mesh.MeshPacket) => void>();
  private readonly neighbourTable = new Map<number, Neighbour>();
  private readonly localQueue: Array<Mesh.MeshPacket> = [];
  private drainingLocal = false;
  private retxTimer: CancelTimer | undefined;
  private retxTimerAt: number | undefined;
  private unsubscribe: (() => void) | undefined;
  private startedAt = 0;
  private readonly stats = { tx: 0, rx: 0, rxBad: 0, rxDupe: 0, txRelay: 0, txRelayCanceled: 0 };

  constructor(private readonly o: MeshRouterOptions) {
    this.nodeNum = o.nodeNum >>> 0;
    if (this.nodeNum === 0 || this.nodeNum === NODENUM_BROADCAST) throw new RangeError(`node number must be 1..0xfffffffe, got ${o.nodeNum}`);
    this.role = effectiveRole(o.role);
    this.rebroadcastMode = o.rebroadcastMode ?? defaultRebroadcastMode(this.role);
    this.ourRelayId = lastByteOfNodeNum(this.nodeNum);
    this.hopLimit = configuredHopLimit(o.hopLimit ?? DEFAULT_HOP_LIMIT);
    this.slotMs = slotTimeMs(o.modulation);
    this.random = o.random ?? ((max) => (max <= 0 ? 0 : randomInt(max)));
    this.newId = o.packetId ?? packetIdGenerator(this.random);
    this.metrics = o.metrics ?? noMeshMetrics;
    this.unixSeconds = o.unixSeconds ?? (() => Math.floor(Date.now() / 1000));
    const now = () => o.clock.now();
    this.airtime = new AirtimeStats(now);
    this.history = new PacketHistory(this.nodeNum, this.ourRelayId, now, o.historyCapacity);
    this.scheduler = new TxScheduler({
      radio: o.radio,
      timers: o.clock,
      role: this.role,
      slotMs: this.slotMs,
      random: this.random,
      channelUtilization: () => this.airtime.channelUtilizationPercent(),
      metrics: this.metrics,
      onSent: (q, airtimeMs) => this.completeSending(q, airtimeMs),
    });
    this.nodeInfo = new NodeInfoModule({
      ourNum: this.nodeNum,
      owner: o.owner,
      directory: o.directory,
      timers: o.clock,
      broadcastSecs: o.nodeInfoBroadcastSecs ?? 0,
      channelUtilOk: () => this.airtime.isTxAllowedChannelUtil(false),
      send: (p) => {
        p.hopLimit = this.hopLimit; // Router::allocForSending
        return this.sendFromModule(p);
      },
      cancelOwn: (id) => this.cancelSending(this.nodeNum, id),
    });
    this.modules = [
      this.nodeInfo,
      new PositionModule({ ourNum: this.nodeNum, directory: o.directory, now, ...(o.position ? { position: o.position } : {}) }),
      new TraceRouteModule({ ourNum: this.nodeNum, setNextHop: (target, byte) => this.maybeSetNextHop(target, byte) }),
      new TelemetryModule({ ourNum: this.nodeNum, directory: o.directory, answersBroadcasts: this.role === 'ROUTER', stats: () => this.localStats(), unixSeconds: this.unixSeconds }),
      ...(o.modules ?? []),
    ];
  }

  start(): void {
    if (this.unsubscribe) return;
    this.startedAt = this.o.clock.now();
    this.unsubscribe = this.o.radio.onReceive((f) => this.onFrame(f));
    this.scheduler.start();
    this.nodeInfo.start();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.scheduler.stop();
    this.nodeInfo.stop();
    this.retxTimer?.();
    this.retxTimer = undefined;
    this.retxTimerAt = undefined;
    this.pending.clear();
  }

  // ---- MeshPort ------------------------------------------------------------------------------------------------

  /** MeshService::handleToRadio → sendToMesh → Router::sendLocal(RX_SRC_USER). */
  sendFromPhone(packet: Mesh.MeshPacket): number {
    const p = clone(Mesh.MeshPacketSchema, packet);
    p.from = 0; // "We don't let clients assign nodenums to their sent messages"
    p.nextHop = NO_NEXT_HOP_PREFERENCE;
    p.relayNode = 0;
    if (p.id === 0) p.id = this.newId();
    p.rxTime = this.unixSeconds();
    const id = p.id;
    this.sendLocal(p, 'user');
    return id;
  }

  onToPhone(listener: (packet: Mesh.MeshPacket) => void): () => void {
    this.phoneListeners.add(listener);
    return () => this.phoneListeners.delete(listener);
  }

  // ---- what the runtime shows ----------------------------------------------------------------------------------

  /** Nodes heard directly, most recent first. */
  neighbours(): Neighbour[] {
    return [...this.neighbourTable.values()].sort((a, b) => b.lastHeardAt - a.lastHeardAt);
  }

  /** Router::getQueueStatus. */
  queueStatus(): { free: number; maxlen: number } {
    return { free: this.scheduler.queue.free, maxlen: this.scheduler.queue.maxLen };
  }

  /** Packets awaiting an ACK (ours and those we are next hop for). */
  get pendingRetransmissions(): number {
    return this.pending.size;
  }

  /** LocalStats as the firmware reports them (DeviceTelemetry getLocalStatsTelemetry). */
  localStats(): { uptimeSeconds: number; channelUtilization: number; airUtilTx: number; numPacketsTx: number; numPacketsRx: number; numPacketsRxBad: number; numRxDupe: number; numTxRelay: number; numTxRelayCanceled: number } {
    return {
      uptimeSeconds: Math.floor((this.o.clock.now() - this.startedAt) / 1000),
      channelUtilization: this.airtime.channelUtilizationPercent(),
      airUtilTx: this.airtime.utilizationTxPercent(),
      numPacketsTx: this.stats.tx,
      numPacketsRx: this.stats.rx,
      numPacketsRxBad: this.stats.rxBad,
      numRxDupe: this.stats.rxDupe,
      numTxRelay: this.stats.txRelay,
      numTxRelayCanceled: this.stats.txRelayCanceled,
    };
  }

  /** Time on air of a frame of `bytes` bytes with our modulation (RadioLibInterface::getPacketTime). */
  packetTimeMs(bytes: number): number {
    return Math.ceil(timeOnAirMs(this.o.modulation, bytes));
  }

  // ---- receive ---------------------------------------------------------------------------------------------------

  /** RadioLibInterface::handleReceiveInterrupt → Router::enqueueReceivedMessage → perhapsHandleReceived. */
  private onFrame(f: MeshRadioFrame): void {
    this.metrics.inc('heard');
    const rxMs = this.packetTimeMs(f.bytes.length);
    this.airtime.logRx(rxMs);
    this.scheduler.frameHeard();
    let p: Mesh.MeshPacket;
    try {
      p = this.o.decodeFrame(f.bytes);
    } catch {
      this.stats.rxBad++;
      this.metrics.dropped('bad-frame');
      return;
    }
    this.stats.rx++;
    if (p.from === 0) {
      this.metrics.dropped('no-sender');
      return;
    }
    if (p.hopStart === 0) {
      p.nextHop = NO_NEXT_HOP_PREFERENCE; // "If hop_start is not set, next_hop and relay_node are invalid (firmware <2.3)"
      p.relayNode = 0;
    }
    p.rxSnr = f.snrDb;
    p.rxRssi = Math.round(f.rssiDbm);
    p.rxTime = this.unixSeconds();
    p.transportMechanism = LORA;
    if (p.hopStart !== 0 && p.hopStart === p.hopLimit) {
      this.neighbourTable.set(p.from, { num: p.from, lastHeardAt: this.o.clock.now(), snrDb: f.snrDb, rssiDbm: f.rssiDbm });
    }
    this.perhapsHandleReceived(p, rxMs);
  }

  /** Router::perhapsHandleReceived. */
  private perhapsHandleReceived(p: Mesh.MeshPacket, rxMs: number): void {
    if (p.from === NODENUM_BROADCAST) {
      this.metrics.dropped('from-broadcast');
      return;
    }
    if (this.shouldFilterReceived(p, rxMs)) return;
    this.handleReceived(p, 'radio');
  }

  /** ReliableRouter / NextHopRouter / FloodingRouter ::shouldFilterReceived: true = stop here. */
  private shouldFilterReceived(p: Mesh.MeshPacket, rxMs: number): boolean {
    if (p.from === this.nodeNum) {
      // "We are seeing someone rebroadcast one of our broadcast attempts": an implicit ACK.
      const old = this.pending.find(p.from, p.id);
      if (old) {
        this.metrics.inc('implicit-ack');
        this.sendAckNak(RoutingError.NONE, this.nodeNum, p.id, old.packet.channel, 0);
        if (p.transportMechanism === LORA) this.stopRetransmission(p.from, p.id);
      }
    }
    // "while receiving this packet, we could not have received an (implicit) ACK"
    this.pending.delayAll(rxMs);
    this.rearmRetransmissions();

    const seen = this.history.wasSeenRecently({ ...p, from: p.from || this.nodeNum });
    if (seen.upgraded && this.perhapsHandleUpgradedPacket(p)) return true;
    if (!seen.seen) return false;

    this.stats.rxDupe++;
    this.metrics.dropped('duplicate');
    if (isBroadcast(p.to)) {
      // FloodingRouter: the originator repeating a reliable send (hop_start == hop_limit) is relayed again
      if (p.hopStart > 0 && p.hopStart === p.hopLimit) {
        if (!this.scheduler.find(p.from, p.id)) {
          this.reprocessPacket(p);
          this.perhapsRebroadcast(p);
        }
      } else {
        this.perhapsCancelDupe(p);
      }
      return true;
    }
    // NextHopRouter
    if (p.transportMechanism === LORA) this.stopRetransmission(p.from, p.id);
    if (seen.fallback) {
      if (!this.scheduler.find(p.from, p.id)) {
        this.reprocessPacket(p);
        this.perhapsRebroadcast(p);
      }
    } else if (getHopsAway(p) === 0) {
      if (!this.scheduler.find(p.from, p.id)) {
        this.reprocessPacket(p);
        if (!this.perhapsRebroadcast(p) && p.to === this.nodeNum && p.wantAck) {
          this.sendAckNak(RoutingError.NONE, p.from, p.id, this.decodedChannel(p), 0);
        }
      }
    } else if (!seen.weWereNextHop) {
      this.perhapsCancelDupe(p);
    }
    return true;
  }

  /** The channel index of a dupe we answer (the firmware's packet may still carry the hash): decode to learn it. */
  private decodedChannel(p: Mesh.MeshPacket): number {
    if (p.payloadVariant.case === 'decoded') return p.channel;
    const r = this.o.cipher.decrypt(p);
    return r.ok ? r.packet.channel : 0;
  }

  /** FloodingRouter::perhapsHandleUpgradedPacket. */
  private perhapsHandleUpgradedPacket(p: Mesh.MeshPacket): boolean {
    if (isRebroadcaster(this.role, this.rebroadcastMode) && p.hopLimit > 0 && this.scheduler.removePending(p.from, p.id, p.hopLimit)) {
      this.metrics.inc('hop-limit-upgrade');
      this.reprocessPacket(p);
      this.perhapsRebroadcast(p);
      this.stats.rxDupe++;
      this.metrics.dropped('duplicate');
      return true;
    }
    return false;
  }

  /** FloodingRouter::reprocessPacket: node DB, and a traceroute copy gets our hop appended before it is relayed. */
  private reprocessPacket(p: Mesh.MeshPacket): void {
    this.o.directory.heardFrom(p);
    if (p.payloadVariant.case !== 'decoded') {
      const r = this.o.cipher.decrypt(p);
      if (!r.ok) return;
      if (r.packet.payloadVariant.case === 'decoded' && r.packet.payloadVariant.value.portnum === PortNum.TRACEROUTE_APP) {
        Object.assign(p, { channel: r.packet.channel, payloadVariant: r.packet.payloadVariant });
      }
    }
    if (p.payloadVariant.case === 'decoded' && p.payloadVariant.value.portnum === PortNum.TRACEROUTE_APP) {
      this.modules.find((m) => m.portnum === PortNum.TRACEROUTE_APP)?.handle?.(p);
    }
  }

  /** FloodingRouter::perhapsCancelDupe. */
  private perhapsCancelDupe(p: Mesh.MeshPacket): void {
    if (p.transportMechanism === LORA && roleAllowsCancelingDupe(this.role)) {
      if (this.cancelSending(p.from, p.id)) {
        this.stats.txRelayCanceled++;
        this.metrics.inc('rebroadcast-cancelled');
      }
    }
    if (this.role === 'ROUTER_LATE') this.scheduler.clampToLate(p.from, p.id);
  }

  /** Router::handleReceived (+ MeshModule::callModules and RoutingModule). */
  private handleReceived(p: Mesh.MeshPacket, src: RxSource): void {
    // perhapsDecode
    let decoded = p.payloadVariant.case === 'decoded';
    if (!decoded && this.rebroadcastMode === 'KNOWN_ONLY' && !this.o.directory.get(p.from)?.user) {
      this.metrics.dropped('rebroadcast-mode');
    } else if (!decoded) {
      const r = this.o.cipher.decrypt(p);
      if (r.ok) {
        const d = r.packet;
        if (d.payloadVariant.case === 'decoded' && d.payloadVariant.value.bitfield !== undefined) {
          d.payloadVariant.value.wantResponse ||= (d.payloadVariant.value.bitfield & 2) !== 0;
        }
        Object.assign(p, { channel: d.channel, payloadVariant: d.payloadVariant, pkiEncrypted: d.pkiEncrypted, publicKey: d.publicKey });
        decoded = true;
      } else {
        this.metrics.dropped(`decode-${r.reason}`);
      }
    }
    if (decoded && p.payloadVariant.case === 'decoded') {
      const port = p.payloadVariant.value.portnum;
      // "Neighbor info module is disabled, ignore expensive neighbor info packets"
      if (port === PortNum.NEIGHBORINFO_APP) {
        this.cancelSending(p.from, p.id);
        this.metrics.dropped('disabled-portnum');
        return;
      }
      if (this.rebroadcastMode === 'CORE_PORTNUMS_ONLY' && !CORE_PORTNUMS.has(port)) {
        this.cancelSending(p.from, p.id);
        this.metrics.dropped('rebroadcast-mode');
        return;
      }
    }
    this.callModules(p, src, decoded);
  }

  /** MeshModule::callModules, with RoutingModule (always last) inlined as routingStep. */
  private callModules(p: Mesh.MeshPacket, src: RxSource, decoded: boolean): void {
    const toUs = isBroadcast(p.to) || p.to === this.nodeNum;
    const data = p.payloadVariant.case === 'decoded' ? p.payloadVariant.value : undefined;
    let reply: Mesh.MeshPacket | undefined;
    let ignoreRequest = false;
    if (decoded && data && src !== 'local') {
      for (const m of this.modules) {
        if (m.portnum !== data.portnum || !(m.promiscuous || toUs)) continue;
        if (m.handle?.(p) === 'stop') return;
        if (data.wantResponse && toUs && (p.from !== this.nodeNum || p.to === this.nodeNum) && !reply && m.reply) {
          const r = m.reply(p);
          if (r === 'ignore') ignoreRequest = true;
          else if (r) {
            setReplyTo(r, p, this.nodeNum, this.hopLimit);
            reply = r;
          }
        }
      }
    }
    this.routingStep(p, decoded, reply !== undefined);
    if (decoded && data?.wantResponse && toUs && src !== 'local') {
      if (reply) {
        this.metrics.inc('module-reply');
        this.sendFromModule(reply);
      } else if (p.from !== this.nodeNum && !ignoreRequest) {
        // "No one responded, send a nak"
        this.sendAckNak(RoutingError.NO_RESPONSE, p.from, p.id, p.channel, hopLimitForResponse(p, this.hopLimit));
      }
    }
  }

  /** RoutingModule::handleReceivedProtobuf: sniffReceived, then delivery to the clients. */
  private routingStep(p: Mesh.MeshPacket, decoded: boolean, moduleReplied: boolean): void {
    if (!decoded && (this.rebroadcastMode === 'LOCAL_ONLY' || this.rebroadcastMode === 'KNOWN_ONLY')) {
      const maybePki = p.channel === 0 && !isBroadcast(p.to);
      const known = (n: number) => this.o.directory.get(n)?.user !== undefined;
      if (!maybePki || (!known(p.from) && !known(p.to))) {
        this.metrics.dropped('rebroadcast-mode');
        return;
      }
    }
    this.sniffReceived(p, moduleReplied);
    if ((isBroadcast(p.to) || p.to === this.nodeNum) && p.from !== 0 && decoded) this.handleFromRadio(p);
  }

  /** ReliableRouter::sniffReceived → NextHopRouter / FloodingRouter ::sniffReceived. */
  private sniffReceived(p: Mesh.MeshPacket, moduleReplied: boolean): void {
    const c = routingOf(p);
    const data = p.payloadVariant.case === 'decoded' ? p.payloadVariant.value : undefined;
    if (p.to === this.nodeNum) {
      if (!moduleReplied) {
        if (p.wantAck) {
          if (data) {
            const isText = data.portnum === PortNum.TEXT_MESSAGE_APP || data.portnum === PortNum.TEXT_MESSAGE_COMPRESSED_APP;
            if (p.from !== this.nodeNum && isText) {
              this.sendAckNak(RoutingError.NONE, p.from, p.id, p.channel, hopLimitForResponse(p, this.hopLimit), true);
            } else if (!data.requestId && !data.replyId) {
              this.sendAckNak(RoutingError.NONE, p.from, p.id, p.channel, hopLimitForResponse(p, this.hopLimit));
            } else if (getHopsAway(p) === 0 || p.nextHop !== NO_NEXT_HOP_PREFERENCE) {
              this.sendAckNak(RoutingError.NONE, p.from, p.id, p.channel, 0);
            }
          } else if (p.channel === 0 && !this.o.directory.publicKeyOf(p.from)) {
            this.sendAckNak(RoutingError.PKI_UNKNOWN_PUBKEY, p.from, p.id, 0, hopLimitForResponse(p, this.hopLimit));
          } else {
            this.sendAckNak(RoutingError.NO_CHANNEL, p.from, p.id, 0, hopLimitForResponse(p, this.hopLimit));
          }
        } else if (p.nextHop === this.ourRelayId && p.hopLimit > 0) {
          this.sendAckNak(RoutingError.NONE, p.from, p.id, p.channel, 0); // stop the next hop's retransmissions
        }
      }
      if (data && c?.variant.case === 'errorReason' && c.variant.value === RoutingError.PKI_UNKNOWN_PUBKEY) {
        this.nodeInfo.sendOurNodeInfo(p.from, false, p.channel, true); // "PKI decrypt failure, send a NodeInfo"
      }
      const requestId = data?.requestId ?? 0;
      if (requestId && !(p.from === this.nodeNum && p.transportMechanism === Mesh.MeshPacket_TransportMechanism.TRANSPORT_MQTT)) {
        this.stopRetransmission(p.to, requestId); // an ACK, a NAK or a reply ends our retransmissions
      }
    }
    const isAckOrReply = data !== undefined && (data.requestId !== 0 || data.replyId !== 0);
    if (!isBroadcast(p.to) && isAckOrReply && data) {
      // NextHopRouter::sniffReceived: learn the next hop towards the ACK's sender
      if (p.from !== 0 && this.o.directory.get(p.from) !== undefined) {
        const wasAlreadyRelayer = this.history.wasRelayer(p.relayNode, data.requestId, p.to).was;
        const we = this.history.wasRelayer(this.ourRelayId, data.requestId, p.to);
        if ((we.was && wasAlreadyRelayer) || (getHopsAway(p) === 0 && we.sole)) {
          if (this.nextHops.get(p.from) !== p.relayNode) this.nextHops.set(p.from, p.relayNode);
        }
      }
      if (p.to !== this.nodeNum) {
        if (this.cancelSending(p.to, data.requestId)) this.metrics.inc('rebroadcast-cancelled');
        this.stopRetransmission(p.to, data.requestId);
      }
    }
    this.perhapsRebroadcast(p);
  }

  /** MeshService::handleFromRadio: node DB, NodeInfo to a node we have no User of, and the clients. */
  private handleFromRadio(p: Mesh.MeshPacket): void {
    this.o.directory.heardFrom(p);
    const data = p.payloadVariant.case === 'decoded' ? p.payloadVariant.value : undefined;
    const preferredRebroadcaster = this.role === 'ROUTER' || this.role === 'ROUTER_LATE';
    const isTelemetryResponse = data?.portnum === PortNum.TELEMETRY_APP && data.requestId > 0;
    if (data && !isTelemetryResponse && p.from !== this.nodeNum && !this.o.directory.get(p.from)?.user && !preferredRebroadcaster) {
      if (this.airtime.isTxAllowedChannelUtil(true) && getHopsAway(p, this.hopLimit) <= this.hopLimit + 2) {
        this.nodeInfo.sendOurNodeInfo(p.from, true, p.channel); // "Heard new node on ch. %d, send NodeInfo and ask for response"
      }
    }
    this.sendToPhone(p);
  }

  private sendToPhone(p: Mesh.MeshPacket): void {
    this.metrics.inc('to-phone');
    for (const l of this.phoneListeners) {
      try {
        l(clone(Mesh.MeshPacketSchema, p));
      } catch {
        // a client's listener failing must not stop the others or the router
      }
    }
  }

  /** NextHopRouter::perhapsRebroadcast. */
  private perhapsRebroadcast(p: Mesh.MeshPacket): boolean {
    if (p.to === this.nodeNum || p.from === this.nodeNum || p.from === 0) return false; // isToUs / isFromUs
    if (p.hopLimit <= 0) {
      this.metrics.dropped('hop-limit');
      return false;
    }
    if (p.id === 0) return false; // "Ignore 0 id broadcast"
    if (!isRebroadcaster(this.role, this.rebroadcastMode)) {
      this.metrics.dropped('rebroadcast-mode');
      return false;
    }
    if (p.nextHop !== NO_NEXT_HOP_PREFERENCE && p.nextHop !== this.ourRelayId) {
      this.metrics.dropped('not-next-hop');
      return false;
    }
    const tosend = clone(Mesh.MeshPacketSchema, p);
    tosend.hopLimit--; // shouldDecrementHopLimit: favourite-router preservation needs NodeDB favourites (not on the seam)
    this.metrics.inc('rebroadcast-queued');
    if (p.nextHop === NO_NEXT_HOP_PREFERENCE) this.floodingSend(tosend);
    else this.nextHopSend(tosend);
    return true;
  }

  // ---- send ------------------------------------------------------------------------------------------------------

  /** A packet our modules originate (NodeInfo, replies, ACKs): allocForSending + MeshService::sendToMesh. */
  private sendFromModule(p: Mesh.MeshPacket): number {
    p.from = this.nodeNum;
    if (p.id === 0) p.id = this.newId();
    if (p.to === 0) p.to = NODENUM_BROADCAST;
    p.rxTime = this.unixSeconds();
    this.sendLocal(p, 'local');
    return p.id;
  }

  /** RoutingModule::sendAckNak → allocAckNak → Router::sendLocal. */
  private sendAckNak(error: Mesh.Routing_Error, to: number, idFrom: number, channel: number, hopLimit: number, ackWantsAck = false): void {
    const p = allocAckNak(error, this.nodeNum, this.newId(), to, idFrom, channel, hopLimit);
    p.wantAck = ackWantsAck;
    p.rxTime = this.unixSeconds();
    this.metrics.inc(error === RoutingError.NONE ? 'ack-sent' : 'nak-sent');
    this.sendLocal(p, 'local');
  }

  /** Router::sendLocal. */
  private sendLocal(p: Mesh.MeshPacket, src: RxSource): void {
    if (p.to === this.nodeNum) {
      this.enqueueLocal(p); // "No need to deliver externally if the destination is the local node"
      return;
    }
    // Router::sendLocal also runs our own broadcasts through handleReceived "so local apps see them"; for a packet
    // from a client (from 0) or from one of our modules (RX_SRC_LOCAL) that reaches no module, is not relayed
    // (isFromUs) and is not delivered (RoutingModule skips from 0 and loopback), so it is not repeated here.
    if (p.to === NODENUM_BROADCAST_NO_LORA) return; // RadioLibInterface::send "Drop no-LoRa pkt"
    if (src === 'user' && p.wantAck && p.hopLimit === 0) p.hopLimit = this.hopLimit;
    this.reliableSend(p);
  }

  /** Router::enqueueReceivedMessage for packets to ourselves: handled in order, never re-entrantly. */
  private enqueueLocal(p: Mesh.MeshPacket): void {
    this.localQueue.push(p);
    if (this.drainingLocal) return;
    this.drainingLocal = true;
    try {
      for (let q = this.localQueue.shift(); q; q = this.localQueue.shift()) {
        if (!this.shouldFilterReceived(q, 0)) this.handleReceived(q, 'radio');
      }
    } finally {
      this.drainingLocal = false;
    }
  }

  /** ReliableRouter::send. */
  private reliableSend(p: Mesh.MeshPacket): void {
    if (p.wantAck) this.startRetransmission(clone(Mesh.MeshPacketSchema, p), NUM_RELIABLE_RETX);
    // "If we have pending retransmissions, add the airtime of this packet to it"
    this.pending.delayAll(this.estimatedAirtime(p), p.id);
    this.rearmRetransmissions();
    if (isBroadcast(p.to)) this.floodingSend(p);
    else this.nextHopSend(p);
  }

  /** FloodingRouter::send. */
  private floodingSend(p: Mesh.MeshPacket): void {
    p.relayNode = this.ourRelayId;
    this.history.wasSeenRecently({ ...p, from: p.from || this.nodeNum });
    this.routerSend(p);
  }

  /** NextHopRouter::send. */
  private nextHopSend(p: Mesh.MeshPacket): void {
    p.relayNode = this.ourRelayId;
    this.history.wasSeenRecently({ ...p, from: p.from || this.nodeNum });
    p.nextHop = this.getNextHop(p.to, p.relayNode);
    const fromUs = (p.from || this.nodeNum) === this.nodeNum;
    if ((!fromUs || !p.wantAck) && p.nextHop !== NO_NEXT_HOP_PREFERENCE && (p.hopLimit > 0 || p.wantAck)) {
      this.startRetransmission(clone(Mesh.MeshPacketSchema, p), NUM_INTERMEDIATE_RETX);
    }
    this.routerSend(p);
  }

  /** NextHopRouter::getNextHop. */
  private getNextHop(to: number, relayNode: number): number {
    if (isBroadcast(to)) return NO_NEXT_HOP_PREFERENCE;
    const hop = this.nextHops.get(to);
    return hop !== undefined && hop !== relayNode ? hop : NO_NEXT_HOP_PREFERENCE;
  }

  /** TraceRouteModule::maybeSetNextHop and NextHopRouter learning: only for nodes in the NodeDB. */
  private maybeSetNextHop(target: number, byte: number): void {
    if (target === NODENUM_BROADCAST || this.o.directory.get(target) === undefined) return;
    this.nextHops.set(target, byte);
  }

  /** Router::send (+ perhapsEncode) → RadioLibInterface::send. */
  private routerSend(p: Mesh.MeshPacket): void {
    if (p.to === this.nodeNum) return; // "BUG! send() called with packet destined for local node!"
    if (isBroadcast(p.to)) p.wantAck = false; // "Never set the want_ack flag on broadcast packets sent over the air"
    if (p.from === 0) p.from = this.nodeNum;
    const fromUs = p.from === this.nodeNum;
    p.relayNode = this.ourRelayId;
    if (fromUs) p.hopStart = p.hopLimit;
    if (p.hopLimit > 7) p.hopLimit = 7;
    fixPriority(p);
    let onAir = p;
    if (p.payloadVariant.case === 'decoded') {
      if (fromUs) {
        const d = p.payloadVariant.value;
        d.bitfield = (d.bitfield ?? 0) | (this.o.okToMqtt ? 1 : 0) | (d.wantResponse ? 2 : 0);
      }
      const r = this.o.cipher.encrypt(p);
      if (!r.ok) {
        this.metrics.dropped(`encode-${r.reason}`);
        if (fromUs) this.sendAckNak(ENCODE_ERRORS[r.reason], this.nodeNum, p.id, p.channel, 0); // abortSendAndNak
        return;
      }
      onAir = r.packet;
    }
    let frame: Uint8Array;
    try {
      frame = this.o.encodeFrame(onAir);
    } catch {
      this.metrics.dropped('encode-too-large');
      if (fromUs) this.sendAckNak(RoutingError.TOO_LARGE, this.nodeNum, p.id, p.channel, 0);
      return;
    }
    const airtimeMs = this.packetTimeMs(frame.length);
    if (this.o.mayTransmit && !this.o.mayTransmit(airtimeMs)) {
      this.metrics.dropped('duty-cycle');
      if (fromUs) this.sendAckNak(RoutingError.DUTY_CYCLE_LIMIT, this.nodeNum, p.id, p.channel, 0); // only to the API
      return;
    }
    const q: QueuedPacket = { packet: onAir, frame, txAfter: 0, rxSnr: p.rxSnr, rxRssi: p.rxRssi, airtimeMs, fromUs };
    onAir.priority = p.priority;
    this.scheduler.send(q);
  }

  /** RadioLibInterface::completeSending. */
  private completeSending(q: QueuedPacket, airtimeMs: number | undefined): void {
    if (airtimeMs === undefined) {
      this.metrics.dropped('radio-error');
      return;
    }
    this.airtime.logTx(airtimeMs);
    this.stats.tx++;
    this.metrics.inc('sent');
    if (!q.fromUs) {
      this.stats.txRelay++;
      this.metrics.inc('rebroadcast');
    }
  }

  /** Router::cancelSending: out of the TX queue, and we are no longer a relayer of it. */
  private cancelSending(from: number, id: number): boolean {
    if (!this.scheduler.cancel(from, id)) return false;
    this.history.removeRelayer(this.ourRelayId, id, from);
    return true;
  }

  // ---- retransmissions -------------------------------------------------------------------------------------------

  /** An estimate of a packet's airtime before it is encoded (RadioInterface::getPacketTime(p)). */
  private estimatedAirtime(p: Mesh.MeshPacket): number {
    const payload = p.payloadVariant.case === 'encrypted' ? p.payloadVariant.value.length : p.payloadVariant.case === 'decoded' ? dataLength(p.payloadVariant.value) : 0;
    return this.packetTimeMs(payload + 16);
  }

  /** NextHopRouter::startRetransmission + setNextTx. */
  private startRetransmission(p: Mesh.MeshPacket, numReTx: number): void {
    if (p.from === 0) p.from = this.nodeNum;
    this.stopRetransmission(p.from, p.id);
    this.pending.start(p, numReTx, this.o.clock.now() + this.retransmissionDelay(p));
    this.rearmRetransmissions();
  }

  /** RadioInterface::getRetransmissionMsec (for a decoded packet: Data + header; encrypted: payload + 2 headers). */
  private retransmissionDelay(p: Mesh.MeshPacket): number {
    const numbytes = p.payloadVariant.case === 'encrypted' ? p.payloadVariant.value.length + 16 : p.payloadVariant.case === 'decoded' ? dataLength(p.payloadVariant.value) : 0;
    return retransmissionMs(this.packetTimeMs(numbytes + 16), this.slotMs, this.airtime.channelUtilizationPercent());
  }

  /** NextHopRouter::stopRetransmission. */
  private stopRetransmission(from: number, id: number): boolean {
    const old = this.pending.find(from, id);
    if (!old) return false;
    // "Only when we already transmitted a packet via LoRa, we will cancel the packet in the Tx queue"
    if (old.numRetransmissions < NUM_RELIABLE_RETX - 1) {
      if (old.packet.from === this.nodeNum || roleAllowsCancelingDupe(this.role)) this.cancelSending(old.packet.from, old.packet.id);
    }
    this.pending.remove(from, id);
    this.rearmRetransmissions();
    return true;
  }

  private rearmRetransmissions(): void {
    const at = this.pending.nextAt();
    if (at === this.retxTimerAt) return;
    this.retxTimer?.();
    this.retxTimer = undefined;
    this.retxTimerAt = at;
    if (at === undefined || !this.unsubscribe) return;
    this.retxTimer = this.o.clock.setTimer(Math.max(0, at - this.o.clock.now()), () => {
      this.retxTimer = undefined;
      this.retxTimerAt = undefined;
      this.doRetransmissions();
      this.rearmRetransmissions();
    }, { name: 'mesh-retransmission' });
  }

  /** NextHopRouter::doRetransmissions. */
  private doRetransmissions(): void {
    const now = this.o.clock.now();
    for (const rec of this.pending.due(now)) {
      const p = rec.packet;
      if (rec.numRetransmissions === 0) {
        if (p.from === this.nodeNum) {
          this.metrics.dropped('max-retransmit');
          this.sendAckNak(RoutingError.MAX_RETRANSMIT, this.nodeNum, p.id, p.channel, 0);
        }
        this.stopRetransmission(p.from, p.id);
        continue;
      }
      this.metrics.inc('retransmission');
      if (!isBroadcast(p.to)) {
        if (rec.numRetransmissions === 1) {
          // "Last retransmission, reset next_hop (fallback to FloodingRouter)"
          p.nextHop = NO_NEXT_HOP_PREFERENCE;
          this.nextHops.clear(p.to);
          this.floodingSend(clone(Mesh.MeshPacketSchema, p));
        } else {
          this.nextHopSend(clone(Mesh.MeshPacketSchema, p));
        }
      } else {
        this.floodingSend(clone(Mesh.MeshPacketSchema, p));
      }
      rec.numRetransmissions--;
      rec.nextTxAt = this.o.clock.now() + this.retransmissionDelay(p);
    }
  }
}

/** Encoded size of a Data message (pb_encode_to_bytes). */
function dataLength(d: Mesh.Data): number {
  return toBinary(Mesh.DataSchema, d).length;
}
