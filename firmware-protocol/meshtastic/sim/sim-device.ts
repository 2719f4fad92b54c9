/**
 * A simulated radio running Meshtastic firmware 2.7.26 (the reference is the firmware source: PhoneAPI.cpp,
 * MeshService.cpp, Router.cpp, RadioLibInterface.cpp). The device half of the client API (handshake, NodeDB,
 * admin, per-client queues) is the shared one in ../device/ (DeviceService); this class is the rest of the radio:
 * the MeshPort behind it (the LoRa TX queue, MAX_TX_QUEUE 16, one packet on air at a time, ACKs and retries, and
 * the simulated mesh whose nodes answer traceroute, telemetry and position requests), boot and reboot, and the
 * line faults tests inject. Client connections (serial, TCP, in-memory) attach with `attach(sink)`.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Channel, Mesh, Portnums, Telemetry } from '@meshtastic/protobufs';
import { encodeStreamFrame } from '../../framing/meshtastic-stream.js';
import { NODENUM_BROADCAST, nodeIdString } from '../node-id.js';
import { DeviceService, type DeviceServiceStats } from '../device/device-service.js';
import { DeviceState } from '../device/device-state.js';
import { MemoryDeviceStore, type DeviceStore } from '../device/device-store.js';
import type { MeshPort } from '../device/mesh-port.js';
import type { ClientSink } from '../device/phone-api.js';
import { StreamClient } from '../device/stream-client.js';
import { SimMesh, type SimNode } from './sim-mesh.js';
import { SIM_CANNED_MESSAGES, SIM_RINGTONE, simFilesManifest, simHardware, simNodeInfo, type SimChannelInit } from './sim-config.js';
import { fakeKey, seededRandom } from './sim-random.js';
import { every as everyMs, systemClock, type Clock } from '../../../lib/clock/clock.js';

const MAX_TX_QUEUE = 16;
const NUM_RELIABLE_RETX = 3;
const ERRNO_UNKNOWN = 32;
const DATA_PAYLOAD_LEN = 233;
/** TraceRouteModule: an SNR it could not measure */
const UNK_SNR = -128;

export type { SimChannelInit };

/** A connection's byte sink as the transports give it. */
export type SimSink = ClientSink;

export interface SimFaults {
  /** Write every frame one byte at a time (each byte its own write). */
  splitWrites: boolean;
  /** Random non-frame bytes (printable noise plus high bytes other than 0x94) written before each frame. */
  garbageBeforeFrames: number;
  /** One-shot: drop the link after this many handshake frames. */
  disconnectAfterHandshakeFrames?: number;
}

export interface SimDeviceOptions {
  nodeNum?: number;
  longName?: string;
  shortName?: string;
  firmwareVersion?: string;
  seed?: number;
  /** Time one packet holds the radio (LongFast: 0.5-2 s on air; shorter keeps tests quick). */
  airtimeMs?: number;
  ackDelayMs?: number;
  /** Interval between the 3 transmissions of an unacknowledged want_ack packet. */
  retryMs?: number;
  bootDelayMs?: number;
  /** Other nodes; default: four nodes, one of them offline and one without a known key. */
  nodes?: Array<Partial<SimNode> & { num: number; longName: string }>;
  channels?: SimChannelInit[];
  hopLimit?: number;
  /** Behave like firmware 2.8-dev, which adds FromRadio.region_presets (field 19) after metadata. */
  firmware28?: boolean;
  /** API idle timeout: 15 min in the firmware (SerialConsole.cpp SERIAL_CONNECTION_TIMEOUT, ServerAPI.cpp
   * TCP_IDLE_TIMEOUT_MS). Serial then silently stops serving the client; TCP closes the connection. */
  apiIdleTimeoutMs?: number;
  /** Inject a text from a random online node every this many ms (0 = off). */
  trafficIntervalMs?: number;
  /** Where config, channels, owner and NodeDB persist across `new SimDevice` (default: memory, per instance). */
  store?: DeviceStore;
  /** Airtime, ACK delays, boot and the idle checks run on this clock (a test gives the session's virtual one). */
  clock?: Clock;
  now?: () => number;
  log?: (line: string) => void;
}

export interface SimDeviceStats {
  framesOut: number;
  packetsFromPhone: number;
  transmitted: number;
  rateLimited: number;
  duplicatesIgnored: number;
  queueFullRejects: number;
  reboots: number;
}

