/**
 * The companion's persisted preferences (examples/companion_radio/NodePrefs.h) and the build constants a client
 * sees (FIRMWARE_VER_CODE, MAX_CONTACTS …). Defaults follow MyMesh::MyMesh / begin() of v1.17.1 with the EU/UK
 * narrow preset (869.618 MHz / 62.5 kHz / SF8 / CR5 as the app's "EU/UK (Narrow)" sets it).
 */
import { toHex } from '../bytes.js';

export interface NodePrefs {
  nodeName: string;
  /** kHz and Hz as the protocol carries them. */
  freqKhz: number;
  bwHz: number;
  sf: number;
  cr: number;
  txPowerDbm: number;
  /** × 1000 as CMD_SET_TUNING_PARAMS carries them (rx_delay_base, airtime_factor). */
  rxDelayBaseMilli: number;
  airtimeFactorMilli: number;
  manualAddContacts: number;
  autoaddConfig: number;
  autoaddMaxHops: number;
  /** telemetry_mode_base | loc << 2 | env << 4. */
  telemetryModes: number;
  advertLocPolicy: number;
  multiAcks: number;
  /** Degrees × 1e6 (sensors.node_lat / node_lon). */
  lat: number;
  lon: number;
  blePin: number;
  /** Client repeat (v9+): the node forwards floods. */
  repeat: boolean;
  pathHashMode: number;
  defaultScopeName: string;
  /** 16 bytes; all zero = unscoped. */
  defaultScopeKey: Uint8Array;
}

export interface CompanionBuild {
  firmwareVerCode: number;
  firmwareVersion: string;
  buildDate: string;
  manufacturer: string;
  maxContacts: number;
  maxChannels: number;
  /** OFFLINE_QUEUE_SIZE, per client here. */
  offlineQueueSize: number;
  maxTxPower: number;
  /** ENABLE_PRIVATE_KEY_EXPORT: CMD_EXPORT_PRIVATE_KEY answers the key, else RESP_CODE_DISABLED. */
  privateKeyExport: boolean;
  /** MyMesh.cpp repeat_freq_ranges (kHz). */
  repeatFreqRanges: Array<[number, number]>;
}

export const DEFAULT_BUILD: CompanionBuild = {
  firmwareVerCode: 13,
  firmwareVersion: 'v1.17.1',
  buildDate: '1 Dec 2026',
  manufacturer: 'Lattice Edge',
  maxContacts: 350,
  maxChannels: 40,
  offlineQueueSize: 256,
  maxTxPower: 22,
  privateKeyExport: false,
  repeatFreqRanges: [[433000, 433000], [869495, 869495], [918000, 918000]],
};

export function defaultPrefs(publicKey: Uint8Array): NodePrefs {
  return {
    // MyMesh::begin without ADVERT_NAME: hex of the first 4 public-key bytes.
    nodeName: toHex(publicKey.subarray(0, 4)),
    freqKhz: 869618,
    bwHz: 62500,
    sf: 8,
    cr: 5,
    txPowerDbm: 20,
    rxDelayBaseMilli: 0,
    airtimeFactorMilli: 1000,
    manualAddContacts: 0,
    autoaddConfig: 0,
    autoaddMaxHops: 0,
    telemetryModes: 0,
    advertLocPolicy: 0,
    multiAcks: 0,
    lat: 0,
    lon: 0,
    blePin: 0,
    repeat: false,
    pathHashMode: 0,
    defaultScopeName: '',
    defaultScopeKey: new Uint8Array(16),
  };
}
