/**
 * Remote administration of the repeater (examples/simple_repeater/MyMesh.cpp onAnonDataRecv, onPeerDataRecv):
 * ANON_REQ logins and anonymous sub-requests, REQ from ACL clients, CLI commands in TXT_MSG from admins, each
 * answered along the route the firmware picks (reply-routes.ts) after the firmware's delays (SERVER_RESPONSE_DELAY
 * 300 ms, TXT_ACK_DELAY 200 ms, CLI_REPLY_DELAY_MILLIS 600 ms).
 */
import type { MeshCoreMesh } from '../mesh/mesh-api.js';
import type { McPath, ReceivedPacket } from '../mesh/mesh-handler.js';
import { cString } from '../ota/app-data-errors.js';
import { MeshCoreMalformedPacketError } from '../ota/errors.js';
import { decodeRepeaterAnonRequest, type AnonSubRequest } from '../ota/login.js';
import { decodePathLen, isFlood, PAYLOAD_TYPE, type McPacket, type PathHashSize } from '../ota/packet.js';
import { ANON_REQ_TYPE } from '../ota/request-codes.js';
import { decodeTextPayload, encodeTextPayload, textAckCode, TXT_TYPE } from '../ota/text-payload.js';
import { isAdmin, type ClientACL, type ClientInfo } from './client-acl.js';
import type { NeighbourTable } from './neighbours.js';
import type { RepeaterPrefs } from './prefs.js';
import type { RegionEntry, RegionMap } from './region-map.js';
import { chooseReplyRoute, inPath, sendFloodReply } from './reply-routes.js';
import { handleRepeaterCommand, RegionLoad, type RepeaterCliHost } from './repeater-cli.js';
import type { RepeaterCounters } from './repeater.js';
import type { RepeaterStats } from '../ota/repeater-stats.js';
import type { RtcClock } from './rtc-clock.js';
import { anonClockReply, anonOwnerReply, anonRegionsReply, handleLoginReq, handleRequest, RateLimiter } from './server-requests.js';

export const SERVER_RESPONSE_DELAY_MS = 300;
export const TXT_ACK_DELAY_MS = 200;
export const CLI_REPLY_DELAY_MS = 600;

export interface RepeaterAdminContext {
  mesh: MeshCoreMesh;
  prefs: RepeaterPrefs;
  regions: RegionMap;
  acl: ClientACL;
  neighbours: NeighbourTable;
  rtc: RtcClock;
  random: () => number;
  log: (line: string) => void;
  counters: RepeaterCounters;
  regionOf(packet: McPacket): RegionEntry | null;
  defaultScope(): Uint8Array | undefined;
  stats(): RepeaterStats;
  battMilliVolts(): number;
  cli: RepeaterCliHost;
}

const u32 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);

export class RepeaterAdmin {
  readonly regionLoad = new RegionLoad();
  /** anon_limiter(4, 180): anonymous sub-requests, 4 per 3 minutes. */
  private readonly anonLimiter = new RateLimiter(4, 180);

  constructor(private readonly ctx: RepeaterAdminContext) {}

  /** Bumped by every command (a region command may change what a cached packet region means). */
  onCommand: () => void = () => undefined;

  /** MyMesh::handleCommand. */
  command(senderTimestamp: number, line: string): string {
    this.onCommand();
    return handleRepeaterCommand(this.ctx.cli, this.regionLoad, senderTimestamp, line);
  }

  private floodReply(rx: ReceivedPacket, packet: McPacket, delayMs: number): void {
    const { mesh, regions } = this.ctx;
    sendFloodReply(mesh, regions, this.ctx.regionOf(rx.packet), this.ctx.defaultScope(), packet, delayMs, rx.packet.pathHashSize);
  }

  /** MyMesh::onAnonDataRecv (ANON_REQ only). */
  onAnonData(rx: ReceivedPacket, secret: Uint8Array, sender: Uint8Array, data: Uint8Array): void {
    const { ctx } = this;
    if (rx.packet.payloadType !== PAYLOAD_TYPE.ANON_REQ) return;
    if (data.length < 5) {
      ctx.counters.malformed++;
      return;
    }
    const timestamp = u32(data, 0);
    const flood = isFlood(rx.packet);
    const kind = data[4];
    let reply: Uint8Array | undefined;
    let replyPath: McPath | undefined;
    if (kind === 0 || kind >= 0x20) {
      const login = handleLoginReq(
        { acl: ctx.acl, prefs: ctx.prefs, rtc: ctx.rtc, random: ctx.random, aclChanged: () => ctx.cli.aclChanged() },
        sender,
        secret,
        timestamp,
        cString(data.subarray(4)),
        flood,
      );
      if (!login.ok) {
        if (login.why === 'replay') ctx.counters.replays++;
        else ctx.counters.loginsFailed++;
        return;
      }
      ctx.counters.loginsOk++;
      reply = login.reply;
    } else if (!flood && (kind === ANON_REQ_TYPE.REGIONS || kind === ANON_REQ_TYPE.OWNER || kind === ANON_REQ_TYPE.BASIC)) {
      const now = ctx.rtc.getCurrentTime();
      // the firmware spends the limiter before it looks at the reply path (handleAnon*Req)
      if (!this.anonLimiter.allow(now)) {
        ctx.counters.anonRateLimited++;
        return;
      }
      let req: AnonSubRequest;
      try {
        req = decodeRepeaterAnonRequest(data) as AnonSubRequest;
      } catch (err) {
        if (!(err instanceof MeshCoreMalformedPacketError)) throw err;
        ctx.counters.malformed++; // bad reply path_len (Packet::isValidPathLen), or a path longer than the data
        return;
      }
      replyPath = { hashSize: (decodePathLen(req.replyPathLen) as { size: PathHashSize }).size, bytes: req.replyPath };
      reply =
        req.kind === 'regions'
          ? anonRegionsReply(ctx.regions, timestamp, now)
          : req.kind === 'owner'
            ? anonOwnerReply(ctx.prefs, timestamp, now)
            : anonClockReply(ctx.prefs, timestamp, now);
    } else {
      ctx.counters.requestsUnanswered++;
      return;
    }

    // a DIRECT request can reply via the stored out_path, as for REQ
    const client = ctx.acl.getClient(sender);
    const route = chooseReplyRoute(flood, replyPath !== undefined, client?.outPath !== undefined);
    if (route === 'path-return') {
      const path = ctx.mesh.createPathReturn(sender, secret, inPath(rx.packet), PAYLOAD_TYPE.RESPONSE, reply);
      this.floodReply(rx, path, SERVER_RESPONSE_DELAY_MS);
      return;
    }
    const pkt = ctx.mesh.createDatagram(PAYLOAD_TYPE.RESPONSE, sender, secret, reply);
    if (route === 'direct-supplied') ctx.mesh.sendDirect(pkt, replyPath as McPath, SERVER_RESPONSE_DELAY_MS);
    else if (route === 'direct-out-path') ctx.mesh.sendDirect(pkt, (client as ClientInfo).outPath as McPath, SERVER_RESPONSE_DELAY_MS);
    else this.floodReply(rx, pkt, SERVER_RESPONSE_DELAY_MS);
  }