interface TxEntry {
  packet: Mesh.MeshPacket;
  attempts: number;
}

export class SimDevice implements MeshPort {
  readonly mesh: SimMesh;
  readonly faults: SimFaults = { splitWrites: false, garbageBeforeFrames: 0 };
  readonly myNodeNum: number;
  readonly publicKey: Uint8Array;
  readonly state: DeviceState;
  readonly service: DeviceService;
  readonly now: () => number;
  private readonly radioStats = { framesOut: 0, transmitted: 0, queueFullRejects: 0 };
  private readonly random: () => number;
  private readonly o: Required<Pick<SimDeviceOptions, 'airtimeMs' | 'ackDelayMs' | 'retryMs' | 'bootDelayMs' | 'hopLimit' | 'trafficIntervalMs' | 'apiIdleTimeoutMs'>> & SimDeviceOptions;
  private readonly clients = new Map<StreamClient['api'], StreamClient>();
  private readonly toPhoneListeners = new Set<(p: Mesh.MeshPacket) => void>();
  private readonly queueStatusListeners = new Set<(qs: Mesh.QueueStatus) => void>();
  private readonly txQueue: TxEntry[] = [];
  private txBusy = false;
  private lastSend = { res: 0, id: 0 };
  private lastQueueFree = MAX_TX_QUEUE;
  private readonly clock: Clock;
  /** Aborted by reboot and stop: cancels what later() scheduled. */
  private timers = new AbortController();
  private trafficTimer?: AbortController;
  private booting = false;
  private nextId: number;

  constructor(options: SimDeviceOptions = {}) {
    this.random = seededRandom(options.seed ?? 1);
    const clock = (this.clock = options.clock ?? systemClock);
    this.now = options.now ?? (options.clock ? () => clock.now() : () => performance.now());
    this.o = {
      airtimeMs: 60,
      ackDelayMs: 150,
      retryMs: 400,
      bootDelayMs: 300,
      hopLimit: 3,
      trafficIntervalMs: 0,
      apiIdleTimeoutMs: 15 * 60 * 1000,
      ...options,
    };
    this.myNodeNum = (options.nodeNum ?? 0xdeadbeef) >>> 0;
    this.publicKey = fakeKey(this.random);
    // generatePacketId: random high bits, rolling low 10 bits.
    this.nextId = Math.floor(this.random() * 0x3ff);
    this.mesh = new SimMesh(this.random);
    const nodes = options.nodes ?? [
      { num: 0x11111111, longName: 'Alice Rooftop', shortName: 'ALI', latitude: 52.52, longitude: 13.405, altitude: 60, channels: [0, 1], echo: true },
      { num: 0x22222222, longName: 'Bob Handheld', shortName: 'BOB', latitude: 52.51, longitude: 13.39, channels: [0] },
      { num: 0x33333333, longName: 'Carol Offline', shortName: 'CAR', online: false, channels: [0] },
      { num: 0x44444444, longName: 'Dave NoKey', shortName: 'DAV', publicKey: undefined, channels: [0] },
    ];
    for (const n of nodes) this.mesh.addNode(n);
    this.state = new DeviceState({
      myNodeNum: this.myNodeNum,
      publicKey: this.publicKey,
      hardware: simHardware(options.firmwareVersion ?? '2.7.26.54e0d8d'),
      owner: { longName: options.longName ?? 'Lattice Sim Radio', shortName: options.shortName ?? 'LSIM' },
      config: { hopLimit: this.o.hopLimit },
      channels: options.channels ?? [
        { index: 0, name: '', role: 'PRIMARY' as const },
        { index: 1, name: 'lattice', role: 'SECONDARY' as const, psk: Uint8Array.of(7) },
      ],
      cannedMessages: SIM_CANNED_MESSAGES,
      ringtone: SIM_RINGTONE,
      store: options.store ?? new MemoryDeviceStore(),
      previousBoots: 2, // a board in use: my_info.reboot_count 3 on this start
      now: this.now,
      log: (l) => this.o.log?.(l),
    });
    this.service = new DeviceService({
      state: this.state,
      mesh: this,
      clock: this.clock,
      now: this.now,
      random: this.random,
      log: (l) => this.log(l),
      // A rebooting radio drops its clients; the simulator boots it again with its banner.
      onReboot: (seconds) => this.later(seconds * 1000, () => this.reboot()),
      regionPresets: options.firmware28 ?? false,
      filesManifest: simFilesManifest(),
      apiIdleTimeoutMs: this.o.apiIdleTimeoutMs,
      flushIntervalMs: 0,
      onHandshake: () => this.syncNodeDb(),
    });
    this.syncNodeDb();
  }

