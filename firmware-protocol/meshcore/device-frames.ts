/**
 * Reply and push layouts other than contacts and messages, both directions (client decodes, simulator encodes).
 * Layouts from meshcore-dev/MyMesh.cpp handleCmdFrame (v1.17.1). Fields added in later firmware versions are
 * optional: older radios send shorter frames and a decoder must not fail on them.
 */
import { FrameReader, FrameWriter, encodeUtf8 } from './bytes.js';
import { PUB_KEY_SIZE, PUSH, RESP } from './codes.js';

/** RESP_CODE_DEVICE_INFO (0x0D), reply to CMD_DEVICE_QUERY. */
export interface DeviceInfo {
  firmwareVerCode: number;
  /** v3+: MAX_CONTACTS (the firmware sends MAX_CONTACTS / 2 to fit a byte). */
  maxContacts?: number;
  maxChannels?: number;
  blePin?: number;
  buildDate?: string;
  manufacturer?: string;
  firmwareVersion?: string;
  /** v9+. */
  repeat?: boolean;
  /** v10+. */
  pathHashMode?: number;
}

export function decodeDeviceInfo(frame: Uint8Array): DeviceInfo {
  const r = new FrameReader(frame);
  r.u8();
  const info: DeviceInfo = { firmwareVerCode: r.u8('firmware_ver') };
  if (r.remaining >= 2) {
    info.maxContacts = r.u8('max_contacts/2') * 2;
    info.maxChannels = r.u8('max_channels');
  }
  if (r.remaining >= 4) info.blePin = r.u32('ble_pin');
  if (r.remaining >= 12) info.buildDate = r.cstring(12, 'build date');
  if (r.remaining >= 40) info.manufacturer = r.cstring(40, 'manufacturer');
  else if (r.remaining > 0) info.manufacturer = r.restString();
  if (r.remaining >= 20) info.firmwareVersion = r.cstring(20, 'firmware version');
  if (r.remaining >= 1) info.repeat = r.u8('repeat') !== 0;
  if (r.remaining >= 1) info.pathHashMode = r.u8('path_hash_mode');
  return info;
}

export function encodeDeviceInfo(i: Required<DeviceInfo>): Uint8Array {
  return new FrameWriter()
    .u8(RESP.DEVICE_INFO).u8(i.firmwareVerCode).u8(Math.floor(i.maxContacts / 2)).u8(i.maxChannels).u32(i.blePin)
    .cstring(i.buildDate, 12).cstring(i.manufacturer, 40).cstring(i.firmwareVersion, 20)
    .u8(i.repeat ? 1 : 0).u8(i.pathHashMode).done();
}

export interface RadioParams {
  /** kHz as the firmware sends it (freq × 1000). */
  freqKhz: number;
  /** Hz (bw × 1000). */
  bwHz: number;
  sf: number;
  cr: number;
}

/** RESP_CODE_SELF_INFO (0x05), reply to CMD_APP_START. */
export interface SelfInfo {
  advType: number;
  txPower: number;
  maxTxPower: number;
  publicKey: Uint8Array;
  lat: number;
  lon: number;
  multiAcks: number;
  advertLocPolicy: number;
  telemetryModes: number;
  manualAddContacts: number;
  radio: RadioParams;
  name: string;
}

export function decodeSelfInfo(frame: Uint8Array): SelfInfo {
  const r = new FrameReader(frame);
  r.u8();
  const advType = r.u8('adv_type');
  const txPower = r.i8('tx_power');
  const maxTxPower = r.i8('max_tx_power');
  const publicKey = r.bytes(PUB_KEY_SIZE, 'public key');
  const lat = r.i32('lat');
  const lon = r.i32('lon');
  const multiAcks = r.u8('multi_acks');
  const advertLocPolicy = r.u8('advert_loc_policy');
  const telemetryModes = r.u8('telemetry modes');
  const manualAddContacts = r.u8('manual_add_contacts');
  const radio = { freqKhz: r.u32('freq'), bwHz: r.u32('bw'), sf: r.u8('sf'), cr: r.u8('cr') };
  return {
    advType, txPower, maxTxPower, publicKey, lat, lon, multiAcks, advertLocPolicy, telemetryModes,
    manualAddContacts, radio, name: r.restString(),
  };
}

