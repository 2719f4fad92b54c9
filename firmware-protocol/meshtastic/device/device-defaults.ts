/**
 * What a freshly flashed node holds before anyone configures it (NodeDB::installDefaultConfig,
 * installDefaultModuleConfig, Channels::initDefaults), trimmed to what clients look at: the LoRa section (region,
 * preset, hop limit), the device role and broadcast intervals, security with our public key. Callers override any
 * of it (the native node from its YAML, the simulator to look like a Heltec V3 in EU_868).
 */
import { create } from '@bufbuild/protobuf';
import { Channel, Config, LocalOnly, ModuleConfig } from '@meshtastic/protobufs';
import { MAX_NUM_CHANNELS } from '../node-id.js';

/** firmware src/mesh/Default.h default_node_info_broadcast_secs (3 h) and default_broadcast_interval_secs (15 min). */
const NODE_INFO_BROADCAST_SECS = 3 * 60 * 60;
const POSITION_BROADCAST_SECS = 15 * 60;

export interface ChannelInit {
  index: number;
  name: string;
  role: 'PRIMARY' | 'SECONDARY';
  /** 1-byte PSK shorthand or a full key; default [1] (the default key, "AQ=="). */
  psk?: Uint8Array;
  /** module_settings.position_precision (Channels::initDefaultChannel: 0, position sharing is opt-in). */
  positionPrecision?: number;
}

/** All 8 slots; unlisted ones are DISABLED, as Channels::getByIndex returns them. */
export function channelTable(init: ChannelInit[]): Channel.Channel[] {
  const out: Channel.Channel[] = [];
  for (let i = 0; i < MAX_NUM_CHANNELS; i++) {
    const c = init.find((x) => x.index === i);
    out.push(
      create(Channel.ChannelSchema, {
        index: i,
        role: c ? (c.role === 'PRIMARY' ? Channel.Channel_Role.PRIMARY : Channel.Channel_Role.SECONDARY) : Channel.Channel_Role.DISABLED,
        settings: c ? { name: c.name, psk: c.psk ?? Uint8Array.of(1), moduleSettings: { positionPrecision: c.positionPrecision ?? 0 } } : undefined,
      }),
    );
  }
  return out;
}

export interface ConfigDefaults {
  role?: Config.Config_DeviceConfig_Role;
  region?: Config.Config_LoRaConfig_RegionCode;
  modemPreset?: Config.Config_LoRaConfig_ModemPreset;
  hopLimit?: number;
  txPower?: number;
  publicKey: Uint8Array;
  privateKey?: Uint8Array;
}

export function defaultLocalConfig(o: ConfigDefaults): LocalOnly.LocalConfig {
  return create(LocalOnly.LocalConfigSchema, {
    device: { role: o.role ?? Config.Config_DeviceConfig_Role.CLIENT, nodeInfoBroadcastSecs: NODE_INFO_BROADCAST_SECS },
    position: { positionBroadcastSecs: POSITION_BROADCAST_SECS },
    power: { lsSecs: 300 },
    network: {},
    display: { screenOnSecs: 600 },
    lora: {
      usePreset: true,
      modemPreset: o.modemPreset ?? Config.Config_LoRaConfig_ModemPreset.LONG_FAST,
      region: o.region ?? Config.Config_LoRaConfig_RegionCode.EU_868,
      hopLimit: o.hopLimit ?? 3,
      txEnabled: true,
      txPower: o.txPower ?? 27,
    },
    bluetooth: { enabled: true, mode: Config.Config_BluetoothConfig_PairingMode.RANDOM_PIN },
    security: { publicKey: o.publicKey, privateKey: o.privateKey ?? new Uint8Array(0), serialEnabled: true },
    version: 24,
  });
}

/** Every module section present and disabled, as installDefaultModuleConfig leaves them (MQTT with its defaults). */
export function defaultLocalModuleConfig(): LocalOnly.LocalModuleConfig {
  return create(LocalOnly.LocalModuleConfigSchema, {
    mqtt: { address: 'mqtt.meshtastic.org', username: 'meshdev', password: 'large4cats', encryptionEnabled: true, root: 'msh' },
    serial: {},
    externalNotification: {},
    storeForward: {},
    rangeTest: {},
    telemetry: { deviceUpdateInterval: 1800 },
    cannedMessage: {},
    audio: {},
    remoteHardware: {},
    neighborInfo: {},
    ambientLighting: {},
    detectionSensor: {},
    paxcounter: {},
    version: 24,
  });
}

/** Config oneof field by tag (1 device … 10 device_ui), for PhoneAPI STATE_SEND_CONFIG and get_config_request. */
export function configSection(cfg: LocalOnly.LocalConfig, tag: number): Config.Config {
  const field = Config.ConfigSchema.fields.find((f) => f.number === tag && f.oneof?.name === 'payload_variant');
  if (!field) return create(Config.ConfigSchema, {});
  const name = field.localName as keyof LocalOnly.LocalConfig;
  // sessionkey and device_ui are sent empty (PhoneAPI.cpp: "NOOP!"); LocalConfig has no such fields.
  const value = (cfg as unknown as Record<string, unknown>)[name as string] ?? {};
  return create(Config.ConfigSchema, { payloadVariant: { case: field.localName, value } } as never);
}

/**
 * ModuleConfig oneof by tag. Firmware 2.7.26 PhoneAPI knows tags 1..13 (mqtt … paxcounter); for 14..16 it logs
 * "Unknown module config type" and still sends the frame, with no variant set.
 */
export function moduleConfigSection(mc: LocalOnly.LocalModuleConfig, tag: number): ModuleConfig.ModuleConfig {
  const field = ModuleConfig.ModuleConfigSchema.fields.find((f) => f.number === tag && f.oneof?.name === 'payload_variant');
  if (!field || tag > 13) return create(ModuleConfig.ModuleConfigSchema, {});
  const value = (mc as unknown as Record<string, unknown>)[field.localName] ?? {};
  return create(ModuleConfig.ModuleConfigSchema, { payloadVariant: { case: field.localName, value } } as never);
}
