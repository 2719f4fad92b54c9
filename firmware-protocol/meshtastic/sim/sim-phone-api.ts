/**
 * One client API connection of the simulated radio: the firmware's PhoneAPI state machine (src/mesh/PhoneAPI.cpp,
 * v2.7.26) behind its StreamAPI framer. Serial has one for the device's lifetime; TCP gets a fresh one per client
 * (ServerAPI). Each getFromRadio() returns one FromRadio, and like StreamAPI::writeStream the connection drains
 * everything available after every input.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import { MeshtasticStreamDecoder, encodeStreamFrame } from '../../framing/meshtastic-stream.js';
import { decodeToRadio, SPECIAL_NONCE_ONLY_CONFIG, SPECIAL_NONCE_ONLY_NODES } from '../messages.js';
import type { SimDevice } from './sim-device.js';

/** PhoneAPI.h state order as the firmware advances it (handleStartConfig → STATE_SEND_MY_INFO). */
type State =
  | 'NOTHING'
  | 'MY_INFO'
  | 'UIDATA'
  | 'OWN_NODEINFO'
  | 'METADATA'
  | 'REGION_PRESETS'
  | 'CHANNELS'
  | 'CONFIG'
  | 'MODULECONFIG'
  | 'OTHER_NODEINFOS'
  | 'FILEMANIFEST'
  | 'COMPLETE_ID'
  | 'PACKETS';

/** admin.proto ConfigType DEVICEUI_CONFIG = 9 → Config tags 1..10; ModuleConfigType TAK_CONFIG = 15 → 1..16. */
const CONFIG_LAST_TAG = 10;
const MODULECONFIG_LAST_TAG = 16;
const TWO_SECONDS_MS = 2000;
const TEN_SECONDS_MS = 10_000;
const THIRTY_SECONDS_MS = 30_000;

export interface SimSink {
  readonly kind: 'serial' | 'tcp';
  write(bytes: Uint8Array): void;
  /** Drops the connection as a reboot or a lost link does (TCP: a reset, no FIN; on a PTY: the cable is pulled). */
  close(): void;
  /** The firmware closes the connection on purpose (TCP: WiFiClient::stop(), a clean close); default close(). */
  end?(): void;
}

export class SimPhoneApi {
  state: State = 'NOTHING';
  private readonly decoder = new MeshtasticStreamDecoder({ firmwareExact: true });
  private configNonce = 0;
  private configState = 0;
  private nodeIndex = 0;
  private heartbeatReceived = false;
  private readonly lastPortNumToRadio = new Map<number, number>();
  private readonly recentToRadioPacketIds: number[] = [];
  /** Frames written during the current handshake (for the disconnect-mid-handshake fault). */
  private handshakeFrames = 0;
  closed = false;
  /** SerialConsole::handleToRadio sets usingProtobufs on the first valid frame; until then the console prints its
   * debug log as text (afterwards only as LogRecord frames, when debug_log_api_enabled). */
  usingProtobufs = false;
  /** PhoneAPI::lastContactMsec: the last ToRadio from the client. */
  lastContact: number;

  constructor(private readonly device: SimDevice, readonly sink: SimSink) {
    this.lastContact = device.now();
  }

  get isSendingPackets(): boolean {
    return this.state === 'PACKETS';
  }

  receive(bytes: Uint8Array): void {
    for (const e of this.decoder.push(bytes)) {
      if (e.type === 'frame') this.handleToRadio(e.payload);
    }
    this.drain();
  }

  /** PhoneAPI::close(): forget the session (ToRadio.disconnect, TCP drop, reboot). */
  close(): void {
    this.state = 'NOTHING';
    this.lastPortNumToRadio.clear();
    this.configNonce = 0;
    this.configState = 0;
    this.heartbeatReceived = false;
  }

  /** Device reboot: RAM is gone, including the framer's half frame and the recent-id memory. */
  resetForReboot(): void {
    this.close();
    this.decoder.reset();
    this.recentToRadioPacketIds.length = 0;
  }

