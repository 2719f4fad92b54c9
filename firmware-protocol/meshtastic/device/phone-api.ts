/**
 * One client connection's side of the API: the firmware's PhoneAPI state machine (src/mesh/PhoneAPI.cpp, v2.7.26)
 * with its own FromRadio queues. Several can be attached to one DeviceService at once (TCP clients, a serial host):
 * each has its own handshake, rate limits, recent-id memory and queues; the service puts mesh packets into every
 * connected client's queue and answers into the requester's. Each frame the transport reassembles goes to
 * `handleToRadio`; `drain()` writes every FromRadio available, like StreamAPI::writeStream after each input.
 */
import { clone, create, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import { encodeStreamFrame } from '../../framing/meshtastic-stream.js';
import { decodeToRadio, SPECIAL_NONCE_ONLY_CONFIG, SPECIAL_NONCE_ONLY_NODES } from '../messages.js';
import { NODENUM_BROADCAST, nodeIdString } from '../node-id.js';
import { configSection, moduleConfigSection } from './device-defaults.js';
import { ToPhoneQueue } from './to-phone-queue.js';
import type { DeviceService } from './device-service.js';

/** PhoneAPI.h states, in the order the firmware walks them (clients assume this order). */
export type PhoneApiState =
  | 'NOTHING' | 'MY_INFO' | 'UIDATA' | 'OWN_NODEINFO' | 'METADATA' | 'REGION_PRESETS' | 'CHANNELS' | 'CONFIG'
  | 'MODULECONFIG' | 'OTHER_NODEINFOS' | 'FILEMANIFEST' | 'COMPLETE_ID' | 'PACKETS';

/** admin.proto ConfigType DEVICEUI_CONFIG = 9 → Config tags 1..10; ModuleConfigType max 15 → tags 1..16. */
const CONFIG_LAST_TAG = 10;
const MODULECONFIG_LAST_TAG = 16;
const MAX_NUM_CHANNELS = 8;
const TWO_SECONDS_MS = 2000;
const TEN_SECONDS_MS = 10_000;
const THIRTY_SECONDS_MS = 30_000;
/** MeshService toPhoneQueueStatusQueue: MAX_RX_QUEUESTATUS_TOPHONE */
const MAX_RX_QUEUESTATUS_TOPHONE = 2;
/** clientNotificationPool holds a handful; a client that never reads loses the oldest. */
const MAX_NOTIFICATIONS = 4;
/** PhoneAPI::recentToRadioPacketIds[20] */
const RECENT_IDS = 20;

/** Where a client's frames go: a TCP socket, a serial port, an in-memory link. */
export interface ClientSink {
  readonly kind: 'serial' | 'tcp' | 'http';
  /** For logs and errors (`tcp 127.0.0.1:50312`). */
  readonly name?: string;
  /** One framed FromRadio (`94 C3 len payload`). */
  write(frame: Uint8Array): void;
  /** The link is gone (a reboot, a lost link): no FIN on TCP. */
  close(): void;
  /** The node closes the connection on purpose (TCP: WiFiClient::stop(), a clean close); default close(). */
  end?(): void;
  /** False while the transport is backed up: drain() stops and the bounded queues take the pressure. */
  writable?(): boolean;
}

export class PhoneApi {
  state: PhoneApiState = 'NOTHING';
  /** The client's packets waiting to be read (bounded, firmware eviction). */
  readonly toPhone: ToPhoneQueue;
  private readonly queueStatus: Mesh.QueueStatus[] = [];
  private readonly notifications: Mesh.ClientNotification[] = [];
  private configNonce = 0;
  private configState = 0;
  private others: Mesh.NodeInfo[] = [];
  private nodeIndex = 0;
  private heartbeatReceived = false;
  private readonly lastPortNumToRadio = new Map<number, number>();
  private readonly recentToRadioPacketIds: number[] = [];
  closed = false;
  /** SerialConsole: the first valid frame switches the console from text log to protobufs. */
  usingProtobufs = false;
  /** PhoneAPI::lastContactMsec (on the service's clock). */
  lastContact: number;
  /** Per-client counts (also summed by the service). */
  readonly stats = { framesOut: 0, packetsIn: 0, malformed: 0, rateLimited: 0, duplicatesIgnored: 0 };

  constructor(private readonly service: DeviceService, readonly sink: ClientSink, queueCapacity?: number) {
    this.lastContact = service.now();
    this.toPhone = new ToPhoneQueue(queueCapacity);
  }

  get name(): string {
    return this.sink.name ?? this.sink.kind;
  }

  /** Connected as PhoneAPI::isConnected means it: a want_config started the session and no close() since. */
  get isConnected(): boolean {
    return this.state !== 'NOTHING';
  }

  get isSendingPackets(): boolean {
    return this.state === 'PACKETS';
  }

  get inHandshake(): boolean {
    return this.state !== 'PACKETS' && this.state !== 'NOTHING';
  }

  /** PhoneAPI::close(): forget the session (ToRadio.disconnect, a dropped link, a timeout, a reboot). */
  close(): void {
    if (this.state !== 'NOTHING') this.service.clientDisconnected(this);
    this.state = 'NOTHING';
    this.lastPortNumToRadio.clear();
    this.configNonce = 0;
    this.configState = 0;
    this.heartbeatReceived = false;
    this.others = [];
    this.toPhone.clear();
    this.queueStatus.length = 0;
    this.notifications.length = 0;
  }

  /** A device reboot: RAM is gone, including the recent-id memory. */
  resetForReboot(): void {
    this.close();
    this.recentToRadioPacketIds.length = 0;
  }

  // ---- what the service puts in ---------------------------------------------------------------------------------

  enqueuePacket(p: Mesh.MeshPacket): void {
    this.toPhone.push(p);
  }

  /** MeshService::sendQueueStatusToPhone: only the newest two are kept. */
  enqueueQueueStatus(qs: Mesh.QueueStatus): void {
    if (this.queueStatus.length >= MAX_RX_QUEUESTATUS_TOPHONE) this.queueStatus.shift();
    this.queueStatus.push(qs);
  }

  /** PhoneAPI::sendNotification */
  notify(replyId: number, message: string): void {
    if (this.notifications.length >= MAX_NOTIFICATIONS) this.notifications.shift();
    this.notifications.push(create(Mesh.ClientNotificationSchema, {
      replyId, level: Mesh.LogRecord_Level.WARNING, time: Math.floor(Date.now() / 1000), message,
    }));
  }

  // ---- ToRadio ----------------------------------------------------------------------------------------------------

  /** PhoneAPI::handleToRadio for one reassembled frame payload. */
  handleToRadio(buf: Uint8Array): void {
    this.lastContact = this.service.now();
    this.usingProtobufs = true;
    let msg: Mesh.ToRadio;
    try {
      msg = decodeToRadio(buf);
    } catch {
      this.stats.malformed++;
      this.service.noteMalformed(this);
      return;
    }
    const v = msg.payloadVariant;
    switch (v.case) {
      case 'packet':
        this.handleToRadioPacket(v.value);
        break;
      case 'wantConfigId':
        this.configNonce = v.value >>> 0;
        this.service.log(`${this.name}: client wants config, nonce=${this.configNonce}`);
        this.handleStartConfig();
        break;
      case 'disconnect':
        this.service.log(`${this.name}: disconnect from phone`);
        this.close();
        break;
      case 'heartbeat':
        // nonce 1: "nodeinfo ping", broadcast our NodeInfo now; any other nonce: a keepalive answered by QueueStatus.
        if (v.value.nonce === 1) this.service.broadcastOwnNodeInfo();
        else this.heartbeatReceived = true;
        break;
      default:
        break; // xmodem, MQTT client proxy: not offered by this node; the firmware ignores unknown variants too
    }
  }

  private handleStartConfig(): void {
    if (this.state === 'NOTHING') this.service.clientConnected(this);
    this.state = this.configNonce === SPECIAL_NONCE_ONLY_NODES ? 'OWN_NODEINFO' : 'MY_INFO';
    this.configState = 0;
    this.nodeIndex = 0;
    this.service.handshakeStarting();
    this.others = this.service.state.nodeDb.others();
  }

  /** PhoneAPI::wasSeenRecently: the last 20 packet ids from this client. */
  private wasSeenRecently(id: number): boolean {
    if (this.recentToRadioPacketIds.includes(id)) return true;
    this.recentToRadioPacketIds.push(id);
    if (this.recentToRadioPacketIds.length > RECENT_IDS) this.recentToRadioPacketIds.shift();
    return false;
  }

  /** PhoneAPI::handleToRadioPacket: duplicate ids and the per-port rate limits, then MeshService::handleToRadio. */
  private handleToRadioPacket(p: Mesh.MeshPacket): void {
    this.stats.packetsIn++;
    if (p.id > 0 && this.wasSeenRecently(p.id >>> 0)) {
      this.stats.duplicatesIgnored++;
      this.service.noteDuplicate(this);
      return;
    }
    const portnum = p.payloadVariant.case === 'decoded' ? p.payloadVariant.value.portnum : 0;
    const last = this.lastPortNumToRadio.get(portnum);
    const now = this.service.now();
    const within = (ms: number) => last !== undefined && now - last < ms;
    const P = Portnums.PortNum;
    const refuse = () => {
      this.stats.rateLimited++;
      this.service.noteRateLimited(this, portnum);
      this.enqueueQueueStatus(this.service.queueStatusFor(0, p.id));
    };
    if (portnum === P.TRACEROUTE_APP && within(THIRTY_SECONDS_MS)) {
      this.notify(p.id >>> 0, 'TraceRoute can only be sent once every 30 seconds');
      return refuse();
    }
    if (portnum === P.TRACEROUTE_APP && p.to >>> 0 === NODENUM_BROADCAST && p.hopLimit > 0) {
      this.notify(p.id >>> 0, 'Multi-hop traceroute to broadcast address is not allowed');
      return refuse();
    }
    if ([P.POSITION_APP, P.WAYPOINT_APP, P.ALERT_APP, P.TELEMETRY_APP].includes(portnum) && within(TEN_SECONDS_MS)) return refuse();
    if (portnum === P.TEXT_MESSAGE_APP && within(TWO_SECONDS_MS)) {
      refuse();
      // MeshService::sendRoutingErrorResponse → sendAckNak(err, mp->from, …): to whatever `from` the client set.
      this.service.routingErrorToClient(this, Mesh.Routing_Error.RATE_LIMIT_EXCEEDED, p);
      return;
    }
    if (portnum === P.TRACEROUTE_APP && p.to >>> 0 !== NODENUM_BROADCAST) p.wantAck = true;
    this.lastPortNumToRadio.set(portnum, now);
    this.service.handleToRadio(this, p);
  }

  // ---- FromRadio --------------------------------------------------------------------------------------------------

  /** StreamAPI::writeStream: every FromRadio available now, framed, while the transport takes them. */
  drain(): void {
    while (!this.closed && this.sink.writable?.() !== false) {
      const fr = this.getFromRadio();
      if (!fr) return;
      this.stats.framesOut++;
      this.service.beforeWrite(this, fr);
      if (this.closed) return;
      this.sink.write(encodeStreamFrame(fr));
      this.service.afterWrite(this);
    }
  }

  /** PhoneAPI::getFromRadio: one FromRadio, or undefined when there is nothing to send. */
  getFromRadio(): Uint8Array | undefined {
    const s = this.service.state;
    if (this.heartbeatReceived) {
      this.heartbeatReceived = false;
      return enc({ payloadVariant: { case: 'queueStatus', value: this.service.queueStatusFor(0, 0) } });
    }
    switch (this.state) {
      case 'NOTHING':
        return undefined;
      case 'MY_INFO':
        this.state = 'UIDATA';
        return enc({ payloadVariant: { case: 'myInfo', value: s.myNodeInfo() } });
      case 'UIDATA':
        this.state = 'OWN_NODEINFO';
        return enc({ payloadVariant: { case: 'deviceuiConfig', value: (s.hardware.uiConfig ?? {}) as never } });
      case 'OWN_NODEINFO': {
        this.state = this.configNonce === SPECIAL_NONCE_ONLY_NODES ? 'OTHER_NODEINFOS' : 'METADATA';
        // Our User as it runs (the role a power policy gives it), as the mesh hears it in our NodeInfo.
        const own = s.ownNodeInfo(Math.floor(Date.now() / 1000));
        own.user = clone(Mesh.UserSchema, this.service.clientOwner());
        return enc({ payloadVariant: { case: 'nodeInfo', value: own } });
      }
      case 'METADATA':
        this.state = this.service.sendsRegionPresets ? 'REGION_PRESETS' : 'CHANNELS';
        this.configState = 0;
        return enc({ payloadVariant: { case: 'metadata', value: s.metadata() } });
      case 'REGION_PRESETS':
        // 2.8-dev only (STATE_SEND_REGION_PRESETS): FromRadio field 19, unknown to the 2.7 schemas, written raw
        // (tag 19/LEN and a small body); a 2.7 client must skip it whatever it holds. The simulator's option.
        this.state = 'CHANNELS';
        return Uint8Array.of(0x9a, 0x01, 0x04, 0x0a, 0x02, 0x08, 0x03);
      case 'CHANNELS': {
        const ch = s.channel(this.configState++);
        if (this.configState >= MAX_NUM_CHANNELS) {
          this.state = 'CONFIG';
          this.configState = 1;
        }
        return enc({ payloadVariant: { case: 'channel', value: ch } });
      }
      case 'CONFIG': {
        const cfg = this.service.clientConfig(configSection(s.config, this.configState++));
        // PhoneAPI sends power with ls_secs = default_ls_secs whatever is stored.
        if (cfg.payloadVariant.case === 'power') cfg.payloadVariant.value.lsSecs = cfg.payloadVariant.value.lsSecs || 300;
        if (this.configState > CONFIG_LAST_TAG) {
          this.state = 'MODULECONFIG';
          this.configState = 1;
        }
        return enc({ payloadVariant: { case: 'config', value: cfg } });
      }
      case 'MODULECONFIG': {
        const mc = moduleConfigSection(s.moduleConfig, this.configState++);
        if (this.configState > MODULECONFIG_LAST_TAG) {
          this.state = this.configNonce === SPECIAL_NONCE_ONLY_CONFIG ? 'FILEMANIFEST' : 'OTHER_NODEINFOS';
          this.configState = 0;
        }
        return enc({ payloadVariant: { case: 'moduleConfig', value: mc } });
      }
      case 'OTHER_NODEINFOS': {
        const n = this.others[this.nodeIndex++];
        if (n) {
          if (n.user) n.user.id = nodeIdString(n.num);
          return enc({ payloadVariant: { case: 'nodeInfo', value: n } });
        }
        this.others = [];
        this.state = 'FILEMANIFEST';
        return this.getFromRadio();
      }
      case 'FILEMANIFEST': {
        const files = this.service.filesManifest;
        if (this.configState >= files.length || this.configNonce === SPECIAL_NONCE_ONLY_NODES) {
          this.configState = 0;
          return this.configComplete();
        }
        return enc({ payloadVariant: { case: 'fileInfo', value: files[this.configState++]! } });
      }
      case 'COMPLETE_ID':
        return this.configComplete();
      case 'PACKETS': {
        const qs = this.queueStatus.shift();
        if (qs) return enc({ payloadVariant: { case: 'queueStatus', value: qs } });
        const cn = this.notifications.shift();
        if (cn) return enc({ payloadVariant: { case: 'clientNotification', value: cn } });
        const pkt = this.toPhone.shift();
        if (pkt) return enc({ payloadVariant: { case: 'packet', value: pkt } });
        return undefined;
      }
    }
  }

  private configComplete(): Uint8Array {
    const nonce = this.configNonce;
    this.configNonce = 0;
    this.state = 'PACKETS';
    this.service.log(`${this.name}: config send complete`);
    return enc({ payloadVariant: { case: 'configCompleteId', value: nonce } });
  }
}

function enc(init: Parameters<typeof create<typeof Mesh.FromRadioSchema>>[1]): Uint8Array {
  return toBinary(Mesh.FromRadioSchema, create(Mesh.FromRadioSchema, init));
}
