/**
 * The two simulator command handlers with real logic (split from sim-device.ts): CMD_SEND_TXT_MSG
 * (MyMesh.cpp + BaseChatMesh::sendMessage / composeMsgPacket) and CMD_ADD_UPDATE_CONTACT (updateContactFromFrame).
 */
import { DIRECT_SEND_PERHOP_EXTRA_MILLIS, DIRECT_SEND_PERHOP_FACTOR, ERR_CODE, FLOOD_SEND_TIMEOUT_FACTOR, MAX_TEXT_LEN,
  OUT_PATH_UNKNOWN, SEND_TIMEOUT_BASE_MILLIS, TXT_TYPE } from '../codes.js';
import { FrameReader, decodeUtf8, toHex } from '../bytes.js';
import { readContactRecord } from '../contact-record.js';
import { encodeSent } from '../device-frames.js';
import type { SimDevice } from './sim-device.js';
import { expectedAck, loraAirtimeMs } from './sim-state.js';

export function cmdSendTxtMsg(dev: SimDevice, f: Uint8Array): void {
  const r = new FrameReader(f);
  r.u8();
  const txtType = r.u8(), attempt = r.u8(), ts = r.u32();
  const prefix = r.bytes(6);
  const text = r.rest();
  const contact = dev.findContact(prefix);
  if (!contact || (txtType !== TXT_TYPE.PLAIN && txtType !== TXT_TYPE.CLI_DATA)) {
    return dev.err(contact ? ERR_CODE.UNSUPPORTED_CMD : ERR_CODE.NOT_FOUND);
  }
  // composeMsgPacket returns NULL for over-long text → MSG_SEND_FAILED → ERR_CODE_TABLE_FULL.
  const z = text.indexOf(0);
  const body = z < 0 ? text : text.subarray(0, z);
  if (body.length > MAX_TEXT_LEN || (attempt > 3 && body.length > MAX_TEXT_LEN - 2)) return dev.err(ERR_CODE.TABLE_FULL);
  const flood = contact.outPathLen === OUT_PATH_UNKNOWN;
  const packetLen = 1 + 1 + (flood ? 0 : contact.outPathLen & 0x3f) + 4 + 16 * Math.ceil((5 + body.length) / 16);
  const air = Math.floor(loraAirtimeMs(packetLen, dev.persistent.prefs.sf, dev.persistent.prefs.bwHz, dev.persistent.prefs.cr));
  const hops = flood ? 0 : contact.outPathLen & 0x3f;
  const estTimeout = Math.floor(flood
    ? SEND_TIMEOUT_BASE_MILLIS + FLOOD_SEND_TIMEOUT_FACTOR * air
    : SEND_TIMEOUT_BASE_MILLIS + (DIRECT_SEND_PERHOP_FACTOR * air + DIRECT_SEND_PERHOP_EXTRA_MILLIS) * (hops + 1));
  let ack = 0;
  if (txtType === TXT_TYPE.PLAIN) {
    ack = expectedAck(ts, attempt, body, dev.publicKey);
    dev.ram.ackTable[dev.ram.nextAckIdx] = { ack, sentAtMs: dev.millis(), contactKey: toHex(contact.publicKey) };
    dev.ram.nextAckIdx = (dev.ram.nextAckIdx + 1) % dev.ram.ackTable.length;
  }
  dev.writeFrame(encodeSent({ flood, expectedAck: ack, estTimeoutMs: estTimeout }));
  dev.countSent(flood);
  dev.air?.directMessage(dev, { to: contact, text: decodeUtf8(body), senderTimestamp: ts, attempt, ack, flood });
}

export function cmdAddUpdateContact(dev: SimDevice, f: Uint8Array): void {
  // updateContactFromFrame reads the fixed part unconditionally (short frames read stale buffer bytes on the real
  // radio); the simulator pads with zeroes.
  const padded = new Uint8Array(Math.max(f.length, 1 + 32 + 3 + 64 + 32 + 4));
  padded.set(f);
  const pr = new FrameReader(padded);
  pr.u8();
  const c = readContactRecord(pr);
  const hasLastMod = f.length >= 1 + 32 + 3 + 64 + 32 + 4 + 8 + 4;
  if (f.length < 1 + 32 + 3 + 64 + 32 + 4 + 8) { c.lat = 0; c.lon = 0; }
  c.lastMod = hasLastMod ? c.lastMod : dev.rtcNow();
  const existing = dev.persistent.contacts.find((x) => toHex(x.publicKey) === toHex(c.publicKey));
  if (existing) return Object.assign(existing, c), dev.ok();
  if (dev.persistent.contacts.length >= dev.config.maxContacts) return dev.err(ERR_CODE.TABLE_FULL);
  dev.persistent.contacts.push(c);
  dev.ok();
}
