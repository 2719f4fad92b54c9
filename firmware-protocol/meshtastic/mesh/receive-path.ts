/**
 * The receive path (firmware RadioLibInterface::handleReceiveInterrupt → Router::enqueueReceivedMessage →
 * perhapsHandleReceived → handleReceived → MeshModule::callModules → RoutingModule → MeshService::handleFromRadio):
 * frame → header → ignore rules → shouldFilterReceived (receive-filter.ts) → perhapsDecode → modules → routing step
 * (sniff-received.ts) → delivery to the clients → the modules' reply or a NO_RESPONSE NAK.
 */
import { clone } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import { NODENUM_BROADCAST, NO_NEXT_HOP_PREFERENCE, getHopsAway, isBroadcast } from './hops.js';
import type { MeshRadioFrame } from './mesh-radio.js';
import { setReplyTo, hopLimitForResponse } from './routing-replies.js';
import { LORA, MQTT, packetTimeMs, type RouterCore, type RxSource } from './router-core.js';
import { sniffReceived } from './sniff-received.js';

const PortNum = Portnums.PortNum;
const RoutingError = Mesh.Routing_Error;

/** Router.cpp handleReceived: the ports a CORE_PORTNUMS_ONLY node still handles and relays. */
const CORE_PORTNUMS = new Set<number>([
  PortNum.TEXT_MESSAGE_APP, PortNum.TEXT_MESSAGE_COMPRESSED_APP, PortNum.POSITION_APP, PortNum.NODEINFO_APP, PortNum.ROUTING_APP,
  PortNum.TELEMETRY_APP, PortNum.ADMIN_APP, PortNum.ALERT_APP, PortNum.KEY_VERIFICATION_APP, PortNum.WAYPOINT_APP,
  PortNum.STORE_FORWARD_APP, PortNum.TRACEROUTE_APP, PortNum.STORE_FORWARD_PLUSPLUS_APP,
]);

/** A node heard directly (hop_start == hop_limit on its last packet). */
export interface Neighbour {
  num: number;
  lastHeardAt: number;
  snrDb: number;
  rssiDbm: number;
}

export class ReceivePath {
  readonly neighbourTable = new Map<number, Neighbour>();
  private readonly phoneListeners = new Set<(p: Mesh.MeshPacket) => void>();

  constructor(private readonly c: RouterCore) {}

  onToPhone(listener: (packet: Mesh.MeshPacket) => void): () => void {
    this.phoneListeners.add(listener);
    return () => this.phoneListeners.delete(listener);
  }

  /** RadioLibInterface::handleReceiveInterrupt → Router::enqueueReceivedMessage → perhapsHandleReceived. */
  onFrame(f: MeshRadioFrame): void {
    const c = this.c;
    c.metrics.inc('heard');
    const rxMs = packetTimeMs(c, f.bytes.length);
    c.airtime.logRx(rxMs);
    c.scheduler.frameHeard();
    let p: Mesh.MeshPacket;
    try {
      p = c.o.decodeFrame(f.bytes);
    } catch {
      c.stats.rxBad++;
      c.metrics.dropped('bad-frame');
      return;
    }
    c.stats.rx++;
    if (p.from === 0) {
      c.metrics.dropped('no-sender');
      return;
    }
    if (p.hopStart === 0) {
      p.nextHop = NO_NEXT_HOP_PREFERENCE; // "If hop_start is not set, next_hop and relay_node are invalid (firmware <2.3)"
      p.relayNode = 0;
    }
    p.rxSnr = f.snrDb;
    p.rxRssi = Math.round(f.rssiDbm);
    p.rxTime = c.unixSeconds();
    p.transportMechanism = LORA;
    if (p.hopStart !== 0 && p.hopStart === p.hopLimit) {
      this.neighbourTable.set(p.from, { num: p.from, lastHeardAt: c.o.clock.now(), snrDb: f.snrDb, rssiDbm: f.rssiDbm });
    }
    this.perhapsHandleReceived(p, rxMs);
  }

  /** MQTT.cpp onReceiveProto → Router::enqueueReceivedMessage → perhapsHandleReceived: a packet from a broker,
   * handled as if heard (no airtime: it was not on our air). */
  injectReceived(p: Mesh.MeshPacket): void {
    const c = this.c;
    c.metrics.inc('heard');
    if (p.from === 0) {
      c.metrics.dropped('no-sender');
      return;
    }
    p.viaMqtt = true; // "Mark that the packet was received via MQTT"
    p.transportMechanism = MQTT;
    p.pkiEncrypted = false; // "Only local AES-CCM decryption may establish PKI authentication."
    p.rxTime = c.unixSeconds();
    this.perhapsHandleReceived(p, 0);
  }

  /** Router::perhapsHandleReceived. */
  private perhapsHandleReceived(p: Mesh.MeshPacket, rxMs: number): void {
    if (p.from === NODENUM_BROADCAST) {
      this.c.metrics.dropped('from-broadcast');
      return;
    }
    if (this.c.filter.shouldFilterReceived(p, rxMs)) return;
    this.handleReceived(p, 'radio');
  }

