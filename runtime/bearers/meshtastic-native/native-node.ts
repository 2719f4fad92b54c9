/**
 * The native Meshtastic node: the relay's own SX126x as a Meshtastic node (issue 13), offered to the relay as the
 * same RadioGateway a companion radio is (runtime/bearers/meshtastic/meshtastic-bearer.ts), so `lattice send mt:…`,
 * `inbox`, `trace`, the bridge's mappings and `@MT:` DMs work unchanged:
 * - in: text packets (and PRIVATE_APP data) the mesh delivers to the clients become `foreign` events from
 *   `mt:!xxxxxxxx` to `mt:ch:<index>`, or to our own `mt:!…` for a DM to us;
 * - out: bundle frames for `mt:ch:<index>` go out as channel texts, for `mt:!xxxxxxxx` as DMs (PKI: the recipient's
 *   public key must be in the NodeDB, else the send is refused and the bundle stays in the vault until a NodeInfo
 *   brings it and a `peer` up event retries), with want_ack and the firmware's retransmissions;
 * - `accepted` means the router took the packet into its queue; ACK/NAK come back as ROUTING_APP and are counted.
 * The "link" is the chip itself: up from start to stop, never displaced. The client API serves several apps at once.
 */
import { bundleTextKey } from '../../bundle/elided-signature.js';
import { create, fromBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import { channelAddress, nodeAddress, nodeIdString, parseMeshtasticAddress } from '../../../firmware-protocol/meshtastic/node-id.js';
import { TypedEmitter } from '../../../lib/events/typed-emitter.js';
import type { Clock } from '../../../lib/clock/clock.js';
import type { LoraModulation } from '../../../lib/lora/modulation.js';
import { MeshtasticRegions } from '../../../lib/lora/meshtastic-presets.js';
import type { BearerEvents, BearerStatus, OutFrame, PeerId, SendResult } from '../../bearer/bearer.js';
import type { RadioGateway, RadioInfo, RadioNode, RadioRefusal, RadioSendResult, RadioText } from '../../bearer/radio-gateway.js';
import type { Logger } from '../../log/logger.js';
import { DEFAULT_DATA_PORTNUMS, RecentPackets } from '../meshtastic/foreign-message.js';
import { bundleText, packetIdForKey, textPieces } from '../meshtastic/outgoing-text.js';
import { meshtasticReach } from '../meshtastic/reach.js';
import type { AirUtilisation } from './air-utilisation.js';
import { NativeNodeStoppedError } from './errors.js';
import type { NativeMetrics } from './native-metrics.js';
import type { NativeRadio } from './native-radio.js';
import type { NativeStack } from './native-stack.js';
import { PowerTelemetry, type NodePowerFigures, type PowerSlot } from './power-telemetry.js';
import { timersOf } from '../../../lib/clock/timer-clock.js';
import type { DeviceHttpClient } from '../../../firmware-protocol/meshtastic/device/http-client.js';
import type { HasMeshtasticGatewayRadio, MeshtasticGatewayRadio } from '../mqtt/meshtastic/gateway-radio.js';

export interface NativeNodeInit {
  name: string;
  nodeNum: number;
  publicKey: Uint8Array;
  role: string;
  region: string;
  /** Firmware enum name (LONG_FAST…). */
  preset: string;
  radio: NativeRadio;
  stack: NativeStack;
  utilisation: AirUtilisation;
  /** The client API address (served by the stack); none = no API. */
  api?: { host: string; port: number };
  /** How the radio is attached, for status (`spi /dev/spidev0.0`, `sim 127.0.0.1:7000`). */
  device: string;
  log: Logger;
  clock: Clock;
  metrics?: NativeMetrics;
  /** Ask for ACKs on our packets (default true). */
  wantAck?: boolean;
  /** Prefix texts from another mesh with the foreign sender's name (default true). */
  prefixOrigin?: boolean;
  /** Channel index that BROADCAST frames go to; default none. */
  broadcastChannel?: number;
  /** The relay's power figures for telemetry (runtime/power fills it); none = no battery telemetry. */
  power?: PowerSlot;
}

type State = 'stopped' | 'starting' | 'up';

/** Nodes heard directly within this long count as neighbours in status. */
const NEIGHBOUR_MS = 2 * 3_600_000;

export class NativeNode implements RadioGateway, HasMeshtasticGatewayRadio {
  readonly name: string;
  readonly mode = 'sync' as const;
  readonly mesh = 'meshtastic' as const;
  private readonly listeners: TypedEmitter<BearerEvents>;
  private state: State = 'stopped';
  private offs: Array<() => void> = [];
  private readonly announced = new Set<PeerId>();
  private readonly recentRx = new RecentPackets();
  private readonly progress = new Map<string, number>();
  private offGauges?: () => void;
  private lastError?: string;
  private telemetry?: PowerTelemetry;
  private telemetryFactor = 1;
  private clientRole = false;
  readonly counters = { messagesIn: 0, messagesOut: 0, acks: 0, naks: 0 };

  constructor(private readonly init: NativeNodeInit) {
    this.name = init.name;
    this.listeners = new TypedEmitter<BearerEvents>({ onListenerError: (err, event) => init.log.error(`${event} listener failed`, { bearer: init.name, err }) });
  }

  /** The LoRa modulation the node's radio is tuned to (preset, region slot, sync word 0x2B, preamble 16). */
  get modulation(): LoraModulation {
    return this.init.radio.modulation;
  }

  get clients(): number {
    return this.state === 'stopped' ? 0 : this.init.stack.clients();
  }

  /** The client API's port (the system's choice when configured as 0). */
  /** The firmware's HTTP API device side of an HTTP session while the node is up (runtime/api/meshtastic-http-routes.ts). */
  meshtasticHttp(session: string): DeviceHttpClient | undefined {
    return this.state === 'up' ? this.init.stack.httpClient?.(session) : undefined;
  }

  get apiPort(): number | undefined {
    return this.state === 'up' ? this.init.stack.apiPort() : undefined;
  }

  /** The node as an MQTT gateway sees it (runtime/bearers/mqtt/meshtastic): identity, channels, the router's hooks. */
  meshtasticGatewayRadio(): MeshtasticGatewayRadio {
    const i = this.init;
    const g = i.stack.gateway;
    if (!g) throw new Error(`${i.name}: this node's stack has no MQTT gateway hooks`);
    return {
      nodeNum: i.nodeNum,
      region: i.region,
      channels: () => i.stack.state().channels.map((c) => ({ index: c.index, name: c.name })),
      onTapped: (l) => g.onTapped(l),
      injectReceived: (p) => g.injectReceived(p),
      implicitAck: (id, channel) => g.implicitAck(id, channel),
      knowsUser: (n) => g.knowsUser(n),
      mapReport: () => {
        const st = i.stack.state();
        const pos = g.ownPosition();
        const since = Math.floor(i.clock.now() / 1000) - 2 * 3600;
        return {
          ...g.mapFacts(),
          longName: st.longName,
          shortName: st.shortName,
          ...(pos && (pos.latitudeI || pos.longitudeI) ? { position: { latitudeI: pos.latitudeI ?? 0, longitudeI: pos.longitudeI ?? 0, altitude: pos.altitude ?? 0 } } : {}),
          // NodeDB::getNumOnlineMeshNodes(true): heard in the last two hours over LoRa, ourselves not counted.
          numOnlineLocalNodes: st.nodes().filter((n) => n.num !== i.nodeNum && n.lastHeard >= since && !n.viaMqtt).length,
        };
      },
    };
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    const i = this.init;
    try {
      await i.radio.start();
      await i.stack.start();
      this.offs.push(i.stack.port.onToPhone((p) => this.onToPhone(p)));
    } catch (err) {
      this.lastError = (err as Error).message;
      await this.stop();
      throw err;
    }
    this.offGauges = i.metrics?.addSource({
      bearer: i.name,
      channelUtilisationPercent: () => i.utilisation.channelUtilisationPercent(),
      txUtilisationPercent: () => i.utilisation.txUtilisationPercent(),
      txMsLastHour: () => i.utilisation.txMsLastHour(),
      rxMsLastHour: () => i.utilisation.rxMsLastHour(),
      clients: () => this.clients,
      nodes: () => i.stack.state().nodes().length,
    });
    this.state = 'up';
    if (i.power && i.stack.sendLocal && i.stack.localStats) {
      this.telemetry = new PowerTelemetry({ slot: i.power, sendLocal: (p) => i.stack.sendLocal!(p), localStats: () => i.stack.localStats!(), clock: timersOf(i.clock), log: i.log });
      this.telemetry.setIntervalFactor(this.telemetryFactor);
      this.telemetry.start();
    }
    if (this.clientRole) this.setClientRole(true);
    const st = i.stack.state();
    i.log.info('native Meshtastic node up', {
      bearer: i.name, nodeId: nodeIdString(i.nodeNum), role: i.role, region: i.region, preset: i.preset,
      frequencyHz: i.radio.modulation.frequencyHz, channels: st.channels.map((c) => `${c.index}:${c.name}`).join(','),
      api: i.api ? `${i.api.host}:${i.stack.apiPort()}` : 'off',
    });
    for (const c of st.channels) this.announce(channelAddress(c.index), true, c.name);
    for (const n of st.nodes()) if (n.num !== i.nodeNum && n.user?.publicKey?.length) this.announce(nodeAddress(n.num), true, n.user.longName);
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    for (const off of this.offs) off();
    this.offs = [];
    this.offGauges?.();
    this.offGauges = undefined;
    this.telemetry?.stop();
    this.telemetry = undefined;
    await this.init.stack.stop().catch((err: Error) => this.init.log.warn('stopping the mesh stack failed', { bearer: this.name, err }));
    await this.init.radio.stop();
    for (const p of [...this.announced]) this.announce(p, false);
  }

  // ---- power policies (runtime/power) -----------------------------------------------------------------------------

  /** Where the node's battery telemetry reads the relay's power figures (undefined: none). */
  usePower(source: (() => NodePowerFigures | undefined) | undefined): void {
    if (this.init.power) this.init.power.source = source;
  }

  /** Caps the transmit power (dBm; undefined = as configured). */
  setTxPowerCap(dbm: number | undefined): Promise<void> {
    return this.init.radio.setTxPowerCap(dbm);
  }

  /** NodeInfo and power telemetry intervals × factor from their next send. */
  setIntervalFactor(factor: number): void {
    this.init.stack.setNodeInfoIntervalFactor?.(factor);
    this.telemetryFactor = factor;
    this.telemetry?.setIntervalFactor(factor);
  }

  /** A node configured ROUTER or ROUTER_LATE runs as a CLIENT while `on` (other roles are left as they are). */
  setClientRole(on: boolean): void {
    this.clientRole = on;
    if (this.init.role !== 'ROUTER' && this.init.role !== 'ROUTER_LATE') return;
    if (this.state === 'stopped') return;
    this.init.stack.setRole?.(on ? 'CLIENT' : (this.init.role as 'ROUTER' | 'ROUTER_LATE'));
  }

  /** The role the node runs in now: CLIENT while the power policy runs a configured ROUTER or ROUTER_LATE so. */
  get liveRole(): string {
    return this.clientRole && (this.init.role === 'ROUTER' || this.init.role === 'ROUTER_LATE') ? 'CLIENT' : this.init.role;
  }

  /** Battery telemetry sent so far (DeviceMetrics, PowerMetrics). */
  get telemetrySent(): { device: number; power: number } {
    return { ...(this.telemetry?.sent ?? { device: 0, power: 0 }) };
  }

  /** Sends DeviceMetrics and PowerMetrics now (tests; the timer sends them every 30 min). */
  sendPowerTelemetry(): boolean {
    return this.telemetry?.sendNow() ?? false;
  }

  on<E extends keyof BearerEvents>(event: E, listener: BearerEvents[E]): () => void {
    return this.listeners.on(event, listener);
  }

  canReach(peer: PeerId): boolean {
    if (this.state !== 'up') return false;
    return meshtasticReach(peer, {
      ...(this.init.broadcastChannel !== undefined ? { broadcastChannel: this.init.broadcastChannel } : {}),
      hasChannel: (i) => this.hasChannel(i), self: this.init.nodeNum,
      hasPublicKey: (n) => (this.node(n)?.user?.publicKey?.length ?? 0) > 0,
    });
  }

  async send(frame: OutFrame, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    options.signal?.throwIfAborted();
    if (frame.kind !== 'bundle' || !frame.bundle) return 'unreachable';
    if (frame.bundle.sealed) return 'unreachable';
    let to = frame.peer;
    if (to === '*') {
      if (this.init.broadcastChannel === undefined) return 'unreachable';
      to = channelAddress(this.init.broadcastChannel);
    }
    // The bundle's signature is the text's identity: a resend carries the same packet ids (outgoing-text.ts).
    const r = await this.sendText({ to, text: bundleText(frame.bundle, { prefixOrigin: this.init.prefixOrigin }), key: bundleTextKey(frame.bundle), ...(options.signal ? { signal: options.signal } : {}) });
    return r.status === 'refused' ? 'unreachable' : 'accepted';
  }

  async sendText(req: RadioText): Promise<RadioSendResult> {
    req.signal?.throwIfAborted();
    if (this.state !== 'up') return refused('link-down');
    let addr;
    try {
      addr = parseMeshtasticAddress(req.to);
    } catch (err) {
      return refused('bad-address', (err as Error).message);
    }
    let to: number;
    let channel = 0;
    if (addr.kind === 'channel') {
      if (!this.hasChannel(addr.index)) return refused('no-channel', `channel ${addr.index} is not enabled`);
      to = 0xffffffff;
      channel = addr.index;
    } else {
      const n = this.node(addr.num);
      if (!n) return refused('unknown-node');
      if (!n.user?.publicKey?.length) return refused('no-key');
      to = addr.num;
    }
    if (req.text === '') return refused('empty');
    const direct = to !== 0xffffffff;
    const pieces = textPieces(req.text, direct);
    const key = req.key ? Buffer.from(req.key).toString('hex') : undefined;
    const packetIds: number[] = [];
    for (let done = (key && this.progress.get(key)) || 0; done < pieces.length; done++) {
      if (this.state !== 'up') throw new NativeNodeStoppedError(this.name);
      const packet = create(Mesh.MeshPacketSchema, {
        to, channel, wantAck: this.init.wantAck ?? true,
        id: req.key ? packetIdForKey(req.key, done) : 0,
        payloadVariant: { case: 'decoded', value: { portnum: Portnums.PortNum.TEXT_MESSAGE_APP, payload: new TextEncoder().encode(pieces[done]!) } },
      });
      packetIds.push(this.init.stack.port.sendFromPhone(packet));
      this.counters.messagesOut++;
      if (key) this.rememberProgress(key, done + 1);
    }
    if (key) this.progress.delete(key);
    return { status: 'sent', pieces: pieces.length, packetIds };
  }

  radio(): RadioInfo {
    const i = this.init;
    const up = this.state === 'up';
    const st = i.stack.state();
    const m = i.radio.modulation;
    return {
      name: this.name,
      mesh: 'meshtastic',
      link: { state: this.state === 'up' ? 'up' : this.state === 'starting' ? 'starting' : 'stopped', device: i.device, reconnects: 0, ...(this.lastError ? { lastError: this.lastError } : {}) },
      self: {
        address: nodeAddress(i.nodeNum), nodeNum: i.nodeNum, name: st.longName, shortName: st.shortName,
        publicKey: Buffer.from(i.publicKey).toString('hex'), role: this.liveRole, firmware: 'lattice native (firmware 2.7 protocol)', hardware: 'SX126x',
      },
      channels: up ? st.channels.map((c) => ({ index: c.index, name: c.name, address: channelAddress(c.index), usable: true })) : [],
      nodes: up ? this.nodes() : [],
      modulation: {
        frequencyHz: m.frequencyHz, bandwidthHz: m.bandwidthHz, spreadingFactor: m.spreadingFactor, codingRate: m.codingRate,
        preambleLength: m.preambleLength, preset: i.preset, region: i.region, txPowerDbm: m.txPowerDbm,
      },
    };
  }

  status(): BearerStatus {
    const i = this.init;
    const st = i.stack.state();
    const now = i.clock.now();
    const nodes = st.nodes().filter((n) => n.num !== i.nodeNum);
    const neighbours = nodes.filter((n) => n.hopsAway === 0 && n.lastHeard > 0 && now - n.lastHeard * 1000 < NEIGHBOUR_MS);
    return {
      name: this.name,
      kind: 'meshtastic-native',
      mode: 'sync',
      state: this.state === 'up' ? 'up' : this.state === 'starting' ? 'starting' : 'stopped',
      peers: [...this.announced],
      detail: {
        device: i.device,
        nodeNum: i.nodeNum,
        nodeId: nodeIdString(i.nodeNum),
        // As it runs: a power policy may run a ROUTER as a CLIENT, and lower the transmit power, for a while.
        role: this.liveRole,
        ...(this.liveRole !== i.role ? { configuredRole: i.role } : {}),
        txPowerDbm: i.radio.modulation.txPowerDbm,
        ...(i.radio.modulation.txPowerDbm !== i.radio.configuredTxPowerDbm ? { configuredTxPowerDbm: i.radio.configuredTxPowerDbm } : {}),
        longName: st.longName,
        shortName: st.shortName,
        region: i.region,
        // The region's law for our transmit time (the firmware's regions[] table): the dashboard's airtime budget.
        dutyCyclePercent: (MeshtasticRegions as Record<string, { dutyCyclePercent: number } | undefined>)[i.region]?.dutyCyclePercent,
        modemPreset: i.preset,
        frequencyHz: i.radio.modulation.frequencyHz,
        channels: st.channels.map((c) => ({ index: c.index, name: c.name, role: c.role })),
        nodes: nodes.length,
        neighbours: neighbours.map((n) => ({ id: nodeIdString(n.num), name: n.user?.longName, snr: n.snr, lastHeard: n.lastHeard * 1000 })),
        clients: this.clients,
        api: i.api && this.state === 'up' ? `${i.api.host}:${i.stack.apiPort()}` : undefined,
        channelUtilizationPercent: i.utilisation.channelUtilisationPercent(),
        airUtilTxPercent: i.utilisation.txUtilisationPercent(),
        counters: { ...this.counters },
        lastError: this.lastError,
      },
    };
  }

  // ---- packets the mesh delivers to the clients ------------------------------------------------------------------

  private onToPhone(p: Mesh.MeshPacket): void {
    if (p.payloadVariant.case !== 'decoded' || p.from === this.init.nodeNum) return;
    const data = p.payloadVariant.value;
    const port = data.portnum;
    if (port === Portnums.PortNum.ROUTING_APP) return this.onRouting(p, data);
    if (port === Portnums.PortNum.NODEINFO_APP) return this.onNodeInfo(p, data);
    const isText = port === Portnums.PortNum.TEXT_MESSAGE_APP;
    if (!isText && !DEFAULT_DATA_PORTNUMS.includes(port)) return;
    if (!this.recentRx.fresh(p.from, p.id)) return;
    const direct = p.to === this.init.nodeNum;
    this.counters.messagesIn++;
    this.listeners.emit('foreign', {
      bearer: this.name,
      from: nodeAddress(p.from),
      fromName: this.node(p.from)?.user?.longName,
      to: direct ? nodeAddress(this.init.nodeNum) : channelAddress(p.channel),
      direct,
      ...(isText ? { text: new TextDecoder().decode(data.payload) } : { data: data.payload }),
      packetId: p.id,
      receivedAt: this.init.clock.now(),
      ...(p.rxRssi ? { rssi: p.rxRssi } : {}),
      ...(p.rxSnr ? { snr: p.rxSnr } : {}),
    });
  }

  private onNodeInfo(p: Mesh.MeshPacket, data: Mesh.Data): void {
    let user: Mesh.User;
    try {
      user = fromBinary(Mesh.UserSchema, data.payload);
    } catch {
      return;
    }
    if (user.publicKey.length > 0) this.announce(nodeAddress(p.from), true, user.longName);
  }

  /** Routing answers to our own packets (ReliableRouter: ACK = error NONE from the destination, else a NAK). */
  private onRouting(p: Mesh.MeshPacket, data: Mesh.Data): void {
    if (p.to !== this.init.nodeNum || !data.requestId) return;
    let routing: Mesh.Routing;
    try {
      routing = fromBinary(Mesh.RoutingSchema, data.payload);
    } catch {
      return;
    }
    const error = routing.variant.case === 'errorReason' ? routing.variant.value : Mesh.Routing_Error.NONE;
    if (error === Mesh.Routing_Error.NONE) this.counters.acks++;
    else {
      this.counters.naks++;
      this.init.log.warn('mesh reports delivery failure', { bearer: this.name, packetId: data.requestId, reason: Mesh.Routing_Error[error] });
    }
  }

  private node(num: number): Mesh.NodeInfo | undefined {
    return this.init.stack.state().nodes().find((n) => n.num === num);
  }

  private nodes(): RadioNode[] {
    return this.init.stack.state().nodes().filter((n) => n.num !== this.init.nodeNum).map((n) => ({
      address: nodeAddress(n.num),
      ...(n.user?.longName ? { name: n.user.longName } : {}),
      ...(n.user?.shortName ? { shortName: n.user.shortName } : {}),
      ...(n.user?.publicKey?.length ? { publicKey: Buffer.from(n.user.publicKey).toString('hex') } : {}),
      ...(n.lastHeard ? { lastHeard: n.lastHeard * 1000 } : {}),
      ...(n.hopsAway !== undefined ? { hops: n.hopsAway } : {}),
      ...(n.hopsAway === 0 && n.snr ? { snr: n.snr } : {}),
      // mesh.proto Position: latitude_i / longitude_i in 1e-7 degrees; 0/0 is "no fix" for the firmware too.
      ...(n.position && (n.position.latitudeI || n.position.longitudeI) ? { position: { lat: (n.position.latitudeI ?? 0) * 1e-7, lon: (n.position.longitudeI ?? 0) * 1e-7 } } : {}),
    }));
  }

  private hasChannel(index: number): boolean {
    return this.init.stack.state().channels.some((c) => c.index === index);
  }

  private announce(peer: PeerId, up: boolean, name?: string): void {
    if (up === this.announced.has(peer)) return;
    if (up) this.announced.add(peer);
    else this.announced.delete(peer);
    this.listeners.emit('peer', { bearer: this.name, peer, up, ...(name ? { name } : {}) });
  }

  private rememberProgress(key: string, done: number): void {
    this.progress.delete(key);
    this.progress.set(key, done);
    if (this.progress.size > 256) this.progress.delete(this.progress.keys().next().value!);
  }
}

function refused(reason: RadioRefusal, detail?: string): RadioSendResult {
  return { status: 'refused', reason, ...(detail ? { detail } : {}) };
}
