/**
 * The command table: one entry per companion command with its argument layout, the reply codes that answer it
 * and a decoder for them. The session only matches replies by code (the protocol has no sequence numbers) and
 * keeps one command in flight. RESP_CODE_ERR answers any command and is handled by the session.
 * Layouts: meshcore-dev/MeshCore examples/companion_radio/MyMesh.cpp handleCmdFrame (v1.17.1).
 */
import { FrameReader, FrameWriter, encodeUtf8 } from './bytes.js';
import { CMD, MAX_TEXT_LEN, PUB_KEY_SIZE, RESP, TXT_TYPE } from './codes.js';
import { readContactRecord, writeContactRecord, type Contact } from './contact-record.js';
import {
  decodeBattAndStorage, decodeChannelInfo, decodeDeviceInfo, decodeSelfInfo, decodeSent, decodeU32Reply,
  type BattAndStorage, type ChannelInfo, type DeviceInfo, type SelfInfo, type SentInfo,
} from './device-frames.js';
import { decodeMessageFrame, isMessageCode, type ReceivedMessage } from './message-frames.js';
import { MeshCoreArgumentError } from './errors.js';
import { MESHCORE_MAX_FRAME_SIZE } from '../framing/meshcore-frame.js';

export interface CommandSpec<A, R> {
  name: string;
  code: number;
  encode(args: A): Uint8Array;
  /** Reply codes that belong to this command (intermediate and final). */
  replies: readonly number[];
  /** Whether this frame completes the reply (multi-frame replies: GET_CONTACTS). */
  isFinal(frame: Uint8Array): boolean;
  decode(frames: Uint8Array[]): R;
  /** Reply codes listed for timeout messages. */
  waitsFor: string;
}

const single = <A, R>(
  name: string, code: number, replyCode: number, replyName: string,
  encode: (a: A) => Uint8Array, decode: (f: Uint8Array) => R,
): CommandSpec<A, R> => ({
  name, code, encode, replies: [replyCode], isFinal: () => true, decode: (fs) => decode(fs[fs.length - 1]), waitsFor: replyName,
});

const ok = <A>(name: string, code: number, encode: (a: A) => Uint8Array): CommandSpec<A, void> =>
  single(name, code, RESP.OK, 'RESP_CODE_OK', encode, () => undefined);

const bare = (code: number) => () => Uint8Array.of(code);

function checkKey(command: string, key: Uint8Array, size = PUB_KEY_SIZE): void {
  if (key.length !== size) throw new MeshCoreArgumentError(command, `public key must be ${size} bytes, got ${key.length}`);
}

/** CMD_DEVICE_QUERY: app_target_ver ≥ 3 makes the firmware send the V3 message frames (with SNR). */
export const deviceQuery = single<{ appTargetVer: number }, DeviceInfo>(
  'CMD_DEVICE_QUERY', CMD.DEVICE_QUERY, RESP.DEVICE_INFO, 'RESP_CODE_DEVICE_INFO',
  (a) => Uint8Array.of(CMD.DEVICE_QUERY, a.appTargetVer), decodeDeviceInfo);

/** CMD_APP_START: 7 reserved bytes (meshcore.js and meshcore_py put their app version in the first) · app name. */
export const appStart = single<{ appName: string; appVer?: number }, SelfInfo>(
  'CMD_APP_START', CMD.APP_START, RESP.SELF_INFO, 'RESP_CODE_SELF_INFO',
  (a) => new FrameWriter().u8(CMD.APP_START).u8(a.appVer ?? 0).fixed(new Uint8Array(6), 6).bytes(encodeUtf8(a.appName)).done(),
  decodeSelfInfo);

export const getDeviceTime = single<void, number>(
  'CMD_GET_DEVICE_TIME', CMD.GET_DEVICE_TIME, RESP.CURR_TIME, 'RESP_CODE_CURR_TIME',
  bare(CMD.GET_DEVICE_TIME), (f) => decodeU32Reply(f, 'epoch'));

/** Accepted only if not earlier than the radio's clock (ERR_CODE_ILLEGAL_ARG otherwise). */
export const setDeviceTime = ok<{ epochSecs: number }>('CMD_SET_DEVICE_TIME', CMD.SET_DEVICE_TIME,
  (a) => new FrameWriter().u8(CMD.SET_DEVICE_TIME).u32(a.epochSecs).done());

