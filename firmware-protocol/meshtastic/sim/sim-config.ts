/**
 * What the simulated radio reports about itself: a Heltec V3 on firmware 2.7.26 in EU_868 LongFast (the device
 * side's defaults, device/device-defaults.ts, with this board's hardware), the NodeInfo its NodeDB holds for each
 * simulated node, and the /prefs files it lists at the end of the handshake.
 */
import { create } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import { channelTable, type ChannelInit } from '../device/device-defaults.js';
import type { DeviceHardware } from '../device/device-state.js';
import { nodeIdString } from '../node-id.js';
import type { SimNode } from './sim-mesh.js';

export type SimChannelInit = ChannelInit;
export const simChannelTable = channelTable;

export function simHardware(firmwareVersion: string): DeviceHardware {
  return {
    firmwareVersion,
    hwModel: Mesh.HardwareModel.HELTEC_V3,
    pioEnv: 'heltec-v3',
    hasWifi: true,
    hasBluetooth: true,
    canShutdown: true,
    deviceStateVersion: 24,
    uiConfig: { version: 1, screenBrightness: 153 },
  };
}

/** The canned-message and ringtone texts (CannedMessageModule, ExternalNotificationModule files); the ringtone is
 * the firmware's USERPREFS_RINGTONE_RTTTL default. */
/** Empty on a freshly flashed board, as in the firmware; a client sets them with set_canned_message_module_messages. */
export const SIM_CANNED_MESSAGES = '';
export const SIM_RINGTONE = '24:d=32,o=5,b=565:f6,p,f6,4p,p,f6,p,f6,2p,p,b6,p,b6,p,b6,p,b6,p,b,p,b,p,b,p,b,p,b,p,b,p,b,p,b,1p.,2p.,p';

/** The NodeDB entry of a simulated node as the radio has heard it. */
export function simNodeInfo(n: SimNode): Mesh.NodeInfo {
  return create(Mesh.NodeInfoSchema, {
    num: n.num,
    user: {
      id: nodeIdString(n.num),
      longName: n.longName,
      shortName: n.shortName,
      hwModel: n.hwModel,
      publicKey: n.publicKey ?? new Uint8Array(0),
    },
    position: n.latitude !== undefined
      ? { latitudeI: Math.round(n.latitude * 1e7), longitudeI: Math.round((n.longitude ?? 0) * 1e7), altitude: n.altitude }
      : undefined,
    snr: n.snr,
    lastHeard: n.lastHeard,
    hopsAway: n.hopsAway,
  });
}

export function simFilesManifest(): Mesh.FileInfo[] {
  return [
    create(Mesh.FileInfoSchema, { fileName: '/prefs/config.proto', sizeBytes: 186 }),
    create(Mesh.FileInfoSchema, { fileName: '/prefs/nodes.proto', sizeBytes: 2941 }),
  ];
}
