/**
 * The commands of MyMesh::handleCmdFrame (v1.17.1) that put something on the air: texts, channel texts and data,
 * adverts, contact share/export/import, raw data and raw packets, the client requests (login, status, telemetry,
 * binary, anon, path discovery) with their pending matchers, trace, control data. Guards as the firmware's; a frame
 * that fails one falls through to ERR_CODE_UNSUPPORTED_CMD. Returns false when the frame is not one of these.
 */
import { FrameWriter } from '../bytes.js';
import { CMD, ERR_CODE, OUT_PATH_UNKNOWN, PUB_KEY_SIZE, PUSH, RESP } from '../codes.js';
import { decodePacket, decodePathLen, encodePacket, MAX_PACKET_PAYLOAD, MAX_PATH_SIZE, ROUTE_TYPE, type PathHashSize } from '../ota/packet.js';
import { TXT_TYPE } from '../ota/text-payload.js';
import { MAX_GROUP_DATA_LENGTH, REQ_TYPE, type SendResult } from './chat-mesh.js';
import type { CompanionRadio } from './companion-radio.js';
import type { Session } from './companion-session.js';
import { pad } from './commands-device.js';
import { newContactInfo } from './contacts-table.js';
import { ADV_TYPE } from '../ota/advert-data.js';
import { selfTelemetry, TELEM_PERM } from './telemetry.js';

/** MyMesh.cpp MAX_CHANNEL_DATA_LENGTH (MAX_FRAME_SIZE − 9). */
export const MAX_CHANNEL_DATA_LENGTH = 176 - 9;
/** TxtDataHelpers.h DATA_TYPE_RESERVED. */
const DATA_TYPE_RESERVED = 0;

function u32(f: Uint8Array, at: number): number {
  return new DataView(f.buffer, f.byteOffset, f.byteLength).getUint32(at, true);
}

/** RESP_CODE_SENT: flood flag · expected ACK or tag · est_timeout. */
function sent(dev: CompanionRadio, r: SendResult, code = r.code): void {
  dev.reply(new FrameWriter().u8(RESP.SENT).u8(r.flood ? 1 : 0).u32(code).u32(r.estTimeoutMs).done());
}