export interface ContactsResult {
  /** Total contacts on the radio (not the filtered count). */
  total: number;
  contacts: Contact[];
  /** The most recent lastmod, to pass as `since` next time. */
  mostRecentLastMod: number;
}

/** CMD_GET_CONTACTS [since]: CONTACTS_START · CONTACT×N · END_OF_CONTACTS. ERR_CODE_BAD_STATE if an iteration runs. */
export const getContacts: CommandSpec<{ since?: number }, ContactsResult> = {
  name: 'CMD_GET_CONTACTS',
  code: CMD.GET_CONTACTS,
  encode: (a) => (a.since ? new FrameWriter().u8(CMD.GET_CONTACTS).u32(a.since).done() : Uint8Array.of(CMD.GET_CONTACTS)),
  replies: [RESP.CONTACTS_START, RESP.CONTACT, RESP.END_OF_CONTACTS],
  isFinal: (f) => f[0] === RESP.END_OF_CONTACTS,
  decode(frames) {
    let total = 0;
    let mostRecentLastMod = 0;
    const contacts: Contact[] = [];
    for (const f of frames) {
      const r = new FrameReader(f);
      const code = r.u8();
      if (code === RESP.CONTACTS_START) total = r.u32('count');
      else if (code === RESP.CONTACT) contacts.push(readContactRecord(r));
      else if (code === RESP.END_OF_CONTACTS) mostRecentLastMod = r.remaining >= 4 ? r.u32('most recent lastmod') : 0;
    }
    return { total, contacts, mostRecentLastMod };
  },
  waitsFor: 'RESP_CODE_END_OF_CONTACTS',
};

export const getContactByKey = single<{ publicKey: Uint8Array }, Contact>(
  'CMD_GET_CONTACT_BY_KEY', CMD.GET_CONTACT_BY_KEY, RESP.CONTACT, 'RESP_CODE_CONTACT',
  (a) => { checkKey('CMD_GET_CONTACT_BY_KEY', a.publicKey); return new FrameWriter().u8(CMD.GET_CONTACT_BY_KEY).bytes(a.publicKey).done(); },
  (f) => { const r = new FrameReader(f); r.u8(); return readContactRecord(r); });

export const addUpdateContact = ok<Contact>('CMD_ADD_UPDATE_CONTACT', CMD.ADD_UPDATE_CONTACT, (c) => {
  checkKey('CMD_ADD_UPDATE_CONTACT', c.publicKey);
  return writeContactRecord(new FrameWriter().u8(CMD.ADD_UPDATE_CONTACT), c, c.lastMod > 0).done();
});

export const removeContact = ok<{ publicKey: Uint8Array }>('CMD_REMOVE_CONTACT', CMD.REMOVE_CONTACT, (a) => {
  checkKey('CMD_REMOVE_CONTACT', a.publicKey);
  return new FrameWriter().u8(CMD.REMOVE_CONTACT).bytes(a.publicKey).done();
});

/** Sets out_path_len = 0xFF so the next DM to this contact floods. */
export const resetPath = ok<{ publicKey: Uint8Array }>('CMD_RESET_PATH', CMD.RESET_PATH, (a) => {
  checkKey('CMD_RESET_PATH', a.publicKey);
  return new FrameWriter().u8(CMD.RESET_PATH).bytes(a.publicKey).done();
});

export interface SendTextArgs {
  /** At least the first 6 bytes of the recipient's public key. */
  publicKey: Uint8Array;
  text: string;
  /** 0..3 in the flags; > 3 is appended after the text by the firmware (BaseChatMesh::composeMsgPacket). */
  attempt: number;
  senderTimestamp: number;
  txtType?: number;
}

/** CMD_SEND_TXT_MSG → RESP_CODE_SENT (expected ACK, est timeout). ERR_CODE_NOT_FOUND: no such contact;
 * ERR_CODE_TABLE_FULL: text longer than MAX_TEXT_LEN (160, or 158 when attempt > 3) or no packet buffer. */