  get stats(): SimDeviceStats & { service: DeviceServiceStats } {
    const s = this.service.stats;
    return {
      framesOut: this.radioStats.framesOut,
      packetsFromPhone: s.packetsFromClients,
      transmitted: this.radioStats.transmitted,
      rateLimited: s.rateLimited,
      duplicatesIgnored: s.duplicatesIgnored,
      queueFullRejects: this.radioStats.queueFullRejects,
      reboots: s.reboots,
      service: s,
    };
  }

  get rebootCount(): number {
    return this.state.rebootCount;
  }

  /** A firmware log line: to the simulator's own log, and as console text on serial links not yet in API mode. */
  log(line: string): void {
    this.o.log?.(line);
    const text = new TextEncoder().encode(`DEBUG | ${clockText()} ${Math.floor(this.now() / 1000)} ${line}\r\n`);
    for (const c of this.clients.values()) if (c.api.sink.kind === 'serial' && !c.api.usingProtobufs) c.api.sink.write(text);
  }

  /** Attaches a client connection (a PTY opened by the host, an accepted TCP socket, an in-memory link). */
  attach(sink: SimSink): StreamClient {
    this.service.start(); // idempotent: mesh delivery and the idle checks run once a client exists
    let handshakeFrames = 0;
    let cut = false;
    let client: StreamClient | undefined;
    const faulty: ClientSink = {
      kind: sink.kind,
      name: sink.name,
      close: () => sink.close(),
      end: sink.end ? () => sink.end!() : undefined,
      write: (frame) => {
        if (cut) return;
        this.writeFrame(sink, frame);
        const api = client?.api;
        if (!api?.inHandshake) return;
        handshakeFrames++;
        const at = this.faults.disconnectAfterHandshakeFrames;
        if (at !== undefined && handshakeFrames >= at) {
          this.faults.disconnectAfterHandshakeFrames = undefined; // one-shot
          cut = true;
          this.log(`fault: dropping the ${sink.kind} link after ${handshakeFrames} handshake frames`);
          sink.close();
        }
      },
    };
    client = new StreamClient(this.service, faulty);
    this.clients.set(client.api, client);
    return client;
  }

  detach(client: StreamClient): void {
    this.clients.delete(client.api);
    this.service.detach(client.api);
  }

  start(): void {
    this.service.start();
    if (this.o.trafficIntervalMs > 0) {
      this.trafficTimer = new AbortController();
      everyMs(this.clock, this.o.trafficIntervalMs, () => this.randomTraffic(), this.trafficTimer.signal);
    }
  }

  stop(): void {
    this.trafficTimer?.abort();
    this.timers.abort();
    this.timers = new AbortController();
    for (const c of [...this.clients.values()]) this.detach(c);
    this.service.stop();
  }

  /** Serial boot banner + FromRadio.rebooted (SerialConsole.cpp → StreamAPI::emitRebooted). */
  bootSerial(sink: SimSink): void {
    const lines = [
      `INFO  | ??:??:?? 0 \r\n`,
      `INFO  | ??:??:?? 0 //\\ E S H T /\\ S T / C\r\n`,
      `DEBUG | ??:??:?? 0 Filesystem files: prefs/config.proto\r\n`,
      `INFO  | ??:??:?? 1 Use nodenum 0x${this.myNodeNum.toString(16)}\r\n`,
    ];
    for (const l of lines) sink.write(new TextEncoder().encode(l));
    this.writeFrame(sink, encodeStreamFrame(toBinary(Mesh.FromRadioSchema, create(Mesh.FromRadioSchema, { payloadVariant: { case: 'rebooted', value: true } }))));
  }

  /** Power-cycles the radio: RAM state is lost (config, channels and NodeDB persist), TCP clients are dropped,
   * serial hosts see a boot banner. */
  reboot(): void {
    this.state.rebootCount++;
    this.state.changed();
    this.booting = true;
    this.txQueue.length = 0;
    this.timers.abort();
    this.timers = new AbortController();
    this.txBusy = false;
    this.log('rebooting');
    this.service.resetForReboot();
    for (const c of this.clients.values()) {
      c.resetFraming();
      if (c.api.sink.kind === 'tcp') c.api.sink.close();
    }
    this.later(this.o.bootDelayMs, () => {
      this.booting = false;
      for (const c of this.clients.values()) if (c.api.sink.kind === 'serial') this.bootSerial(c.api.sink);
    });
  }