export function handleMeshCommand(dev: CompanionRadio, s: Session, frame: Uint8Array): boolean {
  const len = frame.length;
  const f = pad(frame, 256);
  const chat = dev.chat;
  const p = dev.prefs;
  switch (f[0]) {
    case CMD.SEND_TXT_MSG: {
      if (len < 14) return false;
      const txtType = f[1], attempt = f[2];
      let ts = u32(f, 3);
      const c = chat.contacts.lookup(f.subarray(7, 13));
      if (!c || (txtType !== TXT_TYPE.PLAIN && txtType !== TXT_TYPE.CLI_DATA)) return dev.err(c ? ERR_CODE.UNSUPPORTED_CMD : ERR_CODE.NOT_FOUND), true;
      const text = frame.subarray(13);
      let r: SendResult | undefined;
      if (txtType === TXT_TYPE.CLI_DATA) {
        ts = chat.rtcUnique(); // the node's RTC, so the remote's replay protection is not tripped
        r = chat.sendCommandData(c, ts, attempt, text);
      } else r = chat.sendMessage(c, ts, attempt, text);
      if (!r) return dev.err(ERR_CODE.TABLE_FULL), true;
      if (r.code) dev.expectAck(r.code, c);
      sent(dev, r);
      return true;
    }
    case CMD.SEND_CHANNEL_TXT_MSG: {
      const txtType = f[1];
      if (txtType !== TXT_TYPE.PLAIN) return dev.err(ERR_CODE.UNSUPPORTED_CMD), true;
      const ch = chat.channels.get(f[2]);
      if (ch && chat.sendGroupMessage(u32(f, 3), ch, p.nodeName, frame.subarray(Math.min(len, 7)))) dev.ok();
      else dev.err(ERR_CODE.NOT_FOUND);
      return true;
    }
    case CMD.SEND_CHANNEL_DATA: {
      if (len < 4) return dev.err(ERR_CODE.ILLEGAL_ARG), true;
      const pathLen = f[2];
      const pl = decodePathLen(pathLen);
      if (pathLen !== OUT_PATH_UNKNOWN && (!pl || pl.size * pl.count > MAX_PATH_SIZE)) return dev.err(ERR_CODE.ILLEGAL_ARG), true;
      let i = 3;
      let path: { hashSize: PathHashSize; bytes: Uint8Array } | undefined;
      if (pathLen !== OUT_PATH_UNKNOWN && pl) {
        path = { hashSize: pl.size, bytes: f.slice(i, i + pl.size * pl.count) };
        i += pl.size * pl.count;
      }
      const dataType = f[i] | (f[i + 1] << 8);
      i += 2;
      const payload = frame.subarray(Math.min(i, len));
      const ch = chat.channels.get(f[1]);
      if (!ch) dev.err(ERR_CODE.NOT_FOUND);
      else if (dataType === DATA_TYPE_RESERVED) dev.err(ERR_CODE.ILLEGAL_ARG);
      else if (payload.length > MAX_CHANNEL_DATA_LENGTH) dev.err(ERR_CODE.ILLEGAL_ARG);
      else if (payload.length <= MAX_GROUP_DATA_LENGTH && chat.sendGroupData(ch, path, dataType, payload)) dev.ok();
      else dev.err(ERR_CODE.TABLE_FULL);
      return true;
    }
    case CMD.SEND_SELF_ADVERT: {
      const pkt = dev.selfAdvert();
      if (len >= 2 && f[1] === 1) dev.floodWithKey(pkt, p.defaultScopeKey);
      else chat.mesh.sendZeroHop(pkt);
      dev.ok();
      return true;
    }
    case CMD.SHARE_CONTACT: {
      const c = chat.contacts.lookup(f.subarray(1, 33));
      if (!c) dev.err(ERR_CODE.NOT_FOUND);
      else if (chat.shareContactZeroHop(c)) dev.ok();
      else dev.err(ERR_CODE.TABLE_FULL);
      return true;
    }
    case CMD.EXPORT_CONTACT: {
      if (len < 1 + PUB_KEY_SIZE) {
        // Self: a fresh advert with the route of a flood ("would normally be sent in this mode").
        const pkt = { ...dev.selfAdvert(), routeType: ROUTE_TYPE.FLOOD };
        dev.reply(new FrameWriter().u8(RESP.EXPORT_CONTACT).bytes(encodePacket(pkt)).done());
        return true;
      }
      const c = chat.contacts.lookup(f.subarray(1, 33));
      const blob = c && chat.exportContact(c);
      if (blob) dev.reply(new FrameWriter().u8(RESP.EXPORT_CONTACT).bytes(blob).done());
      else dev.err(ERR_CODE.NOT_FOUND);
      return true;
    }
    case CMD.IMPORT_CONTACT:
      if (len <= 2 + 32 + 64) return false;
      if (chat.importContact(frame.subarray(1))) dev.ok();
      else dev.err(ERR_CODE.ILLEGAL_ARG);
      return true;
    case CMD.SEND_RAW_DATA: {
      if (len < 6) return false;
      const pathLen = (f[1] << 24) >> 24;
      if (pathLen < 0 || 2 + pathLen + 4 > len) return dev.err(ERR_CODE.UNSUPPORTED_CMD), true; // flood: not supported
      const pkt = chat.mesh.createRawData(frame.slice(2 + pathLen));
      chat.mesh.sendDirect(pkt, { hashSize: 1, bytes: f.slice(2, 2 + pathLen) });
      dev.ok();
      return true;
    }
    case CMD.SEND_LOGIN: {
      if (len < 1 + PUB_KEY_SIZE) return false;
      const c = chat.contacts.lookup(f.subarray(1, 33));
      if (!c) return dev.err(ERR_CODE.NOT_FOUND), true;
      const r = chat.sendLogin(c, frame.subarray(33));
      s.clearPending();
      s.pending.login = u32(c.publicKey, 0);
      sent(dev, r, s.pending.login);
      return true;
    }
    case CMD.SEND_ANON_REQ: {
      if (len <= 1 + PUB_KEY_SIZE) return false;
      let c = chat.contacts.lookup(f.subarray(1, 33));
      if (!c) {
        // v13+: a request to a node that is not a contact, through a transient (anon) slot, zero-hop direct.
        c = newContactInfo(f.subarray(1, 33), { outPathLen: 0, type: ADV_TYPE.NONE, lastMod: dev.rtcNow() });
        chat.addContact(c);
      }
      const r = chat.sendAnonReq(c, frame.subarray(33));
      s.clearPending();
      s.pending.req = r.code;
      sent(dev, r);
      return true;
    }
    case CMD.SEND_STATUS_REQ: {
      if (len < 1 + PUB_KEY_SIZE) return false;
      const c = chat.contacts.lookup(f.subarray(1, 33));
      if (!c) return dev.err(ERR_CODE.NOT_FOUND), true;
      const r = chat.sendRequestType(c, REQ_TYPE.GET_STATUS);
      s.clearPending();
      s.pending.status = u32(c.publicKey, 0); // the firmware's "legacy matching scheme"
      sent(dev, r);
      return true;
    }
    case CMD.SEND_PATH_DISCOVERY_REQ: {
      if (f[1] !== 0 || len < 2 + PUB_KEY_SIZE) return false;
      const c = chat.contacts.lookup(f.subarray(2, 34));
      if (!c) return dev.err(ERR_CODE.NOT_FOUND), true;
      // A flooded telemetry request asking for base telemetry only (inverse permission mask), 4 random bytes.
      const req = new Uint8Array(9);
      req[0] = REQ_TYPE.GET_TELEMETRY_DATA;
      req[1] = ~TELEM_PERM.BASE & 0xff;
      req.set(crypto.getRandomValues(new Uint8Array(4)), 5);
      const r = chat.sendRequestData(c, req, true);
      if (!r) return dev.err(ERR_CODE.TABLE_FULL), true;
      s.clearPending();
      s.pending.discovery = r.code;
      sent(dev, r);
      return true;
    }
    case CMD.SEND_TELEMETRY_REQ: {
      if (len === 4) {
        // Self telemetry: answered at once as a push.
        dev.push(new FrameWriter().u8(PUSH.TELEMETRY_RESPONSE).u8(0).bytes(chat.selfKey.subarray(0, 6)).bytes(selfTelemetry(dev, 0xff)).done());
        return true;
      }
      if (len < 4 + PUB_KEY_SIZE) return false;
      const c = chat.contacts.lookup(f.subarray(4, 36));
      if (!c) return dev.err(ERR_CODE.NOT_FOUND), true;
      const r = chat.sendRequestType(c, REQ_TYPE.GET_TELEMETRY_DATA);
      s.clearPending();
      s.pending.telemetry = r.code;
      sent(dev, r);
      return true;
    }
    case CMD.SEND_BINARY_REQ: {
      if (len < 2 + PUB_KEY_SIZE) return false;
      const c = chat.contacts.lookup(f.subarray(1, 33));
      if (!c) return dev.err(ERR_CODE.NOT_FOUND), true;
      const r = chat.sendRequestData(c, frame.subarray(33));
      if (!r) return dev.err(ERR_CODE.TABLE_FULL), true;
      s.clearPending();
      s.pending.req = r.code;
      sent(dev, r);
      return true;
    }
    case CMD.SEND_TRACE_PATH: {
      if (!(len > 10 && len - 10 < MAX_PACKET_PAYLOAD - 5)) return false;
      const pathLen = len - 10;
      const flags = f[9];
      const sz = flags & 3;
      if (pathLen >> sz > MAX_PATH_SIZE || pathLen % (1 << sz) !== 0) return dev.err(ERR_CODE.ILLEGAL_ARG), true;
      const tag = u32(f, 1);
      const pkt = chat.mesh.createTrace(tag, u32(f, 5), flags);
      // Mesh::sendDirect appends a TRACE's path bytes to its payload (any length, not the path_len scheme).
      chat.mesh.sendDirect(pkt, { hashSize: 1, bytes: frame.slice(10) });
      const t = Math.floor(chat.mesh.airtimeMs(pkt.payload.length + pathLen + 2));
      dev.reply(new FrameWriter().u8(RESP.SENT).u8(0).u32(tag).u32(chat.calcDirectTimeoutMs(t, pathLen >> sz)).done());
      return true;
    }
    case CMD.SEND_CONTROL_DATA:
      if (len < 2 || (f[1] & 0x80) === 0) return false;
      chat.mesh.sendZeroHop(chat.mesh.createControlData(frame.slice(1)));
      dev.ok();
      return true;
    case CMD.SEND_RAW_PACKET: {
      if (len < 4) return false;
      let pkt;
      try {
        pkt = decodePacket(frame.subarray(2));
      } catch {
        return dev.err(ERR_CODE.ILLEGAL_ARG), true;
      }
      chat.mesh.sendRaw(pkt, f[1]);
      dev.ok();
      return true;
    }
    default:
      return false;
  }
}

/** For the tests: every code this file answers. */
export const MESH_COMMANDS = [
  CMD.SEND_TXT_MSG, CMD.SEND_CHANNEL_TXT_MSG, CMD.SEND_CHANNEL_DATA, CMD.SEND_SELF_ADVERT, CMD.SHARE_CONTACT,
  CMD.EXPORT_CONTACT, CMD.IMPORT_CONTACT, CMD.SEND_RAW_DATA, CMD.SEND_LOGIN, CMD.SEND_ANON_REQ, CMD.SEND_STATUS_REQ,
  CMD.SEND_PATH_DISCOVERY_REQ, CMD.SEND_TELEMETRY_REQ, CMD.SEND_BINARY_REQ, CMD.SEND_TRACE_PATH, CMD.SEND_CONTROL_DATA,
  CMD.SEND_RAW_PACKET,
] as const;