  /** Router::handleReceived (+ MeshModule::callModules and RoutingModule). */
  handleReceived(p: Mesh.MeshPacket, src: RxSource): void {
    const c = this.c;
    // "Store a copy of the encrypted packet for MQTT" (before perhapsDecode changes it in place)
    const encrypted = c.tap.active ? clone(Mesh.MeshPacketSchema, p) : undefined;
    // perhapsDecode
    let decoded = p.payloadVariant.case === 'decoded';
    if (!decoded && c.rebroadcastMode === 'KNOWN_ONLY' && !c.o.directory.get(p.from)?.user) {
      c.metrics.dropped('rebroadcast-mode');
    } else if (!decoded) {
      const r = c.o.cipher.decrypt(p);
      if (r.ok) {
        const d = r.packet;
        if (d.payloadVariant.case === 'decoded' && d.payloadVariant.value.bitfield !== undefined) {
          d.payloadVariant.value.wantResponse ||= (d.payloadVariant.value.bitfield & 2) !== 0;
        }
        Object.assign(p, { channel: d.channel, payloadVariant: d.payloadVariant, pkiEncrypted: d.pkiEncrypted, publicKey: d.publicKey });
        decoded = true;
      } else {
        c.metrics.dropped(`decode-${r.reason}`);
      }
    }
    if (decoded && p.payloadVariant.case === 'decoded') {
      const port = p.payloadVariant.value.portnum;
      // "Neighbor info module is disabled, ignore expensive neighbor info packets"
      if (port === PortNum.NEIGHBORINFO_APP) {
        c.radio.cancelSending(p.from, p.id);
        c.metrics.dropped('disabled-portnum');
        return;
      }
      if (c.rebroadcastMode === 'CORE_PORTNUMS_ONLY' && !CORE_PORTNUMS.has(port)) {
        c.radio.cancelSending(p.from, p.id);
        c.metrics.dropped('rebroadcast-mode');
        return;
      }
    }
    this.callModules(p, src, decoded);
    // "publish received message to MQTT if we're not the original transmitter of the packet" (the gateway decides)
    if (encrypted && p.from !== c.nodeNum) c.tap.emit({ encrypted, decoded: clone(Mesh.MeshPacketSchema, p), ok: decoded, source: 'received' });
  }

  /** MeshModule::callModules, with RoutingModule (always last) as routingStep. */
  private callModules(p: Mesh.MeshPacket, src: RxSource, decoded: boolean): void {
    const c = this.c;
    const toUs = isBroadcast(p.to) || p.to === c.nodeNum;
    const data = p.payloadVariant.case === 'decoded' ? p.payloadVariant.value : undefined;
    let reply: Mesh.MeshPacket | undefined;
    let ignoreRequest = false;
    if (decoded && data && src !== 'local') {
      for (const m of c.modules) {
        if (!(m.wantPacket ? m.wantPacket(p) : m.portnum === data.portnum) || !(m.promiscuous || toUs)) continue;
        if (m.handle?.(p) === 'stop') return;
        if (data.wantResponse && toUs && (p.from !== c.nodeNum || p.to === c.nodeNum) && !reply && m.reply) {
          const r = m.reply(p);
          if (r === 'ignore') ignoreRequest = true;
          else if (r) {
            setReplyTo(r, p, c.nodeNum, c.hopLimit);
            reply = r;
          }
        }
      }
    }
    this.routingStep(p, decoded, reply !== undefined);
    if (decoded && data?.wantResponse && toUs && src !== 'local') {
      if (reply) {
        c.metrics.inc('module-reply');
        c.local.sendFromModule(reply);
      } else if (p.from !== c.nodeNum && !ignoreRequest) {
        // "No one responded, send a nak"
        c.local.sendAckNak(RoutingError.NO_RESPONSE, p.from, p.id, p.channel, hopLimitForResponse(p, c.hopLimit));
      }
    }
  }

  /** RoutingModule::handleReceivedProtobuf: sniffReceived, then delivery to the clients. */
  private routingStep(p: Mesh.MeshPacket, decoded: boolean, moduleReplied: boolean): void {
    const c = this.c;
    if (!decoded && (c.rebroadcastMode === 'LOCAL_ONLY' || c.rebroadcastMode === 'KNOWN_ONLY')) {
      const maybePki = p.channel === 0 && !isBroadcast(p.to);
      const known = (n: number) => c.o.directory.get(n)?.user !== undefined;
      if (!maybePki || (!known(p.from) && !known(p.to))) {
        c.metrics.dropped('rebroadcast-mode');
        return;
      }
    }
    sniffReceived(c, p, moduleReplied);
    if ((isBroadcast(p.to) || p.to === c.nodeNum) && p.from !== 0 && decoded) this.handleFromRadio(p);
  }

  /** MeshService::handleFromRadio: node DB, NodeInfo to a node we have no User of, and the clients. */
  private handleFromRadio(p: Mesh.MeshPacket): void {
    const c = this.c;
    c.o.directory.heardFrom(p);
    c.online.heard(p);
    const data = p.payloadVariant.case === 'decoded' ? p.payloadVariant.value : undefined;
    const preferredRebroadcaster = c.role === 'ROUTER' || c.role === 'ROUTER_LATE';
    const isTelemetryResponse = data?.portnum === PortNum.TELEMETRY_APP && data.requestId > 0;
    if (data && !isTelemetryResponse && p.from !== c.nodeNum && !c.o.directory.get(p.from)?.user && !preferredRebroadcaster) {
      if (c.airtime.isTxAllowedChannelUtil(true) && getHopsAway(p, c.hopLimit) <= c.hopLimit + 2) {
        c.nodeInfo.sendOurNodeInfo(p.from, true, p.channel); // "Heard new node on ch. %d, send NodeInfo and ask for response"
      }
    }
    this.sendToPhone(p);
  }

  /** MeshService::sendToPhone: a copy to every client; a failing listener stops neither the others nor the router. */
  sendToPhone(p: Mesh.MeshPacket): void {
    this.c.metrics.inc('to-phone');
    for (const l of this.phoneListeners) {
      try {
        l(clone(Mesh.MeshPacketSchema, p));
      } catch {
        // a client's listener failing must not stop the others or the router
      }
    }
  }
}
