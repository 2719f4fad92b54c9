/**
 * The simulated radio's state, split as the firmware splits it: what survives a reboot (identity, prefs, contacts,
 * channels: flash in MyMesh/DataStore) and what does not (offline queue, app_target_ver, ACK table, contact
 * iterator: RAM). Defaults follow examples/companion_radio/MyMesh.{h,cpp} v1.17.1.
 */
import { createHash } from 'node:crypto';
import { meshCorePreamble } from '../../../lib/lora/meshcore-presets.js';
import { timeOnAirMs } from '../../../lib/lora/time-on-air.js';
import { newSimIdentity, type SimIdentity } from './sim-air-packets.js';
import type { Contact } from '../contact-record.js';
import type { ChannelInfo } from '../device-frames.js';
import { EXPECTED_ACK_TABLE_SIZE } from '../codes.js';
import { PUBLIC_CHANNEL_SECRET } from '../channel-secret.js';
import { toHex } from '../bytes.js';

export interface SimDeviceConfig {
  firmwareVerCode: number;
  firmwareVersion: string;
  buildDate: string;
  manufacturer: string;
  /** MAX_CONTACTS (100 default build, 350 in most board builds). */
  maxContacts: number;
  /** MAX_GROUP_CHANNELS (40 typical, 8 on small builds). */
  maxChannels: number;
  /** OFFLINE_QUEUE_SIZE (16 default, 256 in most board builds). */
  offlineQueueSize: number;
  maxTxPower: number;
  batteryMilliVolts: number;
  storageUsedKb: number;
  storageTotalKb: number;
}

export const DEFAULT_SIM_CONFIG: SimDeviceConfig = {
  firmwareVerCode: 13,
  firmwareVersion: 'v1.17.1',
  buildDate: '14 Aug 2026',
  manufacturer: 'Lattice MeshCore simulator',
  maxContacts: 100,
  maxChannels: 40,
  offlineQueueSize: 16,
  maxTxPower: 22,
  batteryMilliVolts: 4120,
  storageUsedKb: 12,
  storageTotalKb: 1024,
};

export interface SimPrefs {
  nodeName: string;
  freqKhz: number;
  bwHz: number;
  sf: number;
  cr: number;
  txPowerDbm: number;
  manualAddContacts: number;
  autoaddConfig: number;
  multiAcks: number;
  advertLocPolicy: number;
  telemetryModes: number;
  lat: number;
  lon: number;
  blePin: number;
  repeat: boolean;
  pathHashMode: number;
  /** × 1000 as CMD_SET_TUNING_PARAMS carries them. */
  rxDelayBaseMilli: number;
  airtimeFactorMilli: number;
  autoaddMaxHops: number;
  defaultScopeName: string;
  defaultScopeKey: Uint8Array;
}

/** Flash: survives reboot. */
export interface SimPersistent {
  publicKey: Uint8Array;
  /** Ed25519 seed (the firmware stores the expanded key; the simulator keeps the seed to sign adverts). */
  seed: Uint8Array;
  prefs: SimPrefs;
  contacts: Contact[];
  channels: ChannelInfo[];
  /** Raw advert packet per contact key (hex), kept for EXPORT/SHARE_CONTACT (putBlobByKey in onAdvertRecv). */
  advertBlobs: Map<string, Uint8Array>;
}

export interface AckEntry {
  ack: number;
  sentAtMs: number;
  contactKey: string;
}

/** RAM: lost on reboot. */
export interface SimVolatile {
  appTargetVer: number;
  offlineQueue: Uint8Array[];
  ackTable: Array<AckEntry | null>;
  nextAckIdx: number;
  iter: { next: number; since: number; mostRecent: number } | null;
  /** CMD_SET_FLOOD_SCOPE_KEY session override (RAM only) and the "send un-scoped" flag. */
  sendScope: Uint8Array;
  sendUnscoped: boolean;
  /** Radio counters for CMD_GET_STATS. */
  counters: { recv: number; sent: number; sentFlood: number; sentDirect: number; recvFlood: number; recvDirect: number; recvErrors: number };
  /** Seconds offset applied to the host clock (the RTC). */
  rtcOffsetSecs: number;
  bootMs: number;
}