export const sendTxtMsg = single<SendTextArgs, SentInfo>(
  'CMD_SEND_TXT_MSG', CMD.SEND_TXT_MSG, RESP.SENT, 'RESP_CODE_SENT',
  (a) => {
    if (a.publicKey.length < 6) throw new MeshCoreArgumentError('CMD_SEND_TXT_MSG', 'needs at least a 6-byte key prefix');
    const text = encodeUtf8(a.text);
    const limit = a.attempt > 3 ? MAX_TEXT_LEN - 2 : MAX_TEXT_LEN;
    if (text.length > limit) throw new MeshCoreArgumentError('CMD_SEND_TXT_MSG', `text is ${text.length} bytes, limit ${limit}`);
    if (a.attempt < 0 || a.attempt > 255) throw new MeshCoreArgumentError('CMD_SEND_TXT_MSG', `attempt ${a.attempt} out of range`);
    return new FrameWriter().u8(CMD.SEND_TXT_MSG).u8(a.txtType ?? TXT_TYPE.PLAIN).u8(a.attempt).u32(a.senderTimestamp)
      .bytes(a.publicKey.subarray(0, 6)).bytes(text).done();
  },
  decodeSent);

/** CMD_SEND_CHANNEL_TXT_MSG → RESP_CODE_OK (not SENT; the docs are wrong). The firmware prefixes "<node name>: "
 * and truncates name + text to 160 bytes. */
export const sendChannelTxtMsg = ok<{ channelIdx: number; text: string; senderTimestamp: number }>(
  'CMD_SEND_CHANNEL_TXT_MSG', CMD.SEND_CHANNEL_TXT_MSG, (a) => {
    const text = encodeUtf8(a.text);
    if (7 + text.length > MESHCORE_MAX_FRAME_SIZE) {
      throw new MeshCoreArgumentError('CMD_SEND_CHANNEL_TXT_MSG', `text is ${text.length} bytes, frame limit ${MESHCORE_MAX_FRAME_SIZE - 7}`);
    }
    return new FrameWriter().u8(CMD.SEND_CHANNEL_TXT_MSG).u8(TXT_TYPE.PLAIN).u8(a.channelIdx).u32(a.senderTimestamp).bytes(text).done();
  });

/** CMD_SYNC_NEXT_MESSAGE → one queued message frame, or RESP_CODE_NO_MORE_MESSAGES (null). Other queued frame
 * kinds (channel data 0x1B) are returned raw. */
export const syncNextMessage: CommandSpec<void, ReceivedMessage | { kind: 'other'; frame: Uint8Array } | null> = {
  name: 'CMD_SYNC_NEXT_MESSAGE',
  code: CMD.SYNC_NEXT_MESSAGE,
  encode: bare(CMD.SYNC_NEXT_MESSAGE),
  replies: [RESP.NO_MORE_MESSAGES, RESP.CONTACT_MSG_RECV, RESP.CHANNEL_MSG_RECV, RESP.CONTACT_MSG_RECV_V3,
    RESP.CHANNEL_MSG_RECV_V3, RESP.CHANNEL_DATA_RECV],
  isFinal: () => true,
  decode(frames) {
    const f = frames[frames.length - 1];
    if (f[0] === RESP.NO_MORE_MESSAGES) return null;
    if (isMessageCode(f[0])) return decodeMessageFrame(f);
    return { kind: 'other', frame: f };
  },
  waitsFor: 'a message frame or RESP_CODE_NO_MORE_MESSAGES',
};

/** CMD_GET_CHANNEL idx → RESP_CODE_CHANNEL_INFO (also for empty slots); ERR_CODE_NOT_FOUND past the last slot. */
export const getChannel = single<{ index: number }, ChannelInfo>(
  'CMD_GET_CHANNEL', CMD.GET_CHANNEL, RESP.CHANNEL_INFO, 'RESP_CODE_CHANNEL_INFO',
  (a) => Uint8Array.of(CMD.GET_CHANNEL, a.index), decodeChannelInfo);

