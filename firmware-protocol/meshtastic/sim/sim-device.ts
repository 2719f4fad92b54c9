/**
 * A simulated radio running Meshtastic firmware 2.7.26 (the reference is the firmware source: PhoneAPI.cpp,
 * MeshService.cpp, Router.cpp, RadioLibInterface.cpp). It owns what the firmware keeps across client connections:
 * identity and config, the node DB, the to-phone packet queue (MAX_RX_TOPHONE 32) and QueueStatus queue
 * (MAX_RX_QUEUESTATUS_TOPHONE 2), the LoRa TX queue (MAX_TX_QUEUE 16, one packet on air at a time) and the
 * simulated mesh. Client connections (serial, TCP) attach as SimPhoneApi instances.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { Channel, Config, Mesh, ModuleConfig, Portnums } from '@meshtastic/protobufs';
import { encodeStreamFrame } from '../../framing/meshtastic-stream.js';
import { NODENUM_BROADCAST, nodeIdString } from '../node-id.js';
import { SimMesh, type SimNode } from './sim-mesh.js';
import {
  simChannelTable,
  simConfig,
  simFilesManifest,
  simMetadata,
  simModuleConfig,
  simMyNodeInfo,
  simOtherNodeInfos,
  simOwnNodeInfo,
  type SimChannelInit,
} from './sim-config.js';
import { SimPhoneApi, type SimSink } from './sim-phone-api.js';
import { fakeKey, seededRandom } from './sim-random.js';
import { every as everyMs, systemClock, type Clock } from '../../../lib/clock/clock.js';

const MAX_TX_QUEUE = 16;
const MAX_RX_TOPHONE = 32;
const MAX_RX_QUEUESTATUS_TOPHONE = 2;
const NUM_RELIABLE_RETX = 3;
const ERRNO_UNKNOWN = 32;
const DATA_PAYLOAD_LEN = 233;

export type { SimChannelInit };

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

export class SimDevice {
  readonly mesh: SimMesh;
  readonly faults: SimFaults = { splitWrites: false, garbageBeforeFrames: 0 };
  readonly stats: SimDeviceStats = { framesOut: 0, packetsFromPhone: 0, transmitted: 0, rateLimited: 0, duplicatesIgnored: 0, queueFullRejects: 0, reboots: 0 };
  readonly myNodeNum: number;
  readonly publicKey: Uint8Array;
  rebootCount = 3;
  readonly now: () => number;
  private readonly random: () => number;
  private readonly o: Required<Pick<SimDeviceOptions, 'airtimeMs' | 'ackDelayMs' | 'retryMs' | 'bootDelayMs' | 'hopLimit' | 'trafficIntervalMs' | 'apiIdleTimeoutMs'>> & SimDeviceOptions;
  private readonly channels: Channel.Channel[];
  private readonly apis = new Set<SimPhoneApi>();
  private readonly toPhone: Mesh.MeshPacket[] = [];
  private readonly queueStatusToPhoneQueue: Mesh.QueueStatus[] = [];
  private readonly txQueue: TxEntry[] = [];
  private txBusy = false;
  private lastQueueStatusFree = MAX_TX_QUEUE;
  private readonly clock: Clock;
  /** Aborted by reboot and stop: cancels what later() scheduled. */
  private timers = new AbortController();
  private trafficTimer?: AbortController;
  private idleTimer?: AbortController;
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
    const chInit = options.channels ?? [
      { index: 0, name: '', role: 'PRIMARY' as const },
      { index: 1, name: 'lattice', role: 'SECONDARY' as const, psk: Uint8Array.of(7) },
    ];
    this.channels = simChannelTable(chInit);
  }

  /** A firmware log line: to the simulator's own log, and as console text on serial links not yet in API mode. */
  log(line: string): void {
    this.o.log?.(line);
    const text = new TextEncoder().encode(`DEBUG | ${clock()} ${Math.floor(this.now() / 1000)} ${line}\r\n`);
    for (const api of this.apis) if (api.sink.kind === 'serial' && !api.usingProtobufs) api.sink.write(text);
  }

  /** Attaches a client connection (a PTY opened by the host, or an accepted TCP socket). */
  attach(sink: SimSink): SimPhoneApi {
    const api = new SimPhoneApi(this, sink);
    this.apis.add(api);
    if (!this.idleTimer) {
      const every = Math.max(10, Math.min(1000, this.o.apiIdleTimeoutMs / 4));
      this.idleTimer = new AbortController();
      everyMs(this.clock, every, () => this.checkConnectionTimeouts(), this.idleTimer.signal);
    }
    return api;
  }

  /** PhoneAPI::checkConnectionTimeout / ServerAPI::runOnce. */
  private checkConnectionTimeouts(): void {
    const now = this.now();
    for (const api of [...this.apis]) {
      if (now - api.lastContact <= this.o.apiIdleTimeoutMs) continue;
      if (api.sink.kind === 'tcp') {
        this.o.log?.(`TCP connection timeout, no data for ${Math.round(now - api.lastContact)} ms`);
        if (api.sink.end) api.sink.end();
        else api.sink.close();
      } else if (api.state !== 'NOTHING') {
        this.o.log?.('serial client timed out; PhoneAPI::close()');
        api.close();
      }
    }
  }

  detach(api: SimPhoneApi): void {
    api.closed = true;
    api.close();
    this.apis.delete(api);
  }

  start(): void {
    if (this.o.trafficIntervalMs > 0) {
      this.trafficTimer = new AbortController();
      everyMs(this.clock, this.o.trafficIntervalMs, () => this.randomTraffic(), this.trafficTimer.signal);
    }
  }

  stop(): void {
    this.trafficTimer?.abort();
    this.idleTimer?.abort();
    this.idleTimer = undefined;
    this.timers.abort();
    this.timers = new AbortController();
    for (const api of [...this.apis]) this.detach(api);
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
    this.writeFrame(sink, frameOf({ payloadVariant: { case: 'rebooted', value: true } }));
  }

  /** Power-cycles the radio: RAM state is lost, TCP clients are dropped, serial hosts see a boot banner. */
  reboot(): void {
    this.stats.reboots++;
    this.rebootCount++;
    this.booting = true;
    this.toPhone.length = 0;
    this.queueStatusToPhoneQueue.length = 0;
    this.txQueue.length = 0;
    this.timers.abort();
    this.timers = new AbortController();
    this.txBusy = false;
    this.log('rebooting');
    for (const api of [...this.apis]) {
      api.resetForReboot();
      if (api.sink.kind === 'tcp') api.sink.close();
    }
    this.later(this.o.bootDelayMs, () => {
      this.booting = false;
      for (const api of this.apis) if (api.sink.kind === 'serial') this.bootSerial(api.sink);
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
    this.stats.framesOut++;
    if (this.faults.garbageBeforeFrames > 0) sink.write(this.garbage(this.faults.garbageBeforeFrames));
    if (this.faults.splitWrites) for (const b of frame) sink.write(Uint8Array.of(b));
    else sink.write(frame);
  }

  /** Writes raw bytes to every connection (line noise, a stray log line). */
  injectRaw(bytes: Uint8Array): void {
    for (const api of this.apis) api.sink.write(bytes);
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

  // ---- what PhoneAPI reads -------------------------------------------------------------------------------------

  myNodeInfo(): Mesh.MyNodeInfo {
    return simMyNodeInfo(this.myNodeNum, this.rebootCount, this.mesh.nodes.size + 1);
  }

  ownNodeInfo(): Mesh.NodeInfo {
    return simOwnNodeInfo(this.myNodeNum, this.o.longName ?? 'Lattice Sim Radio', this.o.shortName ?? 'LSIM', this.publicKey);
  }

  otherNodeInfos(): Mesh.NodeInfo[] {
    return simOtherNodeInfos(this.mesh);
  }

  metadata(): Mesh.DeviceMetadata {
    return simMetadata(this.o.firmwareVersion ?? '2.7.26.54e0d8d');
  }

  channel(index: number): Channel.Channel {
    return this.channels[index]!;
  }

  config(tag: number): Config.Config {
    return simConfig(tag, { hopLimit: this.o.hopLimit, publicKey: this.publicKey });
  }

  moduleConfig(tag: number): ModuleConfig.ModuleConfig {
    return simModuleConfig(tag);
  }

  filesManifest(): Mesh.FileInfo[] {
    return simFilesManifest();
  }

  routerQueueStatus(): Mesh.QueueStatus {
    return create(Mesh.QueueStatusSchema, { res: 0, free: MAX_TX_QUEUE - this.txQueue.length, maxlen: MAX_TX_QUEUE, meshPacketId: 0 });
  }

  takeQueueStatusForPhone(): Mesh.QueueStatus | undefined {
    return this.queueStatusToPhoneQueue.shift();
  }

  takePacketForPhone(): Mesh.MeshPacket | undefined {
    return this.toPhone.shift();
  }

  // ---- MeshService / Router ------------------------------------------------------------------------------------

  /** MeshService::sendQueueStatusToPhone: keeps only the newest 2. */
  queueStatusToPhone(res: number, meshPacketId: number): void {
    const qs = this.routerQueueStatus();
    qs.res = res;
    qs.meshPacketId = meshPacketId >>> 0;
    if (this.queueStatusToPhoneQueue.length >= MAX_RX_QUEUESTATUS_TOPHONE) this.queueStatusToPhoneQueue.shift();
    this.queueStatusToPhoneQueue.push(qs);
    this.lastQueueStatusFree = qs.free;
    this.notify();
  }

  /** MeshService::sendToPhone: a full queue discards its oldest text, or drops a non-text packet. */
  sendToPhone(p: Mesh.MeshPacket): void {
    if (this.toPhone.length >= MAX_RX_TOPHONE) {
      const portnum = p.payloadVariant.case === 'decoded' ? p.payloadVariant.value.portnum : 0;
      if (portnum === Portnums.PortNum.TEXT_MESSAGE_APP || portnum === Portnums.PortNum.RANGE_TEST_APP) this.toPhone.shift();
      else return;
    }
    this.toPhone.push(p);
    this.notify();
  }

  /** RoutingModule::sendAckNak → Router::sendLocal: to us → the phone; otherwise it would go out on the mesh. */
  routingToPhoneOrMesh(err: Mesh.Routing_Error, to: number, requestId: number, channel: number, from = this.myNodeNum): void {
    if (to >>> 0 !== this.myNodeNum) {
      this.log(`NAK ${Mesh.Routing_Error[err]} for 0x${requestId.toString(16)} addressed to ${nodeIdString(to)}, not the client`);
      return;
    }
    this.sendToPhone(this.routingPacket(err, from, requestId, channel));
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

  /** MeshService::handleToRadio + sendToMesh + Router::sendLocal/send + RadioLibInterface::send. */
  handleToRadio(p: Mesh.MeshPacket): void {
    this.stats.packetsFromPhone++;
    p.from = 0;
    p.nextHop = 0;
    p.relayNode = 0;
    if (p.id === 0) p.id = this.generatePacketId();
    p.rxTime = Math.floor(Date.now() / 1000);
    const id = p.id >>> 0;
    const res = this.sendLocal(p);
    this.queueStatusToPhone(res, id);
  }

  private sendLocal(p: Mesh.MeshPacket): number {
    const to = p.to >>> 0;
    if (to === this.myNodeNum) {
      // Packets to ourselves go straight back to the phone.
      this.sendToPhone({ ...p, from: this.myNodeNum });
      return 0;
    }
    if (p.wantAck && p.hopLimit === 0) p.hopLimit = this.o.hopLimit;
    if (p.hopLimit > 7) p.hopLimit = 3; // firmware clamps bogus hop limits
    // Router::send → perhapsEncode
    const err = this.perhapsEncode(p);
    if (err !== Mesh.Routing_Error.NONE) {
      p.channel = 0;
      this.routingToPhoneOrMesh(err, this.myNodeNum, p.id >>> 0, 0);
      return err;
    }
    if (this.txQueue.length >= MAX_TX_QUEUE) {
      this.stats.queueFullRejects++;
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
    const ch = this.channels[p.channel];
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
      if (this.lastQueueStatusFree === 0 && this.txQueue.length < MAX_TX_QUEUE) this.queueStatusToPhone(0, 0);
      this.pumpTx();
    });
  }

  private transmitted(entry: TxEntry): void {
    const p = entry.packet;
    entry.attempts++;
    this.stats.transmitted++;
    if (p.payloadVariant.case !== 'decoded') return;
    const data = p.payloadVariant.value;
    const to = p.to >>> 0;
    const takers = this.mesh.transmit({ from: this.myNodeNum, to, channel: p.channel, id: p.id >>> 0, portnum: data.portnum, payload: data.payload, pki: p.pkiEncrypted });
    if (data.portnum === Portnums.PortNum.TEXT_MESSAGE_APP) {
      const where = to === NODENUM_BROADCAST ? `channel ${p.channel}` : nodeIdString(to);
      this.o.log?.(`air: text 0x${(p.id >>> 0).toString(16)} to ${where} (try ${entry.attempts}): ${JSON.stringify(new TextDecoder().decode(data.payload))}; heard by ${takers.map((n) => n.longName).join(', ') || 'nobody'}`);
    }
    const broadcast = to === NODENUM_BROADCAST;
    if (!p.wantAck) return;
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

  private echoReply(node: SimNode, payload: Uint8Array): void {
    const text = `echo: ${new TextDecoder().decode(payload)}`.slice(0, 200);
    this.later(this.o.ackDelayMs * 2, () => this.injectText({ from: node.num, to: this.myNodeNum, text }));
  }

  // ---- simulated traffic from the mesh -------------------------------------------------------------------------

  /** A text from a simulated node arrives over LoRa (decoded by the firmware before it reaches the phone). */
  injectText(m: { from: number; text: string; channel?: number; to?: number; id?: number }): Mesh.MeshPacket {
    return this.injectData({ ...m, portnum: Portnums.PortNum.TEXT_MESSAGE_APP, payload: new TextEncoder().encode(m.text) });
  }

  injectData(m: { from: number; portnum: number; payload: Uint8Array; channel?: number; to?: number; id?: number }): Mesh.MeshPacket {
    const to = (m.to ?? NODENUM_BROADCAST) >>> 0;
    const node = this.mesh.nodes.get(m.from >>> 0);
    if (node) node.lastHeard = Math.floor(Date.now() / 1000);
    const direct = to !== NODENUM_BROADCAST;
    const p = create(Mesh.MeshPacketSchema, {
      from: m.from >>> 0,
      to,
      channel: direct ? 0 : m.channel ?? 0,
      id: m.id ?? this.generatePacketId(),
      rxTime: Math.floor(Date.now() / 1000),
      rxSnr: node?.snr ?? 5,
      rxRssi: -80,
      hopLimit: 3,
      hopStart: 3,
      pkiEncrypted: direct,
      publicKey: direct && node?.publicKey ? node.publicKey : new Uint8Array(0),
      payloadVariant: { case: 'decoded', value: { portnum: m.portnum, payload: m.payload, bitfield: 1 } },
    });
    if (!this.booting) this.sendToPhone(p);
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

  broadcastOwnNodeInfo(): void {
    this.stats.transmitted++;
    this.log('Broadcasting nodeinfo ping');
  }

  private randomTraffic(): void {
    const online = [...this.mesh.nodes.values()].filter((n) => n.online);
    if (online.length === 0) return;
    const n = online[Math.floor(this.random() * online.length)]!;
    const phrases = ['anyone copy?', 'testing 1 2 3', 'good signal here', 'heading home', 'weather is clearing up'];
    this.injectText({ from: n.num, channel: n.channels[0] ?? 0, text: phrases[Math.floor(this.random() * phrases.length)]! });
  }

  // ---- plumbing ---------------------------------------------------------------------------------------------------

  private notify(): void {
    // fromNumChanged → every connected API drains (StreamAPI polls; BLE notifies).
    queueMicrotask(() => {
      for (const api of this.apis) if (api.isSendingPackets) api.drain();
    });
  }

  private later(ms: number, fn: () => void): void {
    this.clock.sleep(ms, { signal: this.timers.signal }).then(fn, () => undefined);
  }
}

function clock(): string {
  return new Date().toISOString().slice(11, 19);
}

function frameOf(init: Parameters<typeof create<typeof Mesh.FromRadioSchema>>[1]): Uint8Array {
  return encodeStreamFrame(toBinary(Mesh.FromRadioSchema, create(Mesh.FromRadioSchema, init)));
}