  /** StreamAPI::writeStream: send every FromRadio available now. */
  drain(): void {
    if (this.closed) return;
    for (;;) {
      const fr = this.getFromRadio();
      if (!fr) return;
      this.device.writeFrame(this.sink, encodeStreamFrame(fr));
      if (this.state !== 'PACKETS' && this.state !== 'NOTHING') {
        this.handshakeFrames++;
        const cut = this.device.faults.disconnectAfterHandshakeFrames;
        if (cut !== undefined && this.handshakeFrames >= cut) {
          this.device.faults.disconnectAfterHandshakeFrames = undefined; // one-shot
          this.device.log(`fault: dropping the ${this.sink.kind} link after ${this.handshakeFrames} handshake frames`);
          this.sink.close();
          return;
        }
      }
      if (this.closed) return;
    }
  }

  private handleToRadio(buf: Uint8Array): void {
    this.lastContact = this.device.now();
    this.usingProtobufs = true;
    let msg: Mesh.ToRadio;
    try {
      msg = decodeToRadio(buf);
    } catch {
      this.device.log('Error: ignore malformed toradio');
      return;
    }
    const v = msg.payloadVariant;
    switch (v.case) {
      case 'packet':
        this.handleToRadioPacket(v.value);
        break;
      case 'wantConfigId':
        this.configNonce = v.value >>> 0;
        this.device.log(`Client wants config, nonce=${this.configNonce}`);
        this.handleStartConfig();
        break;
      case 'disconnect':
        this.device.log('Disconnect from phone');
        this.close();
        break;
      case 'heartbeat':
        if (v.value.nonce === 1) this.device.broadcastOwnNodeInfo();
        else this.heartbeatReceived = true;
        break;
      default:
        break; // xmodem, mqtt proxy: not simulated; the firmware ignores unknown variants too
    }
  }

  private handleStartConfig(): void {
    this.state = this.configNonce === SPECIAL_NONCE_ONLY_NODES ? 'OWN_NODEINFO' : 'MY_INFO';
    this.nodeIndex = 0;
    this.configState = 0;
    this.handshakeFrames = 0;
  }

  /** PhoneAPI::wasSeenRecently: the last 20 packet ids from the client. */
  private wasSeenRecently(id: number): boolean {
    if (this.recentToRadioPacketIds.includes(id)) return true;
    this.recentToRadioPacketIds.push(id);
    if (this.recentToRadioPacketIds.length > 20) this.recentToRadioPacketIds.shift();
    return false;
  }

  private handleToRadioPacket(p: Mesh.MeshPacket): void {
    if (p.id > 0 && this.wasSeenRecently(p.id >>> 0)) {
      this.device.log('Ignore packet from phone, already seen recently');
      this.device.stats.duplicatesIgnored++;
      return;
    }
    const portnum = p.payloadVariant.case === 'decoded' ? p.payloadVariant.value.portnum : 0;
    const last = this.lastPortNumToRadio.get(portnum);
    const now = this.device.now();
    const within = (ms: number) => last !== undefined && now - last < ms;
    const P = Portnums.PortNum;
    if (portnum === P.TRACEROUTE_APP && within(THIRTY_SECONDS_MS)) {
      this.device.queueStatusToPhone(0, p.id);
      return;
    }
    if ([P.POSITION_APP, P.WAYPOINT_APP, P.ALERT_APP, P.TELEMETRY_APP].includes(portnum) && within(TEN_SECONDS_MS)) {
      this.device.queueStatusToPhone(0, p.id);
      return;
    }
    if (portnum === P.TEXT_MESSAGE_APP && within(TWO_SECONDS_MS)) {
      this.device.log(`Rate limit portnum ${portnum}`);
      this.device.stats.rateLimited++;
      this.device.queueStatusToPhone(0, p.id);
      // sendRoutingErrorResponse → sendAckNak(err, mp->from, …): addressed to whatever `from` the client set.
      this.device.routingToPhoneOrMesh(Mesh.Routing_Error.RATE_LIMIT_EXCEEDED, p.from >>> 0, p.id >>> 0, p.channel);
      return;
    }
    this.lastPortNumToRadio.set(portnum, now);
    this.device.handleToRadio(p);
  }