/** CMD_SET_CHANNEL idx · name[32] · secret[16] (a 32-byte secret is refused with ERR_CODE_UNSUPPORTED_CMD). */
export const setChannel = ok<ChannelInfo>('CMD_SET_CHANNEL', CMD.SET_CHANNEL, (c) => {
  if (c.secret.length !== 16) throw new MeshCoreArgumentError('CMD_SET_CHANNEL', 'the firmware only takes 16-byte secrets');
  if (c.index < 0 || c.index > 255) throw new MeshCoreArgumentError('CMD_SET_CHANNEL', `index ${c.index} out of range`);
  return new FrameWriter().u8(CMD.SET_CHANNEL).u8(c.index).cstring(c.name, 32).fixed(c.secret, 16).done();
});

/** CMD_SEND_SELF_ADVERT [1 = flood]; absent or 0 = zero hop. */
export const sendSelfAdvert = ok<{ flood: boolean }>('CMD_SEND_SELF_ADVERT', CMD.SEND_SELF_ADVERT,
  (a) => Uint8Array.of(CMD.SEND_SELF_ADVERT, a.flood ? 1 : 0));

export const setAdvertName = ok<{ name: string }>('CMD_SET_ADVERT_NAME', CMD.SET_ADVERT_NAME, (a) => {
  const name = encodeUtf8(a.name);
  if (name.length === 0 || name.length > 31) throw new MeshCoreArgumentError('CMD_SET_ADVERT_NAME', 'name must be 1..31 bytes');
  return new FrameWriter().u8(CMD.SET_ADVERT_NAME).bytes(name).done();
});

export const getBattAndStorage = single<void, BattAndStorage>(
  'CMD_GET_BATT_AND_STORAGE', CMD.GET_BATT_AND_STORAGE, RESP.BATT_AND_STORAGE, 'RESP_CODE_BATT_AND_STORAGE',
  bare(CMD.GET_BATT_AND_STORAGE), decodeBattAndStorage);

/** CMD_SET_RADIO_PARAMS freq kHz · bw Hz · sf · cr; the firmware validates 150–2500 MHz, 7–500 kHz, SF5–12, CR5–8. */
export const setRadioParams = ok<{ freqKhz: number; bwHz: number; sf: number; cr: number }>(
  'CMD_SET_RADIO_PARAMS', CMD.SET_RADIO_PARAMS,
  (a) => new FrameWriter().u8(CMD.SET_RADIO_PARAMS).u32(a.freqKhz).u32(a.bwHz).u8(a.sf).u8(a.cr).done());

/** CMD_REBOOT needs the literal "reboot"; the radio answers nothing and drops the link. */
export const REBOOT_FRAME = Uint8Array.of(CMD.REBOOT, ...encodeUtf8('reboot'));

/**
 * CMD_SET_FLOOD_SCOPE_KEY 0 · key[16] sets the session flood scope (RAM only: re-send after every reconnect);
 * `0` alone clears it (back to the default scope). Key for region `#name` = SHA-256("#name")[0..16]
 * (TransportKeyStore::getAutoKeyFor). Firmware v8+.
 */
export const setFloodScope = ok<{ key: Uint8Array | null }>('CMD_SET_FLOOD_SCOPE_KEY', CMD.SET_FLOOD_SCOPE_KEY, (a) => {
  if (a.key && a.key.length !== 16) throw new MeshCoreArgumentError('CMD_SET_FLOOD_SCOPE_KEY', 'scope key must be 16 bytes');
  return a.key ? new FrameWriter().u8(CMD.SET_FLOOD_SCOPE_KEY).u8(0).bytes(a.key).done() : Uint8Array.of(CMD.SET_FLOOD_SCOPE_KEY, 0);
});

/** Every entry, by command code (for tests and tooling). */
export const COMMAND_TABLE: ReadonlyMap<number, CommandSpec<never, unknown>> = new Map(
  [deviceQuery, appStart, getDeviceTime, setDeviceTime, getContacts, getContactByKey, addUpdateContact, removeContact,
    resetPath, sendTxtMsg, sendChannelTxtMsg, syncNextMessage, getChannel, setChannel, sendSelfAdvert, setAdvertName,
    getBattAndStorage, setRadioParams, setFloodScope].map((c) => [c.code, c as CommandSpec<never, unknown>]),
);