export function encodeSelfInfo(s: SelfInfo): Uint8Array {
  return new FrameWriter()
    .u8(RESP.SELF_INFO).u8(s.advType).u8(s.txPower).u8(s.maxTxPower).fixed(s.publicKey, PUB_KEY_SIZE)
    .i32(s.lat).i32(s.lon).u8(s.multiAcks).u8(s.advertLocPolicy).u8(s.telemetryModes).u8(s.manualAddContacts)
    .u32(s.radio.freqKhz).u32(s.radio.bwHz).u8(s.radio.sf).u8(s.radio.cr).bytes(encodeUtf8(s.name)).done();
}

/** RESP_CODE_SENT (0x06): flood flag, expected ACK (the code SEND_CONFIRMED will carry), estimated timeout ms. */
export interface SentInfo {
  flood: boolean;
  expectedAck: number;
  estTimeoutMs: number;
}

export function decodeSent(frame: Uint8Array): SentInfo {
  const r = new FrameReader(frame);
  r.u8();
  return { flood: r.u8('flood') === 1, expectedAck: r.u32('expected_ack'), estTimeoutMs: r.u32('est_timeout') };
}

export function encodeSent(s: SentInfo): Uint8Array {
  return new FrameWriter().u8(RESP.SENT).u8(s.flood ? 1 : 0).u32(s.expectedAck).u32(s.estTimeoutMs).done();
}

/** PUSH_CODE_SEND_CONFIRMED (0x82): ack u32 · round trip ms u32 (docs say a 6-byte code; the source wins). */
export interface SendConfirmed {
  ackCode: number;
  roundTripMs: number;
}

export function decodeSendConfirmed(frame: Uint8Array): SendConfirmed {
  const r = new FrameReader(frame);
  r.u8();
  return { ackCode: r.u32('ack'), roundTripMs: r.u32('round trip') };
}

export function encodeSendConfirmed(c: SendConfirmed): Uint8Array {
  return new FrameWriter().u8(PUSH.SEND_CONFIRMED).u32(c.ackCode).u32(c.roundTripMs).done();
}

/** RESP_CODE_CHANNEL_INFO (0x12): idx · name[32] · secret[16]. Empty slots have an empty name and zero secret. */
export interface ChannelInfo {
  index: number;
  name: string;
  secret: Uint8Array;
}

export function decodeChannelInfo(frame: Uint8Array): ChannelInfo {
  const r = new FrameReader(frame);
  r.u8();
  return { index: r.u8('channel_idx'), name: r.cstring(32, 'name'), secret: r.bytes(16, 'secret') };
}

export function encodeChannelInfo(c: ChannelInfo): Uint8Array {
  return new FrameWriter().u8(RESP.CHANNEL_INFO).u8(c.index).cstring(c.name, 32).fixed(c.secret, 16).done();
}

export function isEmptyChannel(c: ChannelInfo): boolean {
  return c.name === '' && c.secret.every((b) => b === 0);
}

/** RESP_CODE_BATT_AND_STORAGE (0x0C): battery mV u16 · [used kB u32 · total kB u32]. */
export interface BattAndStorage {
  batteryMilliVolts: number;
  storageUsedKb?: number;
  storageTotalKb?: number;
}

export function decodeBattAndStorage(frame: Uint8Array): BattAndStorage {
  const r = new FrameReader(frame);
  r.u8();
  const out: BattAndStorage = { batteryMilliVolts: r.u16('battery') };
  if (r.remaining >= 8) {
    out.storageUsedKb = r.u32('used');
    out.storageTotalKb = r.u32('total');
  }
  return out;
}

export function encodeBattAndStorage(b: Required<BattAndStorage>): Uint8Array {
  return new FrameWriter().u8(RESP.BATT_AND_STORAGE).u16(b.batteryMilliVolts).u32(b.storageUsedKb).u32(b.storageTotalKb).done();
}

export function decodeU32Reply(frame: Uint8Array, what: string): number {
  const r = new FrameReader(frame);
  r.u8();
  return r.u32(what);
}

export function decodePubKeyPush(frame: Uint8Array): Uint8Array {
  const r = new FrameReader(frame);
  r.u8();
  return r.bytes(PUB_KEY_SIZE, 'public key');
}
