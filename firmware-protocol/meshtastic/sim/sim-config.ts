/**
 * What the simulated radio reports about itself in the want_config handshake: MyNodeInfo, NodeInfos, metadata, the
 * channel table and Config / ModuleConfig sections, shaped like a Heltec V3 on firmware 2.7.26 in EU_868 LongFast.
 */
import { create } from '@bufbuild/protobuf';
import { Channel, Config, Mesh, ModuleConfig } from '@meshtastic/protobufs';
import { nodeIdString } from '../node-id.js';
import type { SimMesh } from './sim-mesh.js';

export interface SimChannelInit {
  index: number;
  name: string;
  role: 'PRIMARY' | 'SECONDARY';
  /** 1-byte PSK shorthand or a full key; default [1] (the default key). */
  psk?: Uint8Array;
}

/** All 8 slots (MAX_NUM_CHANNELS); unlisted ones are DISABLED, as Channels::getByIndex returns them. */
export function simChannelTable(init: SimChannelInit[]): Channel.Channel[] {
  const out: Channel.Channel[] = [];
  for (let i = 0; i < 8; i++) {
    const c = init.find((x) => x.index === i);
    out.push(
      create(Channel.ChannelSchema, {
        index: i,
        role: c ? (c.role === 'PRIMARY' ? Channel.Channel_Role.PRIMARY : Channel.Channel_Role.SECONDARY) : Channel.Channel_Role.DISABLED,
        settings: c ? { name: c.name, psk: c.psk ?? Uint8Array.of(1) } : undefined,
      }),
    );
  }
  return out;
}

export function simMyNodeInfo(myNodeNum: number, rebootCount: number, nodedbCount: number): Mesh.MyNodeInfo {
  return create(Mesh.MyNodeInfoSchema, {
    myNodeNum,
    rebootCount,
    minAppVersion: 30200,
    deviceId: Uint8Array.from({ length: 16 }, (_, i) => (myNodeNum >>> ((i % 4) * 8)) & 0xff),
    pioEnv: 'heltec-v3',
    nodedbCount,
  });
}

/** Own NodeInfo as PhoneAPI STATE_SEND_OWN_NODEINFO sends it: no hops_away, is_favorite set. */
export function simOwnNodeInfo(num: number, longName: string, shortName: string, publicKey: Uint8Array): Mesh.NodeInfo {
  return create(Mesh.NodeInfoSchema, {
    num,
    user: {
      id: nodeIdString(num),
      longName,
      shortName,
      hwModel: Mesh.HardwareModel.HELTEC_V3,
      publicKey,
      role: Config.Config_DeviceConfig_Role.CLIENT,
    },
    lastHeard: Math.floor(Date.now() / 1000),
    isFavorite: true,
  });
}

export function simOtherNodeInfos(mesh: SimMesh): Mesh.NodeInfo[] {
  return [...mesh.nodes.values()].map((n) =>
    create(Mesh.NodeInfoSchema, {
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
    }),
  );
}

export function simMetadata(firmwareVersion: string): Mesh.DeviceMetadata {
  return create(Mesh.DeviceMetadataSchema, {
    firmwareVersion,
    deviceStateVersion: 24,
    canShutdown: true,
    hasWifi: true,
    hasBluetooth: true,
    role: Config.Config_DeviceConfig_Role.CLIENT,
    positionFlags: 811,
    hwModel: Mesh.HardwareModel.HELTEC_V3,
    hasPKC: true,
  });
}

/** Config by oneof tag 1..10 (device … deviceUi), as PhoneAPI STATE_SEND_CONFIG walks them. */
export function simConfig(tag: number, o: { hopLimit: number; publicKey: Uint8Array }): Config.Config {
  const field = Config.ConfigSchema.fields.find((f) => f.number === tag && f.oneof?.name === 'payload_variant');
  if (!field) return create(Config.ConfigSchema, {});
  const values: Record<string, unknown> = {
    device: { role: Config.Config_DeviceConfig_Role.CLIENT, nodeInfoBroadcastSecs: 10800 },
    position: { positionBroadcastSecs: 900 },
    power: { lsSecs: 300 },
    network: {},
    display: { screenOnSecs: 600 },
    lora: {
      usePreset: true,
      modemPreset: Config.Config_LoRaConfig_ModemPreset.LONG_FAST,
      region: Config.Config_LoRaConfig_RegionCode.EU_868,
      hopLimit: o.hopLimit,
      txEnabled: true,
      txPower: 27,
    },
    bluetooth: { enabled: true, mode: Config.Config_BluetoothConfig_PairingMode.RANDOM_PIN },
    security: { publicKey: o.publicKey, serialEnabled: true },
    sessionkey: {},
    deviceUi: {},
  };
  return create(Config.ConfigSchema, { payloadVariant: { case: field.localName, value: values[field.localName] ?? {} } } as never);
}

/** ModuleConfig by tag: 1..13 are sent with content, 14..16 as empty messages (PhoneAPI.cpp 2.7.26 has no case for
 * them and logs "Unknown module config type", but still sends the frame). */
export function simModuleConfig(tag: number): ModuleConfig.ModuleConfig {
  const field = ModuleConfig.ModuleConfigSchema.fields.find((f) => f.number === tag && f.oneof?.name === 'payload_variant');
  if (!field || tag > 13) return create(ModuleConfig.ModuleConfigSchema, {});
  return create(ModuleConfig.ModuleConfigSchema, { payloadVariant: { case: field.localName, value: {} } } as never);
}

export function simFilesManifest(): Mesh.FileInfo[] {
  return [
    create(Mesh.FileInfoSchema, { fileName: '/prefs/config.proto', sizeBytes: 186 }),
    create(Mesh.FileInfoSchema, { fileName: '/prefs/nodes.proto', sizeBytes: 2941 }),
  ];
}