export function emptyChannel(index: number): ChannelInfo {
  return { index, name: '', secret: new Uint8Array(16) };
}

export function newPersistent(config: SimDeviceConfig, identity: SimIdentity = newSimIdentity()): SimPersistent {
  const { publicKey, seed } = identity;
  const channels = Array.from({ length: config.maxChannels }, (_, i) => emptyChannel(i));
  // MyMesh::begin: addChannel("Public", PUBLIC_GROUP_PSK) before loading saved channels.
  if (channels.length > 0) channels[0] = { index: 0, name: 'Public', secret: PUBLIC_CHANNEL_SECRET.slice() };
  return {
    publicKey,
    seed,
    prefs: {
      // Default node name: hex of the first 4 public key bytes (MyMesh::begin without ADVERT_NAME).
      nodeName: toHex(publicKey.subarray(0, 4)),
      // Compile-time default of v1.17 builds: EU/UK narrow 869.618 MHz / 62.5 kHz / SF8 / CR5.
      freqKhz: 869618,
      bwHz: 62500,
      sf: 8,
      cr: 5,
      txPowerDbm: 20,
      manualAddContacts: 0,
      autoaddConfig: 0,
      multiAcks: 0,
      advertLocPolicy: 0,
      telemetryModes: 0,
      lat: 0,
      lon: 0,
      blePin: 0,
      repeat: false,
      pathHashMode: 0,
      rxDelayBaseMilli: 0,
      airtimeFactorMilli: 1000,
      autoaddMaxHops: 0,
      defaultScopeName: '',
      defaultScopeKey: new Uint8Array(16),
    },
    advertBlobs: new Map(),
    contacts: [],
    channels,
  };
}

export function newVolatile(persistent: SimPersistent, nowMs: number): SimVolatile {
  // bootstrapRTCfromContacts: without a battery-backed RTC the clock restarts from the newest contact lastmod.
  const newest = persistent.contacts.reduce((m, c) => Math.max(m, c.lastMod), 0);
  const base = newest > 0 ? newest + 1 : 1715770371; // any fixed past epoch: the firmware's RTC also starts "wrong"
  return {
    appTargetVer: 0,
    offlineQueue: [],
    ackTable: new Array(EXPECTED_ACK_TABLE_SIZE).fill(null),
    nextAckIdx: 0,
    iter: null,
    sendScope: new Uint8Array(16),
    sendUnscoped: false,
    counters: { recv: 0, sent: 0, sentFlood: 0, sentDirect: 0, recvFlood: 0, recvDirect: 0, recvErrors: 0 },
    rtcOffsetSecs: base - Math.floor(nowMs / 1000),
    bootMs: nowMs,
  };
}

/** expected_ack = SHA-256(ts u32 · attempt&3 · text ‖ sender public key)[0..4] as u32 LE
 * (BaseChatMesh::composeMsgPacket; the receiver computes the same with the sender's key). */
export function expectedAck(senderTimestamp: number, attempt: number, text: Uint8Array, senderKey: Uint8Array): number {
  const head = Buffer.alloc(5);
  head.writeUInt32LE(senderTimestamp >>> 0, 0);
  head[4] = attempt & 3;
  const d = createHash('sha256').update(head).update(text).update(senderKey).digest();
  return d.readUInt32LE(0);
}

/** LoRa time on air in ms (lib/lora/time-on-air.ts) of a packet with MeshCore's radio settings: explicit header,
 * CRC on, preamble 32 at SF ≤ 8 and 16 above (lib/lora/meshcore-presets.ts). */
export function loraAirtimeMs(bytes: number, sf: number, bwHz: number, cr: number, preamble = meshCorePreamble(sf)): number {
  return timeOnAirMs({ spreadingFactor: sf, bandwidthHz: bwHz, codingRate: cr, preambleLength: preamble, explicitHeader: true, crcOn: true }, bytes);
}