  get sendsRegionPresets(): boolean {
    return this.o.firmware28 ?? false;
  }

  get isBooting(): boolean {
    return this.booting;
  }

  /** Writes one framed FromRadio (with the configured line faults). */
  writeFrame(sink: SimSink, frame: Uint8Array): void {
    this.radioStats.framesOut++;
    if (this.faults.garbageBeforeFrames > 0) sink.write(this.garbage(this.faults.garbageBeforeFrames));
    if (this.faults.splitWrites) for (const b of frame) sink.write(Uint8Array.of(b));
    else sink.write(frame);
  }

  /** Writes raw bytes to every connection (line noise, a stray log line). */
  injectRaw(bytes: Uint8Array): void {
    for (const c of this.clients.values()) c.api.sink.write(bytes);
  }

  private garbage(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let b = Math.floor(this.random() * 256);
      if (b === 0x94) b = 0x95; // a 0x94 could open a bogus frame that swallows the real one (no CRC on the link)
      out[i] = b;
    }
    return out;
  }

  /**
   * The radio's NodeDB holds what it heard of the simulated nodes, with their current names, keys and positions
   * (tests change them on the fly). A node new to the simulated world is added; one a client removed stays out until
   * it is heard again (NodeDB::updateFrom re-creates it).
   */
  private syncNodeDb(): void {
    for (const n of this.mesh.nodes.values()) {
      const known = this.state.nodeDb.get(n.num);
      if (!known && this.seeded.has(n.num)) continue;
      const info = simNodeInfo(n);
      if (known) {
        info.isFavorite = known.isFavorite;
        info.isIgnored = known.isIgnored;
        info.lastHeard = Math.max(known.lastHeard, info.lastHeard);
      }
      this.seeded.add(n.num);
      this.state.nodeDb.put(info);
    }
  }

  private readonly seeded = new Set<number>();

  // ---- MeshPort: what the device side sends and receives ----------------------------------------------------------

  onToPhone(listener: (packet: Mesh.MeshPacket) => void): () => void {
    this.toPhoneListeners.add(listener);
    return () => this.toPhoneListeners.delete(listener);
  }

  onQueueStatus(listener: (status: Mesh.QueueStatus) => void): () => void {
    this.queueStatusListeners.add(listener);
    return () => this.queueStatusListeners.delete(listener);
  }

  queueStatus(): Mesh.QueueStatus {
    return create(Mesh.QueueStatusSchema, { res: this.lastSend.res, free: MAX_TX_QUEUE - this.txQueue.length, maxlen: MAX_TX_QUEUE, meshPacketId: this.lastSend.id });
  }

  /** MeshService::sendToMesh → Router::sendLocal/send → RadioLibInterface::send. */
  sendFromPhone(p: Mesh.MeshPacket): number {
    p.from = 0;
    if (p.id === 0) p.id = this.generatePacketId();
    const id = p.id >>> 0;
    this.lastSend = { res: this.sendLocal(p), id };
    this.lastQueueFree = MAX_TX_QUEUE - this.txQueue.length;
    return id;
  }

  /** MeshService::sendToPhone: every connected client (or the backlog) gets it. */
  private sendToPhone(p: Mesh.MeshPacket): void {
    if (this.booting) return;
    for (const l of this.toPhoneListeners) l(p);
  }

  private routingPacket(err: Mesh.Routing_Error, from: number, requestId: number, channel: number): Mesh.MeshPacket {
    const routing = toBinary(Mesh.RoutingSchema, create(Mesh.RoutingSchema, { variant: { case: 'errorReason', value: err } }));
    return create(Mesh.MeshPacketSchema, {
      from,
      to: this.myNodeNum,
      channel,
      id: this.generatePacketId(),
      rxTime: Math.floor(Date.now() / 1000),
      priority: Mesh.MeshPacket_Priority.ACK,
      payloadVariant: { case: 'decoded', value: { portnum: Portnums.PortNum.ROUTING_APP, payload: routing, requestId } },
    });
  }

  private generatePacketId(): number {
    this.nextId = (this.nextId + 1) & 0x3ff;
    const id = ((Math.floor(this.random() * 0x400000) << 10) | this.nextId) >>> 0;
    return id === 0 ? 1 : id;
  }
  private sendLocal(p: Mesh.MeshPacket): number {
    if (p.wantAck && p.hopLimit === 0) p.hopLimit = this.o.hopLimit;
    if (p.hopLimit > 7) p.hopLimit = 3; // firmware clamps bogus hop limits
    // Router::send → perhapsEncode
    const err = this.perhapsEncode(p);
    if (err !== Mesh.Routing_Error.NONE) {
      p.channel = 0;
      this.later(0, () => this.sendToPhone(this.routingPacket(err, this.myNodeNum, p.id >>> 0, 0)));
      return err;
    }
    if (this.txQueue.length >= MAX_TX_QUEUE) {
      this.radioStats.queueFullRejects++;
      return ERRNO_UNKNOWN;
    }
    this.txQueue.push({ packet: p, attempts: 0 });
    this.pumpTx();
    return 0;
  }

  private perhapsEncode(p: Mesh.MeshPacket): Mesh.Routing_Error {
    if (p.payloadVariant.case !== 'decoded') return Mesh.Routing_Error.NONE;
    const data = p.payloadVariant.value;
    const encodedLen = toBinary(Mesh.DataSchema, create(Mesh.DataSchema, { ...data, bitfield: 1 })).length;
    const broadcast = p.to >>> 0 === NODENUM_BROADCAST;
    const ch = this.state.channels[p.channel];
    if (!ch || ch.role === Channel.Channel_Role.DISABLED) return Mesh.Routing_Error.NO_CHANNEL;
    if (data.payload.length > DATA_PAYLOAD_LEN || encodedLen + 16 > 255) return Mesh.Routing_Error.TOO_LARGE;
    const pki = !broadcast && ![Portnums.PortNum.TRACEROUTE_APP, Portnums.PortNum.NODEINFO_APP, Portnums.PortNum.ROUTING_APP, Portnums.PortNum.POSITION_APP].includes(data.portnum);
    if (pki) {
      if (encodedLen + 16 + 12 > 255) return Mesh.Routing_Error.TOO_LARGE;
      const node = this.mesh.nodes.get(p.to >>> 0);
      if (!node?.publicKey) {
        this.log(`Unknown public key for destination node 0x${(p.to >>> 0).toString(16)} (portnum ${data.portnum}), refusing to send legacy DM`);
        return Mesh.Routing_Error.PKI_SEND_FAIL_PUBLIC_KEY;
      }
      p.pkiEncrypted = true;
    }
    return Mesh.Routing_Error.NONE;
  }

  private pumpTx(): void {
    if (this.txBusy || this.txQueue.length === 0) return;
    this.txBusy = true;
    this.later(this.o.airtimeMs, () => {
      this.txBusy = false;
      const entry = this.txQueue.shift();
      if (entry) this.transmitted(entry);
      // MeshService::loop: tell the phone when a full TX queue has room again.
      if (this.lastQueueFree === 0 && this.txQueue.length < MAX_TX_QUEUE) for (const l of this.queueStatusListeners) l(create(Mesh.QueueStatusSchema, { ...this.queueStatus(), res: 0, meshPacketId: 0 }));
      this.lastQueueFree = MAX_TX_QUEUE - this.txQueue.length;
      this.pumpTx();
    });
  }

  private transmitted(entry: TxEntry): void {
    const p = entry.packet;
    entry.attempts++;
    this.radioStats.transmitted++;
    if (p.payloadVariant.case !== 'decoded') return;
    const data = p.payloadVariant.value;
    const to = p.to >>> 0;
    const takers = this.mesh.transmit({ from: this.myNodeNum, to, channel: p.channel, id: p.id >>> 0, portnum: data.portnum, payload: data.payload, pki: p.pkiEncrypted });
    if (data.portnum === Portnums.PortNum.TEXT_MESSAGE_APP) {
      const where = to === NODENUM_BROADCAST ? `channel ${p.channel}` : nodeIdString(to);
      this.o.log?.(`air: text 0x${(p.id >>> 0).toString(16)} to ${where} (try ${entry.attempts}): ${JSON.stringify(new TextDecoder().decode(data.payload))}; heard by ${takers.map((n) => n.longName).join(', ') || 'nobody'}`);
    }
    const broadcast = to === NODENUM_BROADCAST;
    // A node asked for a response answers it (TraceRouteModule, DeviceTelemetryModule, PositionModule); its reply
    // doubles as the ACK (ReliableRouter: "Another module replied to this message, no need for 2nd ack").
    const answered = !broadcast && data.wantResponse ? takers.filter((n) => this.answerRequest(n, p)) : [];
    if (answered.length > 0 || !p.wantAck) return;
    if (takers.length > 0) {
      this.later(this.o.ackDelayMs, () => {
        // DM: the destination's ACK; broadcast: we overheard a rebroadcast (implicit ACK from ourselves).
        this.sendToPhone(this.routingPacket(Mesh.Routing_Error.NONE, broadcast ? this.myNodeNum : to, p.id >>> 0, p.channel));
      });
      if (!broadcast) for (const n of takers) if (n.echo && data.portnum === Portnums.PortNum.TEXT_MESSAGE_APP) this.echoReply(n, data.payload);
      return;
    }
    if (entry.attempts < NUM_RELIABLE_RETX) {
      this.later(this.o.retryMs, () => {
        this.txQueue.push(entry);
        this.pumpTx();
      });
    } else {
      this.later(this.o.retryMs, () => this.sendToPhone(this.routingPacket(Mesh.Routing_Error.MAX_RETRANSMIT, this.myNodeNum, p.id >>> 0, p.channel)));
    }
  }


  /** What a simulated node answers to a want_response request addressed to it; false when no module of it does. */
  private answerRequest(node: SimNode, req: Mesh.MeshPacket): boolean {
    if (req.payloadVariant.case !== 'decoded') return false;
    const data = req.payloadVariant.value;
    const P = Portnums.PortNum;
    const reply = (portnum: number, payload: Uint8Array) =>
      this.later(this.o.ackDelayMs, () => this.injectData({ from: node.num, to: this.myNodeNum, portnum, payload, channel: req.channel, requestId: req.id >>> 0 }));
    switch (data.portnum) {
      case P.TRACEROUTE_APP: {
        // TraceRouteModule::alterReceivedProtobuf at the destination: unknown relays as NODENUM_BROADCAST with
        // UNK_SNR, then its own SNR of the request (dB × 4); on our side the reply gets our SNR of it in snr_back.
        let rd: Mesh.RouteDiscovery;
        try {
          rd = fromBinary(Mesh.RouteDiscoverySchema, data.payload);
        } catch {
          return false;
        }
        const relays = Array.from({ length: node.hopsAway }, () => NODENUM_BROADCAST);
        const snrQ = Math.round(node.snr * 4);
        rd.route = [...rd.route, ...relays];
        rd.snrTowards = [...rd.snrTowards, ...relays.map(() => UNK_SNR), snrQ];
        rd.routeBack = [...relays];
        rd.snrBack = [...relays.map(() => UNK_SNR), snrQ];
        reply(P.TRACEROUTE_APP, toBinary(Mesh.RouteDiscoverySchema, rd));
        return true;
      }
      case P.TELEMETRY_APP: {
        // DeviceTelemetryModule answers a device_metrics request (or an empty one); environment, power, air
        // quality need sensor modules the simulated nodes do not have.
        let t: Telemetry.Telemetry;
        try {
          t = fromBinary(Telemetry.TelemetrySchema, data.payload);
        } catch {
          return false;
        }
        if (t.variant.case !== undefined && t.variant.case !== 'deviceMetrics') return false;
        const uptime = Math.floor(this.now() / 1000) + 3600;
        const answer = create(Telemetry.TelemetrySchema, {
          time: Math.floor(Date.now() / 1000),
          variant: { case: 'deviceMetrics', value: { batteryLevel: 87, voltage: 4.05, channelUtilization: 7.5, airUtilTx: 1.2, uptimeSeconds: uptime } },
        });
        reply(P.TELEMETRY_APP, toBinary(Telemetry.TelemetrySchema, answer));
        return true;
      }
      case P.POSITION_APP: {
        // PositionModule::allocReply: nothing to say without a position ("Skip location send because lat/lon is zero").
        if (node.latitude === undefined) return false;
        const pos = create(Mesh.PositionSchema, {
          latitudeI: Math.round(node.latitude * 1e7),
          longitudeI: Math.round((node.longitude ?? 0) * 1e7),
          altitude: node.altitude,
          time: Math.floor(Date.now() / 1000),
          precisionBits: 32,
          locationSource: Mesh.Position_LocSource.LOC_MANUAL,
        });
        reply(P.POSITION_APP, toBinary(Mesh.PositionSchema, pos));
        return true;
      }
      default:
        return false;
    }
  }

  private echoReply(node: SimNode, payload: Uint8Array): void {
    const text = `echo: ${new TextDecoder().decode(payload)}`.slice(0, 200);
    this.later(this.o.ackDelayMs * 2, () => this.injectText({ from: node.num, to: this.myNodeNum, text }));
  }

  // ---- simulated traffic from the mesh -------------------------------------------------------------------------

  /** A text from a simulated node arrives over LoRa (decoded by the firmware before it reaches the phone). */
  injectText(m: { from: number; text: string; channel?: number; to?: number; id?: number }): Mesh.MeshPacket {
    return this.injectData({ ...m, portnum: Portnums.PortNum.TEXT_MESSAGE_APP, payload: new TextEncoder().encode(m.text) });
  }

  injectData(m: { from: number; portnum: number; payload: Uint8Array; channel?: number; to?: number; id?: number; requestId?: number }): Mesh.MeshPacket {
    const to = (m.to ?? NODENUM_BROADCAST) >>> 0;
    const node = this.mesh.nodes.get(m.from >>> 0);
    if (node) node.lastHeard = Math.floor(Date.now() / 1000);
    const direct = to !== NODENUM_BROADCAST;
    const hopStart = 3;
    const p = create(Mesh.MeshPacketSchema, {
      from: m.from >>> 0,
      to,
      channel: direct ? 0 : m.channel ?? 0,
      id: m.id ?? this.generatePacketId(),
      rxTime: Math.floor(Date.now() / 1000),
      rxSnr: node?.snr ?? 5,
      rxRssi: -80,
      hopLimit: hopStart - (node?.hopsAway ?? 0),
      hopStart,
      pkiEncrypted: direct,
      publicKey: direct && node?.publicKey ? node.publicKey : new Uint8Array(0),
      payloadVariant: { case: 'decoded', value: { portnum: m.portnum, payload: m.payload, bitfield: 1, requestId: m.requestId ?? 0 } },
    });
    if (this.booting) return p;
    // The mesh side of the node updates its NodeDB (NodeDB::updateFrom, NodeInfoModule → updateUser).
    this.seeded.delete(p.from);
    this.syncNodeDb();
    this.state.nodeDb.heardFrom(p);
    if (m.portnum === Portnums.PortNum.NODEINFO_APP) {
      try {
        this.state.nodeDb.updateUser(p.from, fromBinary(Mesh.UserSchema, m.payload), p.channel);
      } catch {
        // a malformed NodeInfo is passed on undecoded, as the firmware would deliver it
      }
    }
    this.sendToPhone(p);
    return p;
  }

  /** A node (new or known) broadcasts its NodeInfo, e.g. to announce its public key. */
  injectNodeInfo(num: number): void {
    const n = this.mesh.nodes.get(num >>> 0);
    if (!n) throw new RangeError(`no simulated node ${nodeIdString(num)}`);
    const user = toBinary(Mesh.UserSchema, create(Mesh.UserSchema, {
      id: nodeIdString(n.num), longName: n.longName, shortName: n.shortName, hwModel: n.hwModel, publicKey: n.publicKey ?? new Uint8Array(0),
    }));
    this.injectData({ from: n.num, portnum: Portnums.PortNum.NODEINFO_APP, payload: user });
  }

  private randomTraffic(): void {
    const online = [...this.mesh.nodes.values()].filter((n) => n.online);
    if (online.length === 0) return;
    const n = online[Math.floor(this.random() * online.length)]!;
    const phrases = ['anyone copy?', 'testing 1 2 3', 'good signal here', 'heading home', 'weather is clearing up'];
    this.injectText({ from: n.num, channel: n.channels[0] ?? 0, text: phrases[Math.floor(this.random() * phrases.length)]! });
  }

  private later(ms: number, fn: () => void): void {
    this.clock.sleep(ms, { signal: this.timers.signal }).then(fn, () => undefined);
  }
}

function clockText(): string {
  return new Date().toISOString().slice(11, 19);
}