  private getFromRadio(): Uint8Array | undefined {
    const d = this.device;
    if (this.heartbeatReceived) {
      this.heartbeatReceived = false;
      return enc({ payloadVariant: { case: 'queueStatus', value: d.routerQueueStatus() } });
    }
    switch (this.state) {
      case 'NOTHING':
        return undefined;
      case 'MY_INFO':
        this.state = 'UIDATA';
        return enc({ payloadVariant: { case: 'myInfo', value: d.myNodeInfo() } });
      case 'UIDATA':
        this.state = 'OWN_NODEINFO';
        return enc({ payloadVariant: { case: 'deviceuiConfig', value: { version: 1, screenBrightness: 153 } } });
      case 'OWN_NODEINFO': {
        const own = d.ownNodeInfo();
        this.state = this.configNonce === SPECIAL_NONCE_ONLY_NODES ? 'OTHER_NODEINFOS' : 'METADATA';
        return enc({ payloadVariant: { case: 'nodeInfo', value: own } });
      }
      case 'METADATA':
        this.state = d.sendsRegionPresets ? 'REGION_PRESETS' : 'CHANNELS';
        this.configState = 0;
        return enc({ payloadVariant: { case: 'metadata', value: d.metadata() } });
      case 'REGION_PRESETS':
        // 2.8-dev only (PhoneAPI STATE_SEND_REGION_PRESETS): FromRadio field 19, unknown to the 2.7 schemas, so it
        // is written as raw protobuf: tag 19/LEN and a small placeholder body (its real schema is not in 2.7.18;
        // a 2.7 client must skip the field whatever it holds).
        this.state = 'CHANNELS';
        return Uint8Array.of(0x9a, 0x01, 0x04, 0x0a, 0x02, 0x08, 0x03);
      case 'CHANNELS': {
        const ch = d.channel(this.configState);
        this.configState++;
        if (this.configState >= 8) {
          this.state = 'CONFIG';
          this.configState = 1;
        }
        return enc({ payloadVariant: { case: 'channel', value: ch } });
      }
      case 'CONFIG': {
        const cfg = d.config(this.configState);
        this.configState++;
        if (this.configState > CONFIG_LAST_TAG) {
          this.state = 'MODULECONFIG';
          this.configState = 1;
        }
        return enc({ payloadVariant: { case: 'config', value: cfg } });
      }
      case 'MODULECONFIG': {
        const mc = d.moduleConfig(this.configState);
        this.configState++;
        if (this.configState > MODULECONFIG_LAST_TAG) {
          this.state = this.configNonce === SPECIAL_NONCE_ONLY_CONFIG ? 'FILEMANIFEST' : 'OTHER_NODEINFOS';
          this.configState = 0;
        }
        return enc({ payloadVariant: { case: 'moduleConfig', value: mc } });
      }
      case 'OTHER_NODEINFOS': {
        const others = d.otherNodeInfos();
        if (this.nodeIndex < others.length) {
          return enc({ payloadVariant: { case: 'nodeInfo', value: others[this.nodeIndex++]! } });
        }
        this.state = 'FILEMANIFEST';
        return this.getFromRadio();
      }
      case 'FILEMANIFEST': {
        const files = d.filesManifest();
        if (this.configState === files.length || this.configNonce === SPECIAL_NONCE_ONLY_NODES) {
          this.configState = 0;
          return this.configComplete();
        }
        return enc({ payloadVariant: { case: 'fileInfo', value: files[this.configState++]! } });
      }
      case 'COMPLETE_ID':
        return this.configComplete();
      case 'PACKETS': {
        const qs = d.takeQueueStatusForPhone();
        if (qs) return enc({ payloadVariant: { case: 'queueStatus', value: qs } });
        const pkt = d.takePacketForPhone();
        if (pkt) return enc({ payloadVariant: { case: 'packet', value: pkt } });
        return undefined;
      }
    }
  }

  private configComplete(): Uint8Array {
    const nonce = this.configNonce;
    this.configNonce = 0;
    this.state = 'PACKETS';
    this.device.log('Config Send Complete');
    return enc({ payloadVariant: { case: 'configCompleteId', value: nonce } });
  }
}

function enc(init: Parameters<typeof create<typeof Mesh.FromRadioSchema>>[1]): Uint8Array {
  return toBinary(Mesh.FromRadioSchema, create(Mesh.FromRadioSchema, init));
}