  /** MyMesh::onPeerDataRecv for a client in the ACL. */
  onPeerData(rx: ReceivedPacket, type: number, client: ClientInfo, data: Uint8Array): void {
    if (type === PAYLOAD_TYPE.REQ) this.onRequest(rx, client, data);
    else if (type === PAYLOAD_TYPE.TXT_MSG) this.onText(rx, client, data);
  }

  private onRequest(rx: ReceivedPacket, client: ClientInfo, data: Uint8Array): void {
    const { ctx } = this;
    if (data.length < 5) {
      ctx.counters.malformed++;
      return;
    }
    const timestamp = u32(data, 0);
    if (timestamp <= client.lastTimestamp) {
      ctx.counters.replays++;
      return;
    }
    ctx.counters.requests++;
    const reply = handleRequest(
      { acl: ctx.acl, prefs: ctx.prefs, neighbours: ctx.neighbours, rtc: ctx.rtc, firmwareVersion: ctx.cli.firmwareVersion, stats: ctx.stats, battMilliVolts: ctx.battMilliVolts },
      client,
      timestamp,
      data.subarray(4),
    );
    if (!reply) {
      ctx.counters.requestsUnanswered++;
      return;
    }
    client.lastTimestamp = timestamp;
    client.lastActivity = ctx.rtc.getCurrentTime();
    if (isFlood(rx.packet)) {
      const path = ctx.mesh.createPathReturn(client.publicKey, client.sharedSecret, inPath(rx.packet), PAYLOAD_TYPE.RESPONSE, reply);
      this.floodReply(rx, path, SERVER_RESPONSE_DELAY_MS);
      return;
    }
    const pkt = ctx.mesh.createDatagram(PAYLOAD_TYPE.RESPONSE, client.publicKey, client.sharedSecret, reply);
    if (client.outPath) ctx.mesh.sendDirect(pkt, client.outPath, SERVER_RESPONSE_DELAY_MS);
    else this.floodReply(rx, pkt, SERVER_RESPONSE_DELAY_MS);
  }

  private onText(rx: ReceivedPacket, client: ClientInfo, data: Uint8Array): void {
    const { ctx } = this;
    const msg = isAdmin(client) ? decodeTextPayload(data) : undefined;
    if (!msg) {
      ctx.counters.cliRefused++;
      return;
    }
    const { senderTimestamp, txtType } = msg;
    if (txtType !== TXT_TYPE.PLAIN && txtType !== TXT_TYPE.CLI_DATA) {
      ctx.counters.cliRefused++;
      return;
    }
    if (senderTimestamp < client.lastTimestamp) {
      ctx.counters.replays++;
      return;
    }
    const isRetry = senderTimestamp === client.lastTimestamp;
    client.lastTimestamp = senderTimestamp;
    client.lastActivity = ctx.rtc.getCurrentTime();

    const toClient = (pkt: McPacket, delayMs: number): void => {
      if (client.outPath) ctx.mesh.sendDirect(pkt, client.outPath, delayMs);
      else this.floodReply(rx, pkt, delayMs);
    };

    if (txtType === TXT_TYPE.PLAIN) {
      // legacy CLI: ACK = SHA-256(ts · flags · text ‖ client key)[0..4]
      toClient(ctx.mesh.createAck(textAckCode(data, 5 + msg.textBytes.length, client.publicKey)), TXT_ACK_DELAY_MS);
    }
    ctx.counters.cliCommands++;
    const text = isRetry ? '' : this.command(senderTimestamp, msg.text);
    if (text === '') return;
    let ts = ctx.rtc.getCurrentTimeUnique();
    if (ts === senderTimestamp) ts++; // the two timestamps must differ in the app's CLI view
    const plain = encodeTextPayload({ senderTimestamp: ts, txtType: TXT_TYPE.CLI_DATA, attempt: 0, text });
    toClient(ctx.mesh.createDatagram(PAYLOAD_TYPE.TXT_MSG, client.publicKey, client.sharedSecret, plain), CLI_REPLY_DELAY_MS);
  }
}
